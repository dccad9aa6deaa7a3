import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { RempartError } from '../../errors.js';
import { addDays, parisDate } from './deadlines.js';
import { loadRequest } from './load.js';
import { presentDetail, presentSummary, type RequestDetail, type RequestSummary } from './present.js';
import type { RequestState, RequestType } from './tables.js';

/** Filters of the dpo's list. */
export interface RequestListQuery {
  /** Only requests whose deadline in force has passed. */
  readonly overdue?: boolean;
  /** Only requests due within this many days (overdue ones included). */
  readonly dueWithinDays?: number;
  /** Only requests whose deadline in force is on or before this day (YYYY-MM-DD). */
  readonly dueBefore?: string;
  readonly state?: RequestState;
  readonly type?: RequestType;
  /** Only requests still being handled (received, in progress, extended, waiting for the code). */
  readonly open?: boolean;
  /** The clock (default: now). */
  readonly now?: Date;
  readonly limit?: number;
  /** From a previous page's `nextCursor`. */
  readonly cursor?: string;
}

/** A page of the list. */
export interface RequestPage {
  readonly items: RequestSummary[];
  readonly nextCursor: string | null;
}

/** States in which the deadline runs: the request is being handled. */
const RUNNING: readonly RequestState[] = ['received', 'in_progress', 'extended'];

function decodeCursor(cursor: string): { due: string; id: string } {
  const [due, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  if (!due || !id || !/^\d{4}-\d{2}-\d{2}$/.test(due)) {
    throw new RempartError('VALIDATION_FAILED', 'The cursor is not one this listing returned.', { details: [{ field: 'cursor', message: 'is not a cursor of this listing' }] });
  }
  return { due, id };
}

/**
 * One page of requests for the dpo, the most urgent first (the deadline in force, then
 * the id), so that none passes its deadline unseen (GDPR Art. 12(3)): overdue requests
 * come first. `overdue`, `dueWithinDays` and `dueBefore` cover the requests being
 * handled; one still waiting for its code is listed by state.
 */
export async function listRequestPage(db: Kysely<Database>, query: RequestListQuery = {}): Promise<RequestPage> {
  const now = query.now ?? new Date();
  const today = parisDate(now);
  const due = sql<string>`coalesce(extended_due_at, due_at)`;
  const limit = Math.min(Math.max(query.limit ?? 500, 1), 5000);
  let q = db.selectFrom('rightsRequests').selectAll();
  if (query.state !== undefined) q = q.where('state', '=', query.state);
  if (query.type !== undefined) q = q.where('type', '=', query.type);
  if (query.open === true) q = q.where('state', 'in', [...RUNNING, 'identity_pending']);
  if (query.overdue === true || query.dueWithinDays !== undefined || query.dueBefore !== undefined) q = q.where('state', 'in', RUNNING);
  if (query.overdue === true) q = q.where(due, '<', today);
  if (query.dueWithinDays !== undefined) q = q.where(due, '<=', addDays(today, Math.max(0, Math.floor(query.dueWithinDays))));
  if (query.dueBefore !== undefined) q = q.where(due, '<=', query.dueBefore);
  if (query.cursor !== undefined) {
    const c = decodeCursor(query.cursor);
    q = q.where((eb) => eb.or([eb(due, '>', c.due), eb.and([eb(due, '=', c.due), eb('id', '>', c.id)])]));
  }
  const rows = await q
    .orderBy(due)
    .orderBy('id')
    .limit(limit + 1)
    .execute();
  const more = rows.length > limit;
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    items: page.map((r) => presentSummary(r, now)),
    nextCursor: more && last ? Buffer.from(`${last.extendedDueAt ?? last.dueAt}|${last.id}`, 'utf8').toString('base64url') : null,
  };
}

/** The requests of the dpo's list, first page only (the command line's `requests list`). */
export async function listRequests(db: Kysely<Database>, query: RequestListQuery = {}): Promise<RequestSummary[]> {
  return (await listRequestPage(db, query)).items;
}

/** One request in full, for the dpo. */
export async function getRequest(db: Kysely<Database>, id: string, now: Date = new Date()): Promise<RequestDetail> {
  return presentDetail(await loadRequest(db, id), now);
}

/** How many requests are open (being handled or waiting for their code), and how many of them are overdue on `now`. */
export async function countOpenRequests(db: Kysely<Database>, now: Date): Promise<{ open: number; overdue: number }> {
  const today = parisDate(now);
  const c = await db
    .selectFrom('rightsRequests')
    .select([
      (eb) => eb.fn.countAll<string>().as('open'),
      sql<string>`count(*) filter (where state in ('received', 'in_progress', 'extended') and coalesce(extended_due_at, due_at) < ${today})`.as('overdue'),
    ])
    .where('state', 'in', [...RUNNING, 'identity_pending'])
    .executeTakeFirstOrThrow();
  return { open: Number(c.open), overdue: Number(c.overdue) };
}
