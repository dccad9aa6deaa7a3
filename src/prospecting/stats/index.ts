/** Commercial statistics over prospecting data, k-anonymous (R-PROS-8). */
export { parseDimensions, prospectingStats, STATS_DIMENSIONS, type StatsDimension, type StatsGroup, type StatsReport } from './report.js';
