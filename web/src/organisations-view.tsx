import { useState } from 'react';
import type { Organisation } from './api.js';
import { formatSiret, orDash } from './format.js';
import { KIND_LABELS } from './labels.js';
import { OrganisationForm } from './organisation-form.js';
import { rememberOrganisationName } from './organisation-name.js';
import { RecordTable, type Column } from './record-table.js';
import { usePagedList } from './use-paged-list.js';

const COLUMNS: readonly Column<Organisation>[] = [
  { header: 'Raison sociale', cell: (o) => <strong>{o.name}</strong> },
  { header: 'Type', cell: (o) => <span className={`tag kind-${o.kind}`}>{KIND_LABELS[o.kind]}</span> },
  { header: 'SIRET', cell: (o) => formatSiret(o.siret), kind: 'mono' },
  { header: 'N° TVA', cell: (o) => orDash(o.vatNumber), kind: 'mono' },
  { header: 'Secteur', cell: (o) => orDash(o.sector) },
  { header: 'Effectif', cell: (o) => orDash(o.headcount), kind: 'num' },
  { header: 'Ville', cell: (o) => orDash(o.addresses[0]?.city) },
];

/** Organisations: the list, and the form to create one. */
export function OrganisationsView() {
  const list = usePagedList('organisations');
  const [formOpen, setFormOpen] = useState(false);
  // Created in this visit: shown first, since the list is in creation order and they
  // may be pages away.
  const [created, setCreated] = useState<readonly Organisation[]>([]);
  const [notice, setNotice] = useState<string | null>(null);

  return (
    <section className="view" aria-labelledby="organisations-title">
      <header className="view-header">
        <h1 id="organisations-title">Organisations</h1>
        {!formOpen && (
          <button type="button" className="primary" onClick={() => { setFormOpen(true); setNotice(null); }}>
            Nouvelle organisation
          </button>
        )}
      </header>
      {notice && (
        <p className="alert success" role="status">
          {notice}
        </p>
      )}
      {formOpen && (
        <OrganisationForm
          onCancel={() => setFormOpen(false)}
          onCreated={(o) => {
            rememberOrganisationName(o.id, o.name);
            setCreated((c) => [o, ...c]);
            setNotice(`Organisation « ${o.name} » créée.`);
            setFormOpen(false);
          }}
        />
      )}
      <RecordTable label="Organisations" columns={COLUMNS} list={list} pinned={created} empty="Aucune organisation." />
    </section>
  );
}
