/**
 * The anonymised statistics store (R-PROS-8): the retention sweep folds people in before
 * deleting them; the prospecting report reads it.
 */
export { foldIntoStatistics } from './fold.js';
export { readStatistics, type StatisticsFilter, type StatisticsGroup, type StatisticsRead } from './read.js';
export { DEFAULT_STATISTICS, MIN_K, STATISTICS_DIMENSIONS, statisticsSettings, type StatisticsByPurpose, type StatisticsDimension, type StatisticsSettings } from './settings.js';
export { countryOfRegion, regionOf } from './region.js';
export { STATISTICS_CATALOGUE } from './catalogue-entries.js';
export type { StatisticsTables } from './tables.js';
