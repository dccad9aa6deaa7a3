import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/schema.js';

/** Consent changes of one month (Europe/Paris), by scope (a partner exchange or the controller's own), counts only. */
export interface ConsentMonth {
  readonly month: string;
  readonly scope: string;
  readonly given: number;
  readonly withdrawn: number;
  readonly refused: number;
}

/** Consents given, withdrawn and refused per month over the `months` months before `now` (the dpo's dashboard). */
export async function consentMonths(db: Kysely<Database>, now: Date, months = 12): Promise<ConsentMonth[]> {
  const since = new Date(now.getTime() - months * 31 * 86_400_000);
  const month = sql<string>`to_char(event_at at time zone 'Europe/Paris', 'YYYY-MM')`;
  const rows = await db
    .selectFrom('consentEvents')
    .select([month.as('month'), 'scope', 'state', (eb) => eb.fn.countAll<string>().as('n')])
    .where('eventAt', '>=', since)
    .where('eventAt', '<=', now)
    .groupBy([month, 'scope', 'state'])
    .orderBy(month)
    .orderBy('scope')
    .execute();
  const out = new Map<string, { month: string; scope: string; given: number; withdrawn: number; refused: number }>();
  for (const r of rows) {
    const key = `${r.month}|${r.scope}`;
    const m = out.get(key) ?? { month: r.month, scope: r.scope, given: 0, withdrawn: 0, refused: 0 };
    if (r.state === 'given' || r.state === 'withdrawn' || r.state === 'refused') m[r.state] += Number(r.n);
    out.set(key, m);
  }
  return [...out.values()];
}
