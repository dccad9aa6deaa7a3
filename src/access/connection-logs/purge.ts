import { type Kysely, sql } from 'kysely';
import type { Database } from '../../db/schema.js';
import { parseDuration } from '../../policy/index.js';

/** The connection logs' retention (annex art. 4, "12 mois"; P4.4). */
export const CONNECTION_LOG_RETENTION = 'P1Y';

/**
 * `now` minus a `PnYnMnD` retention, in UTC and keeping the time of day: years and
 * months first, the day clamped to the target month's last day (29 February minus one
 * year is 28 February, so an entry is never kept a day past its term), then days.
 * It mirrors `addDuration` (src/policy/duration.ts), which only adds.
 */
export function retentionCutoff(now: Date, retention: string = CONNECTION_LOG_RETENTION): Date {
  const d = parseDuration(retention);
  const monthIndex = now.getUTCFullYear() * 12 + now.getUTCMonth() - d.years * 12 - d.months;
  const year = Math.floor(monthIndex / 12);
  const month = monthIndex - year * 12;
  const lastDay = new Date(0);
  lastDay.setUTCFullYear(year, month + 1, 0);
  const cutoff = new Date(now.getTime());
  cutoff.setUTCFullYear(year, month, Math.min(now.getUTCDate(), lastDay.getUTCDate()));
  cutoff.setUTCDate(cutoff.getUTCDate() - d.days);
  return cutoff;
}

/**
 * Deletes the connection-log entries strictly older than `now` minus the retention
 * (P4.4: 12 months) and returns how many went. This is the only way entries leave the
 * table: the append-only trigger lets a DELETE through only in a transaction that set
 * `rempart.purge` (GDPR Art. 5(1)(e), storage limitation; Art. 32, integrity of the logs).
 */
export async function purgeConnectionLogs(db: Kysely<Database>, now: Date, retention: string = CONNECTION_LOG_RETENTION): Promise<number> {
  const cutoff = retentionCutoff(now, retention);
  return db.transaction().execute(async (tx) => {
    await sql`select set_config('rempart.purge', 'on', true)`.execute(tx);
    const result = await tx.deleteFrom('connectionLogs').where('at', '<', cutoff).executeTakeFirst();
    return Number(result.numDeletedRows);
  });
}
