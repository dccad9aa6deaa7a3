/**
 * Connection and identification logs of the digital services (P1.7): every login,
 * failed login, logout, token use, identity check and session expiry, in an append-only
 * table the database itself protects, purged after 12 months (P4.4).
 */
export { CONNECTION_EVENTS, CONNECTION_OUTCOMES, type ConnectionEventType, type ConnectionOutcome, type ConnectionLogTables, type ConnectionLogsTable } from './tables.js';
export { connectionLogRow, hashIdentifier, recordConnection, type ConnectionEvent, type ConnectionLogRow } from './record-connection.js';
export {
  CONNECTION_LOG_CSV_COLUMNS,
  connectionLogsCsv,
  listConnectionLogs,
  type ConnectionLogEntry,
  type ConnectionLogFilters,
  type ConnectionLogPage,
  type ConnectionLogQuery,
} from './list-connection-logs.js';
export { CONNECTION_LOG_RETENTION, purgeConnectionLogs, retentionCutoff } from './purge.js';
export { csvCell, csvRow } from './csv.js';
export { CONNECTION_LOG_CATALOGUE } from './catalogue-entries.js';
export { recentFailures, type FailedConnection } from './failures.js';
