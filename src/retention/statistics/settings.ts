import type { PurposeId } from '../../db/schema.js';
import type { Policy, StatisticsRule } from '../../policy/types.js';

export { STATISTICS_DIMENSIONS, type StatisticsDimension } from '../../policy/types.js';

/** What to fold for one purpose before its people are deleted: the policy's `retention.statistics`. */
export type StatisticsSettings = StatisticsRule;

/** Statistics settings by purpose; a purpose not listed folds nothing. */
export type StatisticsByPurpose = Readonly<Partial<Record<PurposeId, StatisticsSettings>>>;

/** The smallest k the policy may set (R-PROS-8); the database refuses smaller groups too. */
export const MIN_K = 5;

/** The annex's default: prospects per source, région and quarter of collection, k = 5. */
export const DEFAULT_STATISTICS: StatisticsByPurpose = Object.freeze({
  prospecting: Object.freeze({ k: MIN_K, dimensions: Object.freeze(['source', 'region', 'quarter'] as const) }),
});

/** The statistics each purpose of the policy asks for (`purposes[].retention.statistics`). */
export function statisticsSettings(policy: Policy): StatisticsByPurpose {
  const out: Partial<Record<PurposeId, StatisticsSettings>> = {};
  for (const purpose of policy.purposes) {
    if (purpose.retention.statistics !== undefined) out[purpose.id] = purpose.retention.statistics;
  }
  return Object.freeze(out);
}
