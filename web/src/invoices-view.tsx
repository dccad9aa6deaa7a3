import type { Invoice } from './api.js';
import { formatDate, formatMoney } from './format.js';
import { INVOICE_STATUS_LABELS } from './labels.js';
import { OrganisationName } from './organisation-name.js';
import { RecordTable, type Column } from './record-table.js';
import { usePagedList } from './use-paged-list.js';

const COLUMNS: readonly Column<Invoice>[] = [
  { header: 'Numéro', cell: (i) => i.number, kind: 'mono' },
  { header: 'Organisation', cell: (i) => <OrganisationName id={i.organisationId} /> },
  { header: 'Émise le', cell: (i) => formatDate(i.issueDate) },
  { header: 'Échéance', cell: (i) => formatDate(i.dueDate) },
  { header: 'Montant', cell: (i) => formatMoney(i.amount, i.currency), kind: 'num' },
  { header: 'Statut', cell: (i) => <span className={`tag status-${i.status}`}>{INVOICE_STATUS_LABELS[i.status]}</span> },
];

/** Invoices, in creation order. */
export function InvoicesView() {
  const list = usePagedList('invoices');
  return (
    <section className="view" aria-labelledby="invoices-title">
      <header className="view-header">
        <h1 id="invoices-title">Factures</h1>
      </header>
      <RecordTable label="Factures" columns={COLUMNS} list={list} empty="Aucune facture." />
    </section>
  );
}
