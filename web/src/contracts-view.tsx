import type { Contract } from './api.js';
import { formatDate } from './format.js';
import { CONTRACT_STATUS_LABELS } from './labels.js';
import { OrganisationName } from './organisation-name.js';
import { RecordTable, type Column } from './record-table.js';
import { usePagedList } from './use-paged-list.js';

const COLUMNS: readonly Column<Contract>[] = [
  { header: 'Offre', cell: (c) => <strong>{c.offer}</strong> },
  { header: 'Organisation', cell: (c) => <OrganisationName id={c.organisationId} /> },
  { header: 'Contacts', cell: (c) => c.contactIds.length, kind: 'num' },
  { header: 'Début', cell: (c) => formatDate(c.startDate) },
  { header: 'Fin', cell: (c) => formatDate(c.endDate) },
  { header: 'Statut', cell: (c) => <span className={`tag status-${c.status}`}>{CONTRACT_STATUS_LABELS[c.status]}</span> },
];

/** Contracts, in creation order. */
export function ContractsView() {
  const list = usePagedList('contracts');
  return (
    <section className="view" aria-labelledby="contracts-title">
      <header className="view-header">
        <h1 id="contracts-title">Contrats</h1>
      </header>
      <RecordTable label="Contrats" columns={COLUMNS} list={list} empty="Aucun contrat." />
    </section>
  );
}
