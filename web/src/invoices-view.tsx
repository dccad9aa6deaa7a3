import type { Invoice } from './api.js';
import { formatDate, formatMoney, orDash } from './format.js';
import { EnumTag } from './enum-tag.js';
import { INVOICE_STATUS_LABELS } from './labels.js';
import { OrganisationName } from './organisation-name.js';
import { RecordTable, type Column } from './record-table.js';
import { usePagedList } from './use-paged-list.js';

const COLUMNS: readonly Column<Invoice>[] = [
  { header: 'Numéro', field: 'number', cell: (i) => orDash(i.number), kind: 'mono' },
  { header: 'Organisation', field: 'organisationId', cell: (i) => <OrganisationName id={i.organisationId} /> },
  { header: 'Émise le', field: 'issueDate', cell: (i) => formatDate(i.issueDate) },
  { header: 'Échéance', field: 'dueDate', cell: (i) => formatDate(i.dueDate) },
  { header: 'Montant', field: 'amount', cell: (i) => formatMoney(i.amount, i.currency), kind: 'num' },
  { header: 'Statut', field: 'status', cell: (i) => <EnumTag value={i.status} labels={INVOICE_STATUS_LABELS} kind="status" /> },
];

/** Invoices, in creation order. */
export function InvoicesView() {
  const list = usePagedList('invoices');
  return (
    <section className="view" aria-labelledby="invoices-title">
      <header className="view-header">
        <h1 id="invoices-title">Factures</h1>
      </header>
      <RecordTable label="Factures" columns={COLUMNS} list={list} empty="Aucune facture." forbidden="Votre rôle ne permet pas de consulter les factures." />
    </section>
  );
}
