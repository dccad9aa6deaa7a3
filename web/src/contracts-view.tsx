import type { Contract } from './api.js';
import { formatDate, orDash } from './format.js';
import { EnumTag } from './enum-tag.js';
import { CONTRACT_STATUS_LABELS } from './labels.js';
import { OrganisationName } from './organisation-name.js';
import { RecordTable, type Column } from './record-table.js';
import { usePagedList } from './use-paged-list.js';

const COLUMNS: readonly Column<Contract>[] = [
  { header: 'Offre', field: 'offer', cell: (c) => <strong>{orDash(c.offer)}</strong> },
  { header: 'Organisation', field: 'organisationId', cell: (c) => <OrganisationName id={c.organisationId} /> },
  { header: 'Contacts', field: 'contactIds', cell: (c) => orDash(c.contactIds?.length), kind: 'num' },
  { header: 'Début', field: 'startDate', cell: (c) => formatDate(c.startDate) },
  { header: 'Fin', field: 'endDate', cell: (c) => formatDate(c.endDate) },
  { header: 'Statut', field: 'status', cell: (c) => <EnumTag value={c.status} labels={CONTRACT_STATUS_LABELS} kind="status" /> },
];

/** Contracts, in creation order. */
export function ContractsView() {
  const list = usePagedList('contracts');
  return (
    <section className="view" aria-labelledby="contracts-title">
      <header className="view-header">
        <h1 id="contracts-title">Contrats</h1>
      </header>
      <RecordTable label="Contrats" columns={COLUMNS} list={list} empty="Aucun contrat." forbidden="Votre rôle ne permet pas de consulter les contrats." />
    </section>
  );
}
