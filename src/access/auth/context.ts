import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { connectionLogRow, type ConnectionEvent, type ConnectionLogRow } from '../connection-logs/index.js';
import type { RolesPolicy } from './role-scope.js';
import { SecretBox } from './secret-box.js';

/** What the authentication commands work with; built once by the plugin. */
export interface AuthContext {
  readonly db: Kysely<Database>;
  readonly policy: RolesPolicy;
  readonly now: () => Date;
  /** The server key: keyed hashes of identifiers in the connection log, and (through HKDF) the TOTP secret box. */
  readonly identifierKey: Buffer;
  /** The service named in the connection log, e.g. `api`. */
  readonly service: string;
  readonly totpBox: SecretBox;
  /** Where connection-log rows go: the app's batched writer, else one insert each. */
  readonly connectionLog: ConnectionLogSink;
}

/** Writes connection-log rows; resolves when they are as durable as the sink promises (AuditWriter.appendConnections). */
export type ConnectionLogSink = (rows: readonly ConnectionLogRow[]) => Promise<void>;

/** Where a request came from, as the connection log records it (P1.7). */
export interface ClientInfo {
  readonly sourceIp: string | null;
  readonly sourcePort: number | null;
  readonly userAgent: string | null;
}

/** Builds the context, deriving the TOTP box key from the server key. */
export function authContext(options: Omit<AuthContext, 'totpBox' | 'service' | 'connectionLog'> & { service?: string; connectionLog?: ConnectionLogSink }): AuthContext {
  const db = options.db;
  return Object.freeze({
    connectionLog: options.connectionLog ?? (async (rows: readonly ConnectionLogRow[]) => void (await db.insertInto('connectionLogs').values([...rows]).execute())),
    db: options.db,
    policy: options.policy,
    now: options.now,
    identifierKey: options.identifierKey,
    service: options.service ?? 'api',
    totpBox: new SecretBox(options.identifierKey, 'totp-secret'),
  });
}

/** The event fields that vary; time, service and client are filled in. */
export type ConnectionFields = Pick<ConnectionEvent, 'event' | 'accountId' | 'outcome' | 'identifier' | 'reason'>;

/**
 * Writes one connection-log entry (P1.7: every login, failed login, logout, token use
 * and identity check, with time, account, source IP and port, user agent, outcome).
 */
export async function logConnection(ctx: AuthContext, client: ClientInfo, at: Date, fields: ConnectionFields): Promise<void> {
  await ctx.connectionLog([connectionLogRow({ at, service: ctx.service, ...client, ...fields }, ctx.identifierKey)]);
}
