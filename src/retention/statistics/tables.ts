import type { PurposeId } from '../../db/column-types.js';

/**
 * `statistics_counts`: one anonymised group (R-PROS-8). A dimension generalised away
 * holds `*`; `granularity` says how far the group was generalised (see fold.ts).
 */
export interface StatisticsCountsTable {
  purpose: PurposeId;
  granularity: number;
  source: string;
  region: string;
  period: string;
  count: number;
}

/** `statistics_suppressed`: per purpose, people counted in no group (their group stayed below k). */
export interface StatisticsSuppressedTable {
  purpose: PurposeId;
  count: number;
}

/** The tables of this folder. */
export interface StatisticsTables {
  statisticsCounts: StatisticsCountsTable;
  statisticsSuppressed: StatisticsSuppressedTable;
}
