import type { TableEntry } from '../../catalogue/types.js';

const AGGREGATE = 'anonymised aggregate (R-PROS-8): no identifier, groups of at least k people';

/**
 * The catalogue entries (P1.1) of the anonymised statistics. Anonymous data is outside
 * the GDPR (recital 26), which is why they survive the deletion of the people counted;
 * they stay anonymous only because no group below k is stored (see fold.ts).
 */
export const STATISTICS_CATALOGUE: readonly TableEntry[] = Object.freeze<TableEntry[]>([
  {
    table: 'statistics_counts',
    description: 'Anonymised commercial statistics: counts of deleted people per group of at least k (R-PROS-8)',
    subjects: [],
    columns: {
      purpose: { personal: false, why: AGGREGATE },
      granularity: { personal: false, why: AGGREGATE },
      source: { personal: false, why: AGGREGATE },
      region: { personal: false, why: `${AGGREGATE}; a région or country, never a postcode` },
      period: { personal: false, why: `${AGGREGATE}; a quarter or year of collection` },
      count: { personal: false, why: AGGREGATE },
    },
  },
  {
    table: 'statistics_suppressed',
    description: 'Per purpose, the number of deleted people whose group stayed below k and was not kept (R-PROS-8)',
    subjects: [],
    columns: {
      purpose: { personal: false, why: 'the purpose the undimensioned counter is for' },
      count: { personal: false, why: 'a single undimensioned count, describing no group' },
    },
  },
]);
