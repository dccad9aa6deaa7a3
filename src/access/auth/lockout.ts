import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';

/** Failures tolerated before the first lock (CNIL: limit the attempts on a password). */
export const LOCKOUT_THRESHOLD = 5;
/** The first lock lasts one minute and doubles with each further failure ... */
export const LOCKOUT_BASE_MS = 60_000;
/** ... up to one hour, so that an attacker cannot lock a colleague out for longer. */
export const LOCKOUT_MAX_MS = 60 * 60_000;

/**
 * How long an account is locked after its `failures`-th consecutive failure: nothing
 * below the threshold, then 1, 2, 4 … minutes, capped at one hour.
 */
export function lockDurationMs(failures: number): number {
  if (failures < LOCKOUT_THRESHOLD) return 0;
  const doublings = Math.min(failures - LOCKOUT_THRESHOLD, 16);
  return Math.min(LOCKOUT_BASE_MS * 2 ** doublings, LOCKOUT_MAX_MS);
}

/** True when the account's lock is still running at `now`. */
export function isLocked(lockedUntil: Date | null, now: Date): boolean {
  return lockedUntil !== null && lockedUntil.getTime() > now.getTime();
}

/**
 * Counts one failed attempt and sets the lock it earns. The counter is incremented in
 * the database, not read then written, so concurrent attempts on several instances are
 * all counted.
 */
export async function recordFailedAttempt(db: Kysely<Database>, accountId: string, now: Date): Promise<void> {
  const row = await db
    .updateTable('accounts')
    .set({ failedAttempts: sql<number>`failed_attempts + 1` })
    .where('id', '=', accountId)
    .returning('failedAttempts')
    .executeTakeFirst();
  const ms = lockDurationMs(row?.failedAttempts ?? 0);
  if (ms === 0) return;
  const until = new Date(now.getTime() + ms);
  await db
    .updateTable('accounts')
    .set({ lockedUntil: until })
    .where('id', '=', accountId)
    .where((eb) => eb.or([eb('lockedUntil', 'is', null), eb('lockedUntil', '<', until)]))
    .execute();
}

/** Clears the failure count after a successful login. */
export async function clearFailedAttempts(db: Kysely<Database>, accountId: string): Promise<void> {
  await db.updateTable('accounts').set({ failedAttempts: 0, lockedUntil: null }).where('id', '=', accountId).execute();
}
