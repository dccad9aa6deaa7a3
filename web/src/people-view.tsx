import { useCallback, useState } from 'react';
import type { Person, Relation } from './api.js';
import { formatDateTime, orDash, personName } from './format.js';
import { EnumTag } from './enum-tag.js';
import { RELATION_LABELS } from './labels.js';
import { OrganisationName } from './organisation-name.js';
import { PersonDetail } from './person-detail.js';
import { RecordTable, type Column } from './record-table.js';
import { href } from './router.js';
import { usePagedList } from './use-paged-list.js';

const COLUMNS: readonly Column<Person>[] = [
  {
    header: 'Nom',
    cell: (p) => (
      <a href={href({ view: 'people', personId: p.id })} onClick={(e) => e.stopPropagation()}>
        {personName(p)}
      </a>
    ),
  },
  { header: 'Fonction', field: 'jobTitle', cell: (p) => orDash(p.jobTitle), secondary: true },
  { header: 'Organisation', field: 'organisationId', cell: (p) => <OrganisationName id={p.organisationId} /> },
  { header: 'E-mail', field: 'email', cell: (p) => orDash(p.email) },
  { header: 'Relation', field: 'relation', cell: (p) => <EnumTag value={p.relation} labels={RELATION_LABELS} kind="relation" /> },
  { header: 'Collectée le', field: 'collectedAt', cell: (p) => formatDateTime(p.collectedAt), secondary: true },
];

const RELATIONS = Object.keys(RELATION_LABELS) as Relation[];

/** People: the list, filtered by relation, and the detail panel of the selected one. */
export function PeopleView({ personId }: { readonly personId: string | null }) {
  // The filter stays in the page, not in the URL (see router.ts).
  const [relation, setRelation] = useState<Relation | ''>('');
  const list = usePagedList('people', { relation: relation || undefined });
  // A role that may not see the relation is not offered it as a filter either.
  const relationHidden = relation === '' && (list.error?.forbidden === true || (list.items.length > 0 && list.items.every((p) => p.relation === undefined)));
  const close = useCallback(() => {
    window.location.hash = href({ view: 'people', personId: null });
  }, []);

  return (
    <div className={personId ? 'split' : undefined}>
      <section className="view" aria-labelledby="people-title">
        <header className="view-header">
          <h1 id="people-title">Personnes</h1>
          {!relationHidden && (
            <label className="inline">
              Relation{' '}
              <select value={relation} onChange={(e) => setRelation(e.target.value as Relation | '')}>
                <option value="">Toutes</option>
                {RELATIONS.map((r) => (
                  <option key={r} value={r}>
                    {RELATION_LABELS[r]}
                  </option>
                ))}
              </select>
            </label>
          )}
        </header>
        <RecordTable
          label="Personnes"
          columns={COLUMNS}
          list={list}
          selectedId={personId}
          compact={personId !== null}
          onSelect={(p) => {
            window.location.hash = href({ view: 'people', personId: p.id });
          }}
          empty="Aucune personne."
          forbidden="Votre rôle ne permet pas de consulter les personnes."
        />
      </section>
      {personId && <PersonDetail key={personId} id={personId} onClose={close} />}
    </div>
  );
}
