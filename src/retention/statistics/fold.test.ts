import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { describe, expect, it } from 'vitest';
import { describeEachEngine } from '../../../test/engines.js';
import type { Database } from '../../db/schema.js';
import { foldIntoStatistics } from './fold.js';
import { readStatistics } from './read.js';
import { statisticsSettings } from './settings.js';
import { loadPolicy, DEFAULT_POLICY_FILE } from '../../policy/index.js';
import { regionOf } from './region.js';

const AT = new Date('2026-11-26T03:00:00Z');

interface Prospect {
  readonly source: string;
  readonly postcode: string;
  readonly collectedAt: string;
}

async function insertProspects(db: Kysely<Database>, list: readonly Prospect[]): Promise<string[]> {
  const ids = list.map(() => randomUUID());
  if (list.length === 0) return ids;
  await db
    .insertInto('people')
    .values(
      list.map((p, i) => ({
        id: ids[i] ?? randomUUID(),
        purpose: 'prospecting' as const,
        relation: 'prospect' as const,
        lastName: `Nom${i}`,
        firstName: `Prénom${i}`,
        email: `prospect.${i}.${ids[i]}@example.fr`,
        phones: JSON.stringify([{ number: '+33612345678' }]),
        postalAddresses: JSON.stringify([{ line1: '1 rue X', postcode: p.postcode, city: 'Ville', country: 'FR' }]),
        source: p.source,
        collectedAt: p.collectedAt,
      })),
    )
    .execute();
  return ids;
}

function many(n: number, p: Prospect): Prospect[] {
  return Array.from({ length: n }, () => p);
}

/** Folds then deletes, in one transaction, as the sweep does. */
async function foldAndDelete(db: Kysely<Database>, ids: readonly string[]): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await foldIntoStatistics(trx, ids, AT);
    await trx.deleteFrom('people').where('id', 'in', ids).execute();
  });
}

async function statistics(db: Kysely<Database>) {
  const counts = await db.selectFrom('statisticsCounts').selectAll().orderBy(['granularity', 'source', 'region', 'period']).execute();
  const suppressed = await db.selectFrom('statisticsSuppressed').selectAll().execute();
  return { counts, suppressed };
}

describe('regions', () => {
  it('R-PROS-8 postcodes become régions, never kept finer', () => {
    expect(regionOf('75011', 'FR')).toBe('FR-IDF');
    expect(regionOf('69003', 'FR')).toBe('FR-ARA');
    expect(regionOf('20000', 'FR')).toBe('FR-20R');
    expect(regionOf('97400', 'FR')).toBe('FR-974');
    expect(regionOf('97500', 'FR')).toBe('FR');
    expect(regionOf('1000', 'BE')).toBe('BE');
    expect(regionOf(undefined, undefined)).toBe('unknown');
  });
});

describeEachEngine('statistics fold', (store) => {
  it('R-PROS-8 a fold inside a rolled-back transaction leaves nothing', async () => {
    const db = store().db;
    const ids = await insertProspects(db, many(7, { source: 'salon-2025', postcode: '75011', collectedAt: '2025-02-10T10:00:00Z' }));
    await expect(
      db.transaction().execute(async (trx) => {
        await foldIntoStatistics(trx, ids, AT);
        expect(await trx.selectFrom('statisticsCounts').select('count').execute()).toEqual([{ count: 7 }]);
        throw new Error('crash between fold and delete');
      }),
    ).rejects.toThrow('crash between fold and delete');
    expect(await statistics(db)).toEqual({ counts: [], suppressed: [] });
    expect(await db.selectFrom('people').select('id').where('id', 'in', ids).execute()).toHaveLength(7);
    await db.deleteFrom('people').where('id', 'in', ids).execute();
  });

  it('R-PROS-8 groups of at least k are kept fine, smaller ones generalised or pooled, never stored below k', async () => {
    const db = store().db;
    await db.deleteFrom('statisticsCounts').execute();
    await db.deleteFrom('statisticsSuppressed').execute();
    const ids = await insertProspects(db, [
      // 6 in one fine cell: kept as is.
      ...many(6, { source: 'salon', postcode: '75011', collectedAt: '2025-02-10T10:00:00Z' }),
      // 3 + 2 in two quarters of one year, same source and région: together 5 at the year level.
      ...many(3, { source: 'salon', postcode: '69003', collectedAt: '2025-04-10T10:00:00Z' }),
      ...many(2, { source: 'salon', postcode: '69001', collectedAt: '2025-11-10T10:00:00Z' }),
      // 2 left alone: pooled into the suppressed counter.
      ...many(2, { source: 'web', postcode: '13001', collectedAt: '2024-01-10T10:00:00Z' }),
    ]);
    await foldAndDelete(db, ids);
    const s = await statistics(db);
    expect(s.counts).toEqual([
      { purpose: 'prospecting', granularity: 0, source: 'salon', region: 'FR-IDF', period: '2025-Q1', count: 6 },
      { purpose: 'prospecting', granularity: 1, source: 'salon', region: 'FR-ARA', period: '2025', count: 5 },
    ]);
    expect(s.suppressed).toEqual([{ purpose: 'prospecting', count: 2 }]);

    // A later batch of 1 joins the existing group (which stays ≥ k) rather than being pooled.
    const one = await insertProspects(db, [{ source: 'salon', postcode: '75001', collectedAt: '2025-03-01T10:00:00Z' }]);
    await foldAndDelete(db, one);
    const after = await statistics(db);
    expect(after.counts.find((c) => c.granularity === 0)?.count).toBe(7);
    expect(after.suppressed).toEqual([{ purpose: 'prospecting', count: 2 }]);
    for (const c of after.counts) expect(c.count).toBeGreaterThanOrEqual(5);
  });

  it('R-PROS-8 the database itself refuses a group smaller than 5', async () => {
    await expect(
      store()
        .db.insertInto('statisticsCounts')
        .values({ purpose: 'prospecting', granularity: 0, source: 'x', region: 'FR', period: '2025', count: 4 })
        .execute(),
    ).rejects.toThrow();
  });

  it('R-PROS-8 the statistics tables hold no identifier, email, hash or postcode', async () => {
    const db = store().db;
    const list = Array.from({ length: 40 }, (_, i) => ({
      source: `src-${i % 3}`,
      postcode: ['75011', '69003', '13001', '33000'][i % 4] ?? '75011',
      collectedAt: `2025-0${(i % 9) + 1}-15T10:00:00Z`,
    }));
    const ids = await insertProspects(db, list);
    await foldAndDelete(db, ids);
    const rows = await sql<{ v: string }>`select t::text as v from statistics_counts t union all select t::text from statistics_suppressed t`.execute(db);
    expect(rows.rows.length).toBeGreaterThan(1);
    const text = rows.rows.map((r) => r.v).join('\n');
    for (const id of ids) expect(text).not.toContain(id);
    expect(text).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i); // uuid
    expect(text).not.toMatch(/@/); // email
    expect(text).not.toMatch(/[0-9a-f]{32,}/i); // hex hash
    expect(text).not.toMatch(/[A-Za-z0-9+/]{40,}={0,2}/); // base64 hash
    expect(text).not.toMatch(/\b\d{5}\b/); // postcode
    expect(text).not.toMatch(/Nom|Prénom|\+33/);
    const counts = await db.selectFrom('statisticsCounts').select('count').execute();
    for (const c of counts) expect(c.count).toBeGreaterThanOrEqual(5);
  });

  it('R-PROS-8 many random batches: every stored group ≥ k, and stored plus suppressed equals everyone folded', async () => {
    const db = store().db;
    await db.deleteFrom('statisticsCounts').execute();
    await db.deleteFrom('statisticsSuppressed').execute();
    const policy = await loadPolicy(DEFAULT_POLICY_FILE);
    const settings = { ...statisticsSettings(policy), prospecting: { k: 6, dimensions: ['source', 'region', 'quarter'] as const } };
    let seed = 42;
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    let total = 0;
    for (let batch = 0; batch < 8; batch++) {
      const size = 1 + rand(25);
      const list = Array.from({ length: size }, () => ({
        source: ['salon', 'web', 'import'][rand(3)] ?? 'web',
        postcode: ['75011', '69003', '13001', '35000', '97400'][rand(5)] ?? '75011',
        collectedAt: `202${3 + rand(3)}-${String(1 + rand(12)).padStart(2, '0')}-10T10:00:00Z`,
      }));
      const ids = await insertProspects(db, list);
      await db.transaction().execute(async (trx) => {
        await foldIntoStatistics(trx, ids, AT, settings);
        await trx.deleteFrom('people').where('id', 'in', ids).execute();
      });
      total += size;
    }
    const s = await statistics(db);
    for (const c of s.counts) expect(c.count).toBeGreaterThanOrEqual(6);
    const stored = s.counts.reduce((a, c) => a + c.count, 0);
    expect(stored + (s.suppressed[0]?.count ?? 0)).toBe(total);
    const read = await readStatistics(db, { by: ['year'] });
    expect(read.grouped).toBe(stored);
    expect(read.groups.reduce((a, g) => a + g.count, 0)).toBe(stored);
    for (const g of read.groups) expect(g.count).toBeGreaterThanOrEqual(6);
  });

  it('R-PROS-8 readStatistics sums stored groups over the dimensions not asked for, and filters', async () => {
    const db = store().db;
    await db.deleteFrom('statisticsCounts').execute();
    await db.deleteFrom('statisticsSuppressed').execute();
    const ids = await insertProspects(db, [
      ...many(5, { source: 'salon', postcode: '75011', collectedAt: '2025-02-10T10:00:00Z' }),
      ...many(5, { source: 'salon', postcode: '69003', collectedAt: '2025-05-10T10:00:00Z' }),
      ...many(6, { source: 'web', postcode: '69003', collectedAt: '2024-05-10T10:00:00Z' }),
      ...many(1, { source: 'web', postcode: '33000', collectedAt: '2024-05-10T10:00:00Z' }),
    ]);
    await foldAndDelete(db, ids);
    expect(await readStatistics(db, { by: ['source'] })).toEqual({
      purpose: 'prospecting',
      by: ['source'],
      groups: [
        { key: { source: 'salon' }, count: 10 },
        { key: { source: 'web' }, count: 6 },
      ],
      grouped: 16,
      ungrouped: 1,
    });
    const fr = await readStatistics(db, { by: ['region', 'year'], regions: ['FR-ARA'] });
    expect(fr.groups).toEqual([
      { key: { region: 'FR-ARA', year: '2024' }, count: 6 },
      { key: { region: 'FR-ARA', year: '2025' }, count: 5 },
    ]);
    await expect(readStatistics(db, { by: ['email' as 'source'] })).rejects.toThrow(/unknown statistics dimension/);
  });
});
