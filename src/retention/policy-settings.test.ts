import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { beforeAll, expect, it } from 'vitest';
import { describeEachEngine } from '../../test/engines.js';
import type { Database } from '../db/schema.js';
import { loadPolicy, type LoadedPolicy } from '../policy/index.js';
import type { Purpose, RetentionRule } from '../policy/types.js';
import { previewRetention } from './preview.js';
import { runRetention } from './sweep.js';

/** The policy with one purpose's retention changed, as an edited policy file would give it. */
function withRetention(policy: LoadedPolicy, id: string, change: Partial<RetentionRule>): LoadedPolicy {
  return { ...policy, purposes: policy.purposes.map((p): Purpose => (p.id === id ? { ...p, retention: { ...p.retention, ...change } } : p)) };
}

async function insertProspects(db: Kysely<Database>, n: number, collectedAt: string): Promise<string[]> {
  const ids = Array.from({ length: n }, () => randomUUID());
  await db
    .insertInto('people')
    .values(
      ids.map((id, i) => ({
        id,
        purpose: 'prospecting' as const,
        relation: 'prospect' as const,
        lastName: `Nom${i}`,
        firstName: `Prénom${i}`,
        phones: JSON.stringify([]),
        email: `prospect.${i}.${id}@example.fr`,
        postalAddresses: JSON.stringify([{ line1: '1 rue X', postcode: '75011', city: 'Paris', country: 'FR' }]),
        source: 'salon',
        collectedAt,
      })),
    )
    .execute();
  return ids;
}

const people = async (db: Kysely<Database>, ids: readonly string[]) =>
  Number((await sql<{ n: string | number }>`select count(*) as n from people where id = any(${[...ids]}::uuid[])`.execute(db.withoutPlugins())).rows[0]!.n);

describeEachEngine('retention sweep follows the policy (R-PROS-8 k, P4.2 answer window)', (store) => {
  let policy: LoadedPolicy;
  const db = () => store().db;
  beforeAll(async () => {
    policy = await loadPolicy('policies/certilience.yaml');
  });

  it('R-PROS-8 the sweep folds with the policy k: six people of one group are stored at k=5 but not at k=7', async () => {
    // Six prospects collected 2021-03-15 (one source, région, quarter), deleted by a run on 2024-03-16.
    const k7 = withRetention(policy, 'prospecting', { statistics: { k: 7, dimensions: ['source', 'region', 'quarter'] } });
    const ids = await insertProspects(db(), 6, '2021-03-15T10:00:00Z');
    await runRetention(db(), k7, { at: new Date('2024-03-16T00:00:00Z') });
    expect(await people(db(), ids)).toBe(0);
    const counts = await db().selectFrom('statisticsCounts').selectAll().where('purpose', '=', 'prospecting').execute();
    // At k=7 no group of six may be stored: every cell climbs the ladder to the suppressed counter.
    expect(counts).toEqual([]);
    const suppressed = await db().selectFrom('statisticsSuppressed').selectAll().where('purpose', '=', 'prospecting').execute();
    expect(suppressed.map((r) => Number(r.count))).toEqual([6]);

    // The same six at the policy's own k=5 make one stored group of 6.
    const again = await insertProspects(db(), 6, '2021-03-15T10:00:00Z');
    await runRetention(db(), policy, { at: new Date('2024-03-16T00:00:00Z') });
    expect(await people(db(), again)).toBe(0);
    const stored = await db().selectFrom('statisticsCounts').selectAll().where('purpose', '=', 'prospecting').execute();
    expect(stored.map((r) => ({ source: r.source, count: Number(r.count) }))).toEqual([{ source: 'salon', count: 6 }]);
  });

  it('P4.2 with a re-permission answer window after the term, the prospect is kept the day before the window closes', async () => {
    // Collected 2021-06-01: term 2024-06-01; with `after: P15D` the window closes on 2024-06-16.
    const window = withRetention(policy, 'prospecting', { repermission: { after: 'P15D' } });
    const [id] = await insertProspects(db(), 1, '2021-06-01T10:00:00Z');
    // At the term itself the default rule would delete; the window keeps the data.
    await runRetention(db(), window, { at: new Date('2024-06-01T00:00:00Z') });
    expect(await people(db(), [id!])).toBe(1);
    await runRetention(db(), window, { at: new Date('2024-06-15T00:00:00Z') });
    expect(await people(db(), [id!])).toBe(1);
    const plan = await previewRetention(db(), window, '2024-06-15');
    expect(plan.due.find((l) => l.purpose === 'prospecting' && l.action === 'delete')?.count).toBe(0);
    expect(plan.upcoming['30'].find((l) => l.purpose === 'prospecting' && l.action === 'delete')?.count).toBe(1);
    // And under the default rule (message before the term) the same person would be gone that day.
    const byDefault = await previewRetention(db(), policy, '2024-06-15');
    expect(byDefault.due.find((l) => l.purpose === 'prospecting' && l.action === 'delete')?.count).toBe(1);
  });

  it('P4.2 the day after the answer window closes, the prospect is deleted', async () => {
    const window = withRetention(policy, 'prospecting', { repermission: { after: 'P15D' } });
    await runRetention(db(), window, { at: new Date('2024-06-17T00:00:00Z') });
    const left = await sql<{ n: string | number }>`select count(*) as n from people where collected_at = ${new Date('2021-06-01T10:00:00Z')}`.execute(db().withoutPlugins());
    expect(Number(left.rows[0]!.n)).toBe(0);
    const plan = await previewRetention(db(), window, '2024-06-17');
    expect(plan.due.every((l) => l.count === 0)).toBe(true);
  });
});
