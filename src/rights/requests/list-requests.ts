import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { addDays, parisDate } from './deadlines.js';
import { loadRequest } from './load.js';
import { presentDetail, presentSummary, type RequestDetail, type RequestSummary } from './present.js';
import type { RequestState } from './tables.js';

/** Filters of the dpo's list. */
export interface RequestListQuery {
  /** Only requests whose deadline in force has passed. */
  readonly overdue?: boolean;
  /** Only requests due within this many days (overdue ones included). */
  readonly dueWithinDays?: number;
  readonly state?: RequestState;
  /** The clock (default: now). */
  readonly now?: Date;
  readonly limit?: number;
}

/** States in which the deadline runs: the request is being handled. */
const RUNNING: readonly RequestState[] = ['received', 'in_progress', 'extended'];

/**
 * Lists requests for the dpo, the most urgent first, so that none passes its deadline
 * unseen (GDPR Art. 12(3)). `overdue` and `dueWithinDays` cover the requests being
 * handled; one still waiting for its code is listed by state.
 */
export async function listRequests(db: Kysely<Database>, query: RequestListQuery = {}): Promise<RequestSummary[]> {
  const now = query.now ?? new Date();
  const today = parisDate(now);
  const due = sql<string>`coalesce(extended_due_at, due_at)`;
  let q = db.selectFrom('rightsRequests').selectAll();
  if (query.state !== undefined) q = q.where('state', '=', query.state);
  if (query.overdue === true || query.dueWithinDays !== undefined) q = q.where('state', 'in', RUNNING);
  if (query.overdue === true) q = q.where(due, '<', today);
  if (query.dueWithinDays !== undefined) q = q.where(due, '<=', addDays(today, Math.max(0, Math.floor(query.dueWithinDays))));
  const rows = await q
    .orderBy(due)
    .orderBy('id')
    .limit(Math.min(Math.max(query.limit ?? 500, 1), 5000))
    .execute();
  return rows.map((r) => presentSummary(r, now));
}

/** One request in full, for the dpo. */
export async function getRequest(db: Kysely<Database>, id: string, now: Date = new Date()): Promise<RequestDetail> {
  return presentDetail(await loadRequest(db, id), now);
}
