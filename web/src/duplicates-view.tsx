import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { apiGet, apiPost, type Person, type Phone } from './api.js';
import { OrganisationName } from './organisation-name.js';
import { Failure, Loading, useFormat } from './workspace.js';

/*
 * The duplicate review queue (issue 16 item 3, R-PROS-2): pairs of people the import or
 * the record-linkage pass found may be one, side by side with the fields that differ
 * marked, the reasons of the match, and, on accept, a choice field by field of the value
 * that survives (POST /dedupe/review/{id} with `keep`). The older record survives the
 * merge (its id; UUIDv7 ids are time-ordered), as the server decides: the page says which.
 * Decisions stay: a decided pair leaves the queue and never comes back.
 */

interface ReviewPair {
  readonly id: string;
  readonly score: number;
  readonly comparison: Readonly<Record<string, string>>;
  readonly status: 'pending' | 'accepted' | 'rejected';
  readonly createdAt: string;
  readonly left: Person | null;
  readonly right: Person | null;
}

/** The fields a reviewer may choose (src/prospecting/import/review.ts CHOOSABLE_FIELDS). */
const CHOOSABLE = ['lastName', 'firstName', 'email', 'jobTitle', 'organisationId'] as const;
type Choosable = (typeof CHOOSABLE)[number];
type Side = 'left' | 'right';

/** The rows of the comparison: each person field the page shows, in order. */
const ROWS = ['lastName', 'firstName', 'email', 'phones', 'jobTitle', 'organisationId', 'source', 'collectedAt', 'createdAt'] as const;
type Row = (typeof ROWS)[number];

function phonesText(phones: readonly Phone[] | undefined): string {
  return (phones ?? []).map((p) => p.number).join(', ');
}

/** A field's value as compared: absent and empty are the same. */
function valueOf(p: Person | null, row: Row): string {
  if (p === null) return '';
  if (row === 'phones') return phonesText(p.phones);
  const v = p[row];
  return typeof v === 'string' ? v : '';
}

function isChoosable(row: Row): row is Choosable {
  return (CHOOSABLE as readonly string[]).includes(row);
}

export function DuplicatesView() {
  const { t } = useTranslation();
  const [status, setStatus] = useState<'pending' | 'accepted' | 'rejected'>('pending');
  const [done, setDone] = useState<{ readonly status: string; readonly chosen: number } | null>(null);
  const list = useQuery({ queryKey: ['dedupe-review', status], queryFn: () => apiGet<{ items: ReviewPair[] }>(`/api/v1/dedupe/review?status=${status}&limit=20`) });
  return (
    <section aria-labelledby="duplicates-title">
      <h1 id="duplicates-title">{t('duplicates.title')}</h1>
      <p className="muted">{t('duplicates.intro')}</p>
      <div className="filters" role="group" aria-label={t('common.filter')}>
        <label>
          {t('duplicates.status')}{' '}
          <select value={status} onChange={(e) => setStatus(e.target.value as typeof status)}>
            {(['pending', 'accepted', 'rejected'] as const).map((s) => (
              <option key={s} value={s}>
                {t(`duplicates.statuses.${s}`)}
              </option>
            ))}
          </select>
        </label>
      </div>
      <p role="status" className={done ? 'alert info' : 'sr-only'}>
        {done ? t(`duplicates.done.${done.status}`, { count: done.chosen }) : ''}
      </p>
      {list.isPending && <Loading />}
      {list.isError && <Failure error={list.error} />}
      {list.data && list.data.items.length === 0 && <p>{t(`duplicates.empty.${status}`)}</p>}
      {list.data?.items.map((pair, i) => (
        <PairCard key={pair.id} pair={pair} index={i + 1} onDecided={(r) => setDone({ status: r.status, chosen: r.chosen.length })} />
      ))}
    </section>
  );
}

interface Decision {
  readonly status: string;
  readonly survivorId: string | null;
  readonly chosen: readonly string[];
}

function PairCard({ pair, index, onDecided }: { readonly pair: ReviewPair; readonly index: number; readonly onDecided: (d: Decision) => void }) {
  const { t } = useTranslation();
  const f = useFormat();
  const ids = useId();
  const queryClient = useQueryClient();
  const [keep, setKeep] = useState<Partial<Record<Choosable, Side>>>({});
  const decide = useMutation({
    mutationFn: (decision: 'accept' | 'reject') => apiPost<Decision>(`/api/v1/dedupe/review/${encodeURIComponent(pair.id)}`, decision === 'accept' ? { decision, keep } : { decision }),
    onSuccess: (d) => {
      onDecided(d);
      void queryClient.invalidateQueries({ queryKey: ['dedupe-review'] });
      void queryClient.invalidateQueries({ queryKey: ['people'] });
    },
  });
  const { left, right } = pair;
  // The older record survives the merge (src/prospecting/import/review.ts): the smaller UUIDv7.
  const survivor: Side | null = left && right ? (left.id < right.id ? 'left' : 'right') : null;
  const differs = (row: Row) => valueOf(left, row) !== valueOf(right, row);
  const agree = ROWS.filter((r) => r !== 'createdAt' && r !== 'source' && r !== 'collectedAt' && valueOf(left, r) !== '' && !differs(r));
  const pending = pair.status === 'pending';
  const cell = (p: Person | null, row: Row) => {
    if (p === null) return <span className="muted">{t('duplicates.gone')}</span>;
    if (row === 'organisationId') return p.organisationId ? <OrganisationName id={p.organisationId} /> : '—';
    if (row === 'collectedAt' || row === 'createdAt') return p[row] ? f.instant(p[row]) : '—';
    const v = valueOf(p, row);
    return v === '' ? '—' : v;
  };
  return (
    <article className="card wide pair" aria-labelledby={`${ids}-title`}>
      <header className="pair-header">
        <h2 id={`${ids}-title`}>{t('duplicates.pair', { n: index })}</h2>
        <span className="tag">{t('duplicates.score', { score: f.number(Math.round(pair.score * 100)) })}</span>
      </header>
      <p className="muted">
        {t('duplicates.found', { when: f.instant(pair.createdAt) })}{' '}
        {Object.entries(pair.comparison)
          .map(([k, v]) => t(`duplicates.reasons.${k}`, { value: t(`duplicates.levels.${v}`, { defaultValue: v }), defaultValue: `${k}: ${v}` }))
          .join(' · ')}
      </p>
      {agree.length > 0 && <p>{t('duplicates.agree', { fields: agree.map((r) => t(`duplicates.fields.${r}`)).join(', ') })}</p>}
      <div className="table-wrap" role="region" aria-labelledby={`${ids}-title`} tabIndex={0}>
        <table className="plain-table pair-table">
          <thead>
            <tr>
              <th scope="col">{t('duplicates.field')}</th>
              {(['left', 'right'] as const).map((side) => (
                <th scope="col" key={side}>
                  {t(`duplicates.${side}`)} {survivor === side && <span className="tag tag-ok">{t('duplicates.survivor')}</span>}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {ROWS.map((row) => {
              const different = differs(row);
              const choose = pending && different && isChoosable(row) && left !== null && right !== null;
              return (
                <tr key={row} className={different ? 'differs' : undefined}>
                  <th scope="row">
                    {t(`duplicates.fields.${row}`)}
                    {different && <span className="tag tag-warn">{t('duplicates.different')}</span>}
                  </th>
                  {(['left', 'right'] as const).map((side) => {
                    const p = side === 'left' ? left : right;
                    return (
                      <td key={side}>
                        {choose ? (
                          <label className="choice">
                            <input
                              type="radio"
                              name={`${ids}-${row}`}
                              checked={keep[row as Choosable] === side}
                              onChange={() => setKeep((k) => ({ ...k, [row]: side }))}
                            />{' '}
                            {cell(p, row)}
                            <span className="sr-only"> — {t('duplicates.keepThis', { field: t(`duplicates.fields.${row}`), side: t(`duplicates.${side}`) })}</span>
                          </label>
                        ) : (
                          cell(p, row)
                        )}
                      </td>
                    );
                  })}
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      {pending ? (
        <>
          <p className="muted small">{t('duplicates.choiceHelp')}</p>
          <div className="actions">
            <button type="button" className="primary" onClick={() => decide.mutate('accept')} disabled={decide.isPending}>
              {t('duplicates.merge')}
            </button>
            <button type="button" onClick={() => decide.mutate('reject')} disabled={decide.isPending}>
              {t('duplicates.reject')}
            </button>
          </div>
        </>
      ) : (
        <p>{t(`duplicates.decided.${pair.status}`)}</p>
      )}
      {decide.isError && <Failure error={decide.error} />}
    </article>
  );
}
