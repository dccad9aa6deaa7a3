import type { Complaint } from './api.js';
import { formatDateTime, orDash } from './format.js';
import { EnumTag } from './enum-tag.js';
import { CASE_STATUS_LABELS } from './labels.js';
import { OrganisationName } from './organisation-name.js';
import { RecordTable, type Column } from './record-table.js';
import { usePagedList } from './use-paged-list.js';

const COLUMNS: readonly Column<Complaint>[] = [
  { header: 'Objet', field: 'subject', cell: (c) => <strong>{orDash(c.subject)}</strong> },
  { header: 'Organisation', field: 'organisationId', cell: (c) => <OrganisationName id={c.organisationId} /> },
  { header: 'Ouverte le', field: 'openedAt', cell: (c) => formatDateTime(c.openedAt) },
  { header: 'Clôturée le', field: 'closedAt', cell: (c) => formatDateTime(c.closedAt) },
  { header: 'Statut', field: 'status', cell: (c) => <EnumTag value={c.status} labels={CASE_STATUS_LABELS} kind="status" /> },
];

/** Complaints, in creation order. */
export function ComplaintsView() {
  const list = usePagedList('complaints');
  return (
    <section className="view" aria-labelledby="complaints-title">
      <header className="view-header">
        <h1 id="complaints-title">Réclamations</h1>
      </header>
      <RecordTable label="Réclamations" columns={COLUMNS} list={list} empty="Aucune réclamation." forbidden="Votre rôle ne permet pas de consulter les réclamations." />
    </section>
  );
}
