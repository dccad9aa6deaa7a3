import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import type { AccountRow } from './accounts.js';
import { csrfTokenFor, digestsEqual, randomToken, sha256Hex } from './secrets.js';

/** A session ends after 30 minutes without a request (OWASP Session Management: idle timeout) ... */
export const SESSION_IDLE_MS = 30 * 60_000;
/** ... and 12 hours after login whatever happens (absolute timeout: one working day). */
export const SESSION_ABSOLUTE_MS = 12 * 60 * 60_000;
/** The idle clock is pushed at most once a minute: one write per minute, not per request. */
export const SESSION_TOUCH_MS = 60_000;

/** A session just opened: the cookie and CSRF tokens exist in clear only in this value. */
export interface OpenedSession {
  readonly id: string;
  readonly token: string;
  readonly csrfToken: string;
  readonly expiresAt: Date;
}

/** A live session and its account. */
export interface ActiveSession {
  readonly id: string;
  readonly accountId: string;
  readonly csrfHash: string;
  readonly mfaPassed: boolean;
  readonly expiresAt: Date;
  readonly account: AccountRow;
}

/** What a cookie token resolves to. `expired` is reported once per session (then it is revoked). */
export type SessionLookup =
  | { readonly status: 'active'; readonly session: ActiveSession }
  | { readonly status: 'expired'; readonly accountId: string }
  | { readonly status: 'none' };

/** The hex SHA-256 the sessions table is keyed by: a stolen table yields no usable cookie. */
export function sessionIdOf(token: string): string {
  return sha256Hex(token);
}

/** Opens a session for the account; returns the tokens to hand to the browser. */
export async function openSession(db: Kysely<Database>, accountId: string, mfaPassed: boolean, now: Date): Promise<OpenedSession> {
  const token = randomToken(32);
  const csrfToken = csrfTokenFor(token);
  const id = sessionIdOf(token);
  const expiresAt = new Date(now.getTime() + Math.min(SESSION_IDLE_MS, SESSION_ABSOLUTE_MS));
  await db
    .insertInto('sessions')
    .values({ id, accountId, createdAt: now, lastSeenAt: now, expiresAt, csrfHash: sha256Hex(csrfToken), mfaPassed })
    .execute();
  return { id, token, csrfToken, expiresAt };
}

/**
 * Finds the session of a cookie token. A session past its idle or absolute limit is
 * revoked in the same step, by one conditional update, so that among concurrent
 * requests (and instances) exactly one reports `expired` and the log gets one entry.
 */
export async function lookupSession(db: Kysely<Database>, token: string, now: Date): Promise<SessionLookup> {
  if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return { status: 'none' };
  const id = sessionIdOf(token);
  const row = await db
    .selectFrom('sessions')
    .select(['id', 'accountId', 'createdAt', 'expiresAt', 'lastSeenAt', 'csrfHash', 'revokedAt', 'mfaPassed'])
    .where('id', '=', id)
    .executeTakeFirst();
  if (row === undefined || row.revokedAt !== null) return { status: 'none' };
  if (row.expiresAt.getTime() <= now.getTime()) {
    const revoked = await db
      .updateTable('sessions')
      .set({ revokedAt: now })
      .where('id', '=', id)
      .where('revokedAt', 'is', null)
      .returning('id')
      .executeTakeFirst();
    return revoked === undefined ? { status: 'none' } : { status: 'expired', accountId: row.accountId };
  }
  const account = await db.selectFrom('accounts').selectAll().where('id', '=', row.accountId).executeTakeFirst();
  if (account === undefined || account.disabledAt !== null) return { status: 'none' };
  let expiresAt = row.expiresAt;
  if (now.getTime() - row.lastSeenAt.getTime() >= SESSION_TOUCH_MS) {
    expiresAt = new Date(Math.min(now.getTime() + SESSION_IDLE_MS, row.createdAt.getTime() + SESSION_ABSOLUTE_MS));
    await db.updateTable('sessions').set({ lastSeenAt: now, expiresAt }).where('id', '=', id).where('revokedAt', 'is', null).execute();
  }
  return {
    status: 'active',
    session: { id, accountId: row.accountId, csrfHash: row.csrfHash, mfaPassed: row.mfaPassed, expiresAt, account },
  };
}

/** True when `header` is the session's CSRF token; digests compared in constant time. */
export function csrfMatches(session: Pick<ActiveSession, 'csrfHash'>, header: string | undefined): boolean {
  return header !== undefined && header !== '' && digestsEqual(sha256Hex(header), session.csrfHash);
}

/** Revokes a session server-side (logout): its cookie is worthless from now on. Returns whether it was live. */
export async function revokeSession(db: Kysely<Database>, id: string, now: Date): Promise<boolean> {
  const row = await db.updateTable('sessions').set({ revokedAt: now }).where('id', '=', id).where('revokedAt', 'is', null).returning('id').executeTakeFirst();
  return row !== undefined;
}

/** Records that the session passed the second factor. */
export async function markSessionMfaPassed(db: Kysely<Database>, id: string): Promise<void> {
  await db.updateTable('sessions').set({ mfaPassed: true }).where('id', '=', id).execute();
}

/**
 * Deletes revoked sessions and those past their limit. Returns the sessions that had
 * expired without a request noticing (never revoked), so the caller can log their
 * expiry (P1.7) at the time it happened.
 */
export async function deleteEndedSessions(db: Kysely<Database>, now: Date): Promise<{ unnoticed: Array<{ accountId: string; expiresAt: Date }>; deleted: number }> {
  const rows = await db
    .deleteFrom('sessions')
    .where((eb) => eb.or([eb('revokedAt', 'is not', null), eb('expiresAt', '<=', now)]))
    .returning(['accountId', 'expiresAt', 'revokedAt'])
    .execute();
  return { unnoticed: rows.filter((r) => r.revokedAt === null).map((r) => ({ accountId: r.accountId, expiresAt: r.expiresAt })), deleted: rows.length };
}
