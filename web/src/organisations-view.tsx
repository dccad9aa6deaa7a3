import { useState } from 'react';
import type { Organisation } from './api.js';
import { formatSiret, orDash } from './format.js';
import { EnumTag } from './enum-tag.js';
import { KIND_LABELS } from './labels.js';
import { OrganisationForm } from './organisation-form.js';
import { rememberOrganisationName } from './organisation-name.js';
import { RecordTable, type Column } from './record-table.js';
import { usePagedList } from './use-paged-list.js';

const COLUMNS: readonly Column<Organisation>[] = [
  { header: 'Raison sociale', field: 'name', cell: (o) => <strong>{orDash(o.name)}</strong> },
  { header: 'Type', field: 'kind', cell: (o) => <EnumTag value={o.kind} labels={KIND_LABELS} kind="kind" /> },
  { header: 'SIRET', field: 'siret', cell: (o) => formatSiret(o.siret), kind: 'mono' },
  { header: 'N° TVA', field: 'vatNumber', cell: (o) => orDash(o.vatNumber), kind: 'mono' },
  { header: 'Secteur', field: 'sector', cell: (o) => orDash(o.sector) },
  { header: 'Effectif', field: 'headcount', cell: (o) => orDash(o.headcount), kind: 'num' },
  { header: 'Ville', field: 'addresses', cell: (o) => orDash(o.addresses?.[0]?.city) },
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
            if (o.name !== undefined) rememberOrganisationName(o.id, o.name);
            setCreated((c) => [o, ...c]);
            setNotice(`Organisation « ${o.name ?? o.id} » créée.`);
            setFormOpen(false);
          }}
        />
      )}
      <RecordTable label="Organisations" columns={COLUMNS} list={list} pinned={created} empty="Aucune organisation." forbidden="Votre rôle ne permet pas de consulter les organisations." />
    </section>
  );
}
