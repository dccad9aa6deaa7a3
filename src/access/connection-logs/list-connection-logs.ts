import type { Kysely, Selectable } from 'kysely';
import type { Database } from '../../db/schema.js';
import { isUuid } from '../../db/ids.js';
import { RempartError } from '../../errors.js';
import { csvRow } from './csv.js';
import type { ConnectionEventType, ConnectionLogsTable, ConnectionOutcome } from './tables.js';

/** One stored connection-log entry. */
export type ConnectionLogEntry = Selectable<ConnectionLogsTable>;

/** Filters on the connection logs; `from` is inclusive, `to` exclusive. */
export interface ConnectionLogFilters {
  readonly from?: Date;
  readonly to?: Date;
  readonly accountId?: string;
  readonly event?: ConnectionEventType;
  readonly outcome?: ConnectionOutcome;
}

/** A page request: the filters plus the `nextCursor` of the previous page and a page size. */
export interface ConnectionLogQuery extends ConnectionLogFilters {
  readonly cursor?: string;
  readonly limit?: number;
}

/** One page, newest first; `nextCursor` is null on the last page. */
export interface ConnectionLogPage {
  readonly items: readonly ConnectionLogEntry[];
  readonly nextCursor: string | null;
}

const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 1000;

interface Position {
  readonly at: Date;
  readonly id: string;
}

function encodeCursor(entry: Position): string {
  return Buffer.from(JSON.stringify([entry.at.toISOString(), entry.id]), 'utf8').toString('base64url');
}

function badCursor(): RempartError {
  return new RempartError('VALIDATION_FAILED', 'The cursor is not one this listing returned.', {
    details: [{ field: 'cursor', message: 'is not a cursor of this listing' }],
  });
}

function decodeCursor(cursor: string): Position {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw badCursor();
  }
  if (!Array.isArray(parsed) || parsed.length !== 2) throw badCursor();
  const [at, id] = parsed as unknown[];
  if (typeof at !== 'string' || typeof id !== 'string' || !isUuid(id) || Number.isNaN(Date.parse(at))) throw badCursor();
  return { at: new Date(at), id };
}

async function page(db: Kysely<Database>, filters: ConnectionLogFilters, after: Position | null, limit: number): Promise<ConnectionLogEntry[]> {
  let q = db.selectFrom('connectionLogs').selectAll();
  if (filters.from) q = q.where('at', '>=', filters.from);
  if (filters.to) q = q.where('at', '<', filters.to);
  if (filters.accountId) q = q.where('accountId', '=', filters.accountId);
  if (filters.event) q = q.where('event', '=', filters.event);
  if (filters.outcome) q = q.where('outcome', '=', filters.outcome);
  if (after) q = q.where((eb) => eb(eb.refTuple('at', 'id'), '<', eb.tuple(after.at, after.id)));
  return q.orderBy('at', 'desc').orderBy('id', 'desc').limit(limit).execute();
}

/** One page of connection-log entries, newest first (keyset pagination on `at`, `id`). */
export async function listConnectionLogs(db: Kysely<Database>, query: ConnectionLogQuery = {}): Promise<ConnectionLogPage> {
  const limit = Math.min(Math.max(Math.trunc(query.limit ?? DEFAULT_LIMIT), 1), MAX_LIMIT);
  if (query.accountId !== undefined && !isUuid(query.accountId)) {
    throw new RempartError('VALIDATION_FAILED', 'accountId is not a UUID.', { details: [{ field: 'accountId', message: 'must be a UUID' }] });
  }
  const rows = await page(db, query, query.cursor ? decodeCursor(query.cursor) : null, limit + 1);
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return { items, nextCursor: rows.length > limit && last ? encodeCursor(last) : null };
}

/** The CSV columns, in order (snake_case, as in the catalogue). */
export const CONNECTION_LOG_CSV_COLUMNS = [
  'id',
  'at',
  'service',
  'event',
  'account_id',
  'identifier_hash',
  'source_ip',
  'source_port',
  'user_agent',
  'outcome',
  'reason',
] as const;

/**
 * The connection logs matching the filters as CSV lines (header first, newest entry first),
 * read page by page so a year of logs never sits in memory at once.
 */
export async function* connectionLogsCsv(db: Kysely<Database>, filters: ConnectionLogFilters = {}): AsyncIterable<string> {
  yield csvRow(CONNECTION_LOG_CSV_COLUMNS);
  let after: Position | null = null;
  for (;;) {
    const rows = await page(db, filters, after, MAX_LIMIT);
    for (const r of rows) {
      yield csvRow([r.id, r.at, r.service, r.event, r.accountId, r.identifierHash, r.sourceIp, r.sourcePort, r.userAgent, r.outcome, r.reason]);
    }
    const last = rows[rows.length - 1];
    if (rows.length < MAX_LIMIT || !last) return;
    after = last;
  }
}
