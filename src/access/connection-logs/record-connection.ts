import { createHmac } from 'node:crypto';
import type { Insertable, Kysely } from 'kysely';
import { newId } from '../../db/ids.js';
import type { Database } from '../../db/schema.js';
import { RempartError } from '../../errors.js';
import { CONNECTION_EVENTS, CONNECTION_OUTCOMES, type ConnectionEventType, type ConnectionLogsTable, type ConnectionOutcome } from './tables.js';

/** One login, failed login, logout, token use, identity check or session expiry of a digital service (P1.7). */
export interface ConnectionEvent {
  readonly at: Date;
  /** The service the event happened on: 'api', 'backoffice', 'portal', 'cli'… */
  readonly service: string;
  readonly event: ConnectionEventType;
  /** The account concerned, when one matched. */
  readonly accountId: string | null;
  /** The identifier typed (an email…) when no account matched; only its keyed hash is stored. */
  readonly identifier?: string | null;
  readonly sourceIp: string | null;
  readonly sourcePort: number | null;
  readonly userAgent: string | null;
  readonly outcome: ConnectionOutcome;
  /** A machine code: 'bad_password', 'locked', 'totp_required', 'expired', 'revoked'… */
  readonly reason?: string | null;
}

/**
 * A user agent longer than this is cut: the header is attacker-controlled, and a log
 * that anyone can fill with megabytes per request is a denial of service (Art. 32).
 */
const MAX_USER_AGENT = 512;

/** The keyed HMAC-SHA256 (hex) of an identifier, normalised first (trim, lower case) so the same email always hashes alike. */
export function hashIdentifier(identifier: string, key: Buffer): string {
  if (key.length < 16) {
    throw new RempartError('CONFIG_INVALID', 'The connection-log identifier key must be at least 16 bytes long.');
  }
  return createHmac('sha256', key).update(identifier.trim().toLowerCase(), 'utf8').digest('hex');
}

function invalid(field: string, message: string): RempartError {
  return new RempartError('INTERNAL', `Connection event refused: ${field} ${message}.`, { details: [{ field, message }] });
}

/** A connection-log row as inserted (what the batched writer queues). */
export type ConnectionLogRow = Insertable<ConnectionLogsTable>;

/**
 * Checks an event and turns it into its row. The attempted identifier is stored only as
 * a keyed hash, and only when no account matched (the account id already says who it
 * was: GDPR Art. 5(1)(c), data minimisation); a hash still lets the operator link
 * repeated failures on one address (brute force, Art. 32) without keeping the address.
 */
export function connectionLogRow(event: ConnectionEvent, key: Buffer): ConnectionLogRow {
  if (!(event.at instanceof Date) || Number.isNaN(event.at.getTime())) throw invalid('at', 'is not a valid date');
  if (!(CONNECTION_EVENTS as readonly string[]).includes(event.event)) throw invalid('event', `must be one of ${CONNECTION_EVENTS.join(', ')}`);
  if (!(CONNECTION_OUTCOMES as readonly string[]).includes(event.outcome)) throw invalid('outcome', 'must be success or failure');
  if (event.service.trim() === '') throw invalid('service', 'is empty');
  if (event.sourcePort !== null && (!Number.isInteger(event.sourcePort) || event.sourcePort < 0 || event.sourcePort > 65535)) {
    throw invalid('sourcePort', 'is not a TCP port');
  }
  const identifier = event.identifier?.trim() ? event.identifier : null;
  return {
    id: newId(),
    at: event.at,
    service: event.service,
    event: event.event,
    accountId: event.accountId,
    identifierHash: event.accountId === null && identifier !== null ? hashIdentifier(identifier, key) : null,
    sourceIp: event.sourceIp,
    sourcePort: event.sourcePort,
    userAgent: event.userAgent === null ? null : event.userAgent.slice(0, MAX_USER_AGENT),
    outcome: event.outcome,
    reason: event.reason ?? null,
  };
}

/** Writes one connection-log entry at once, in its own statement (the CLI, and the server without a batched writer). */
export async function recordConnection(db: Kysely<Database>, event: ConnectionEvent, key: Buffer): Promise<void> {
  await db.insertInto('connectionLogs').values(connectionLogRow(event, key)).execute();
}
