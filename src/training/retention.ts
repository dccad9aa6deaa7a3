import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';

/**
 * The training rule of the retention plan (annex art. 4: kept for the whole service,
 * then returned and destroyed; Art. 28(3)(g)): an engagement past its last day and not
 * yet closed is due, one counted per engagement; those ending within 30, 90 or 365 days
 * of `at` are upcoming. Nothing is swept automatically: the close needs the package
 * delivered first, so the dpo and IT act on the list with `rempart engagement close`.
 */
export async function trainingRetentionCounts(db: Kysely<Database>, at: string): Promise<{ due: number; windows: Record<30 | 90 | 365, number> }> {
  const rows = await db.selectFrom('trainingEngagements').select('endsOn').where('status', '=', 'active').execute();
  const day = (d: string, plus: number) => new Date(Date.parse(`${d}T00:00:00Z`) + plus * 86_400_000).toISOString().slice(0, 10);
  // Due the day after its last day: "at the end of the service".
  const due = rows.filter((r) => r.endsOn < at).length;
  const later = (limit: string) => rows.filter((r) => r.endsOn >= at && r.endsOn < limit).length;
  return { due, windows: { 30: later(day(at, 30)), 90: later(day(at, 90)), 365: later(day(at, 365)) } };
}

/** An engagement past its last day and not closed: what the dpo must have closed (package to the client, then destruction). */
export interface OverdueEngagement {
  readonly id: string;
  readonly name: string;
  readonly clientOrganisationId: string;
  readonly client: string;
  readonly endsOn: string;
  readonly endChoice: string;
  /** Whole days since the last day of the service. */
  readonly daysOverdue: number;
}

/**
 * The engagements past their end on `at` (a date) and not closed, the longest overdue
 * first, for the dpo's list of things to act on (annex art. 4; Art. 28(3)(g)). Client
 * names are organisations (legal persons): nothing personal is listed.
 */
export async function overdueEngagements(db: Kysely<Database>, at: string): Promise<OverdueEngagement[]> {
  const rows = await db
    .selectFrom('trainingEngagements as e')
    .innerJoin('organisations as o', 'o.id', 'e.clientOrganisationId')
    .select(['e.id', 'e.name', 'e.clientOrganisationId', 'o.name as client', 'e.endsOn', 'e.endChoice'])
    .where('e.status', '=', 'active')
    .execute();
  const day = (d: string) => Date.parse(`${d}T00:00:00Z`);
  return rows
    .map((r) => ({ ...r, endsOn: String(r.endsOn) }))
    .filter((r) => r.endsOn < at)
    .map((r) => ({ ...r, daysOverdue: Math.round((day(at) - day(r.endsOn)) / 86_400_000) }))
    .sort((a, b) => b.daysOverdue - a.daysOverdue || a.id.localeCompare(b.id));
}
