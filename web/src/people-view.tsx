import { useCallback, useEffect, useState } from 'react';
import type { Person, Relation } from './api.js';
import { formatDateTime, orDash, personName } from './format.js';
import { EnumTag } from './enum-tag.js';
import { RELATION_LABELS } from './labels.js';
import { ListedOrganisationName } from './organisation-name.js';
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
  // The name comes joined with the row: one request per page, whatever its size.
  { header: 'Organisation', field: 'organisationId', cell: (p) => <ListedOrganisationName row={p} /> },
  { header: 'E-mail', field: 'email', cell: (p) => orDash(p.email) },
  { header: 'Relation', field: 'relation', cell: (p) => <EnumTag value={p.relation} labels={RELATION_LABELS} kind="relation" /> },
  { header: 'Collectée le', field: 'collectedAt', cell: (p) => formatDateTime(p.collectedAt), secondary: true },
];

const RELATIONS = Object.keys(RELATION_LABELS) as Relation[];

/** The page sizes offered; the choice is kept in this browser (it says nothing about anyone). */
const PAGE_SIZES = [25, 50, 100] as const;
const PAGE_SIZE_KEY = 'rempart.people.pageSize';
/** Typing pauses this long before the server is asked: one request per search, not one per key. */
const SEARCH_DELAY_MS = 300;

function storedPageSize(): number {
  const stored = Number(window.localStorage.getItem(PAGE_SIZE_KEY));
  return (PAGE_SIZES as readonly number[]).includes(stored) ? stored : 50;
}

/** `value` once it has not changed for `ms`. */
function useSettled(value: string, ms: number): string {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = window.setTimeout(() => setSettled(value), ms);
    return () => window.clearTimeout(timer);
  }, [value, ms]);
  return settled;
}

/** People: the list, searched, filtered and paged by the server, and the detail panel of the selected one. */
export function PeopleView({ personId }: { readonly personId: string | null }) {
  // Search and filters stay in the page, not in the URL: a name or an e-mail typed in the
  // search never goes into an address bar or a history (see router.ts); the API gets it as `q`.
  const [relation, setRelation] = useState<Relation | ''>('');
  const [search, setSearch] = useState('');
  const [pageSize, setPageSize] = useState(storedPageSize);
  const q = useSettled(search.trim(), SEARCH_DELAY_MS);
  const list = usePagedList('people', { relation: relation || undefined, q: q || undefined }, { limit: pageSize });
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
          <div role="search" aria-label="Rechercher des personnes" style={{ display: 'flex', flexWrap: 'wrap', alignItems: 'center', gap: 12 }}>
            <label className="inline">
              Rechercher{' '}
              <input type="search" value={search} placeholder="Nom ou e-mail" maxLength={200} onChange={(e) => setSearch(e.target.value)} />
            </label>
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
            <label className="inline">
              Par page{' '}
              <select
                value={pageSize}
                onChange={(e) => {
                  const size = Number(e.target.value);
                  window.localStorage.setItem(PAGE_SIZE_KEY, String(size));
                  setPageSize(size);
                }}
              >
                {PAGE_SIZES.map((n) => (
                  <option key={n} value={n}>
                    {n}
                  </option>
                ))}
              </select>
            </label>
          </div>
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
          empty={q ? `Aucune personne ne correspond à « ${q} ».` : 'Aucune personne.'}
          forbidden="Votre rôle ne permet pas de consulter les personnes."
        />
      </section>
      {personId && <PersonDetail key={personId} id={personId} onClose={close} />}
    </div>
  );
}
