import type { Complaint } from './api.js';
import { formatDateTime } from './format.js';
import { CASE_STATUS_LABELS } from './labels.js';
import { OrganisationName } from './organisation-name.js';
import { RecordTable, type Column } from './record-table.js';
import { usePagedList } from './use-paged-list.js';

const COLUMNS: readonly Column<Complaint>[] = [
  { header: 'Objet', cell: (c) => <strong>{c.subject}</strong> },
  { header: 'Organisation', cell: (c) => <OrganisationName id={c.organisationId} /> },
  { header: 'Ouverte le', cell: (c) => formatDateTime(c.openedAt) },
  { header: 'Clôturée le', cell: (c) => formatDateTime(c.closedAt) },
  { header: 'Statut', cell: (c) => <span className={`tag status-${c.status}`}>{CASE_STATUS_LABELS[c.status]}</span> },
];

/** Complaints, in creation order. */
export function ComplaintsView() {
  const list = usePagedList('complaints');
  return (
    <section className="view" aria-labelledby="complaints-title">
      <header className="view-header">
        <h1 id="complaints-title">Réclamations</h1>
      </header>
      <RecordTable label="Réclamations" columns={COLUMNS} list={list} empty="Aucune réclamation." />
    </section>
  );
}
