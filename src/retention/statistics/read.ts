import type { Kysely } from 'kysely';
import type { Database, PurposeId } from '../../db/schema.js';
import { RempartError } from '../../errors.js';
import { STATISTICS_DIMENSIONS, type StatisticsDimension } from './settings.js';

/** What to read from the anonymised statistics (R-PROS-8). */
export interface StatisticsFilter {
  /** Default `prospecting`. */
  readonly purpose?: PurposeId;
  /**
   * The dimensions to group by; stored groups are summed over the others, so every
   * group read is still ≥ k. Default: source, region and quarter. A group stored at a
   * coarser level than asked shows `*` for what it no longer tells (a group generalised
   * to a year has quarter `*` but its year).
   */
  readonly by?: readonly StatisticsDimension[];
  /** Keep only groups of these sources / régions (or countries) / years. */
  readonly sources?: readonly string[];
  readonly regions?: readonly string[];
  readonly years?: readonly string[];
}

/** One group read. */
export interface StatisticsGroup {
  readonly key: Readonly<Partial<Record<StatisticsDimension, string>>>;
  readonly count: number;
}

/** What `readStatistics` returns. */
export interface StatisticsRead {
  readonly purpose: PurposeId;
  readonly by: readonly StatisticsDimension[];
  /** Groups, each of at least k people, sorted by key. */
  readonly groups: readonly StatisticsGroup[];
  /** People placed in a group (all groups, before the filters). */
  readonly grouped: number;
  /** People whose group stayed below k: counted, never described. */
  readonly ungrouped: number;
}

function valueOf(d: StatisticsDimension, row: { source: string; region: string; period: string }): string {
  switch (d) {
    case 'source':
      return row.source;
    case 'region':
      return row.region;
    case 'quarter':
      return /^\d{4}-Q[1-4]$/.test(row.period) ? row.period : '*';
    case 'year':
      return /^\d{4}/.test(row.period) ? row.period.slice(0, 4) : '*';
  }
}

/**
 * Reads the anonymised statistics of the people deleted so far (R-PROS-8): groups of at
 * least k, summed over the dimensions not asked for, and the one undimensioned count of
 * people placed in no group. Holds no identifier, so it needs no gate (anonymous data,
 * GDPR recital 26); the prospecting report (src/prospecting/stats) reads it.
 */
export async function readStatistics(db: Kysely<Database>, filter: StatisticsFilter = {}): Promise<StatisticsRead> {
  const purpose = filter.purpose ?? 'prospecting';
  const by = filter.by ?? (['source', 'region', 'quarter'] as const);
  const unknown = by.filter((d) => !(STATISTICS_DIMENSIONS as readonly string[]).includes(d));
  if (unknown.length > 0) {
    throw new RempartError('VALIDATION_FAILED', `unknown statistics dimension: ${unknown.join(', ')}`, {
      details: [{ field: 'by', message: `each must be one of ${STATISTICS_DIMENSIONS.join(', ')}` }],
    });
  }
  const rows = await db.selectFrom('statisticsCounts').select(['source', 'region', 'period', 'count']).where('purpose', '=', purpose).execute();
  const suppressed = await db.selectFrom('statisticsSuppressed').select('count').where('purpose', '=', purpose).executeTakeFirst();
  const keep = (list: readonly string[] | undefined, value: string): boolean => list === undefined || list.includes(value);
  const groups = new Map<string, { key: Partial<Record<StatisticsDimension, string>>; count: number }>();
  let grouped = 0;
  for (const row of rows) {
    const count = Number(row.count);
    grouped += count;
    if (!keep(filter.sources, row.source) || !keep(filter.regions, row.region) || !keep(filter.years, valueOf('year', row))) continue;
    const key: Partial<Record<StatisticsDimension, string>> = {};
    for (const d of by) key[d] = valueOf(d, row);
    const id = JSON.stringify(by.map((d) => key[d]));
    const g = groups.get(id);
    groups.set(id, { key, count: (g?.count ?? 0) + count });
  }
  const sorted = [...groups.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, g]) => Object.freeze(g));
  return Object.freeze({ purpose, by: [...by], groups: sorted, grouped, ungrouped: Number(suppressed?.count ?? 0) });
}
