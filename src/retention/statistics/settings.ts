import type { PurposeId } from '../../db/schema.js';

/** The dimensions a statistics group may be cut by (R-PROS-8). */
export const STATISTICS_DIMENSIONS = ['source', 'region', 'quarter', 'year'] as const;
/** One of STATISTICS_DIMENSIONS: the prospect's source, région of their address, quarter or year of collection. */
export type StatisticsDimension = (typeof STATISTICS_DIMENSIONS)[number];

/** What to fold for one purpose before its people are deleted. */
export interface StatisticsSettings {
  /** Minimum group size (k-anonymity); at least 5 (R-PROS-8). */
  readonly k: number;
  readonly dimensions: readonly StatisticsDimension[];
}

/** Statistics settings by purpose; a purpose not listed folds nothing. */
export type StatisticsByPurpose = Readonly<Partial<Record<PurposeId, StatisticsSettings>>>;

/** The smallest k the policy may set (R-PROS-8); the database refuses smaller groups too. */
export const MIN_K = 5;

/** The annex's default: prospects per source, région and quarter of collection, k = 5. */
export const DEFAULT_STATISTICS: StatisticsByPurpose = Object.freeze({
  prospecting: Object.freeze({ k: MIN_K, dimensions: Object.freeze(['source', 'region', 'quarter'] as const) }),
});
