import type { Timestamp } from '../../db/column-types.js';

/** The connection and identification events a digital service logs (P1.7). */
export const CONNECTION_EVENTS = ['login', 'logout', 'token', 'identity_check', 'session_expired'] as const;
/** One of CONNECTION_EVENTS. */
export type ConnectionEventType = (typeof CONNECTION_EVENTS)[number];

/** Whether the connection or identification attempt succeeded. */
export const CONNECTION_OUTCOMES = ['success', 'failure'] as const;
/** One of CONNECTION_OUTCOMES. */
export type ConnectionOutcome = (typeof CONNECTION_OUTCOMES)[number];

/** `connection_logs`: append-only, purged after 12 months (P1.7, P4.4). */
export interface ConnectionLogsTable {
  id: string;
  at: Timestamp;
  service: string;
  event: ConnectionEventType;
  accountId: string | null;
  identifierHash: string | null;
  sourceIp: string | null;
  sourcePort: number | null;
  userAgent: string | null;
  outcome: ConnectionOutcome;
  reason: string | null;
}

/** The tables of this folder, merged into `Database` (src/db/schema.ts). */
export interface ConnectionLogTables {
  connectionLogs: ConnectionLogsTable;
}
