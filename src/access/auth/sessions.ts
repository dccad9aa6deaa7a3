import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import type { AccountRow } from './accounts.js';
import type { AuthCache } from './auth-cache.js';
import type { SessionRow } from './tables.js';
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

export type { SessionRow } from './tables.js';

/**
 * Finds the session of a cookie token. A session past its idle or absolute limit is
 * revoked in the same step, by one conditional update, so that among concurrent
 * requests (and instances) exactly one reports `expired` and the log gets one entry.
 *
 * With a cache (auth-cache.ts), a live session that passed its second factor is served
 * from memory after its first request. A cached session that looks expired is read
 * again (another instance may have pushed its idle clock), so expiry is decided by the
 * database; a logout or a disabled account is seen within AUTH_REVOCATION_BOUND_MS.
 */
export async function lookupSession(db: Kysely<Database>, token: string, now: Date, cache?: AuthCache): Promise<SessionLookup> {
  if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return { status: 'none' };
  const id = sessionIdOf(token);
  const generation = cache?.generation ?? 0;
  const hit = cache?.session(id);
  let row: SessionRow;
  let account: AccountRow;
  let fromMemory = false;
  if (hit !== undefined && hit.row.expiresAt.getTime() > now.getTime()) {
    ({ row, account } = hit);
    fromMemory = true;
  } else {
    const found = await db
      .selectFrom('sessions')
      .select(['id', 'accountId', 'createdAt', 'expiresAt', 'lastSeenAt', 'csrfHash', 'revokedAt', 'mfaPassed'])
      .where('id', '=', id)
      .executeTakeFirst();
    if (found === undefined || found.revokedAt !== null) return { status: 'none' };
    if (found.expiresAt.getTime() <= now.getTime()) {
      cache?.dropSession(id);
      const revoked = await db
        .updateTable('sessions')
        .set({ revokedAt: now })
        .where('id', '=', id)
        .where('revokedAt', 'is', null)
        .returning('id')
        .executeTakeFirst();
      return revoked === undefined ? { status: 'none' } : { status: 'expired', accountId: found.accountId };
    }
    const acc = await db.selectFrom('accounts').selectAll().where('id', '=', found.accountId).executeTakeFirst();
    if (acc === undefined || acc.disabledAt !== null) return { status: 'none' };
    row = found;
    account = acc;
  }
  if (now.getTime() - row.lastSeenAt.getTime() >= SESSION_TOUCH_MS) {
    const expiresAt = new Date(Math.min(now.getTime() + SESSION_IDLE_MS, row.createdAt.getTime() + SESSION_ABSOLUTE_MS));
    await db.updateTable('sessions').set({ lastSeenAt: now, expiresAt }).where('id', '=', id).where('revokedAt', 'is', null).execute();
    row = { ...row, lastSeenAt: now, expiresAt };
    fromMemory = false;
  }
  // A session still owing its second factor is not kept: the step that passes it may
  // happen on another instance, and it must count at once.
  if (!fromMemory && row.mfaPassed) cache?.putSession(id, { row, account }, generation);
  return {
    status: 'active',
    session: { id, accountId: row.accountId, csrfHash: row.csrfHash, mfaPassed: row.mfaPassed, expiresAt: row.expiresAt, account },
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
