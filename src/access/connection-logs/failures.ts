import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';

/** A failed sign-in or identity check (P1.7). */
export interface FailedConnection {
  readonly id: string;
  readonly at: string;
  readonly event: string;
  readonly service: string;
  readonly accountId: string | null;
  readonly sourceIp: string | null;
  readonly reason: string | null;
}

const DAY_MS = 86_400_000;

/**
 * The failed connections of the last 7 days before `now`: counts over 24 hours and 7 days,
 * and the newest `limit` entries. The caller audits the read (they carry source addresses).
 */
export async function recentFailures(db: Kysely<Database>, now: Date, limit = 20): Promise<{ last24h: number; last7d: number; items: FailedConnection[] }> {
  const week = new Date(now.getTime() - 7 * DAY_MS);
  const day = new Date(now.getTime() - DAY_MS);
  const failures = db.selectFrom('connectionLogs').where('outcome', '=', 'failure').where('at', '>=', week).where('at', '<=', now);
  const c = await failures.select([sql<string>`count(*) filter (where at >= ${day})`.as('day'), (eb) => eb.fn.countAll<string>().as('week')]).executeTakeFirst();
  const items = await failures.select(['id', 'at', 'event', 'service', 'accountId', 'sourceIp', 'reason']).orderBy('at', 'desc').orderBy('id', 'desc').limit(limit).execute();
  return { last24h: Number(c?.day ?? 0), last7d: Number(c?.week ?? 0), items: items.map((i) => ({ ...i, at: i.at.toISOString() })) };
}
