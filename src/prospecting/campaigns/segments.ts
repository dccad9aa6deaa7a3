import type { Kysely } from 'kysely';
import type { Actor } from '../../access/actor.js';
import { appendInTransaction } from '../../access/audit/index.js';
import { newId } from '../../db/ids.js';
import type { Database } from '../../db/schema.js';
import { RempartError } from '../../errors.js';
import { isSegmentKind, parseCriteria, SEGMENT_KINDS, type SegmentCriteria, type SegmentKind } from './criteria.js';
import { countEligible, type GuardDeps, type SelectionCount } from './guard.js';

/** A saved segment, as presented. */
export interface Segment {
  readonly id: string;
  readonly name: string;
  readonly kind: SegmentKind;
  readonly criteria: SegmentCriteria;
  readonly createdAt: string;
}

/** What creating a segment takes. */
export interface NewSegment {
  readonly name: string;
  readonly kind: string;
  readonly criteria: unknown;
}

function present(row: { id: string; name: string; kind: SegmentKind; criteria: SegmentCriteria; createdAt: Date }): Segment {
  return { id: row.id, name: row.name, kind: row.kind, criteria: row.criteria, createdAt: row.createdAt.toISOString() };
}

function checkName(name: string): string {
  const n = name.trim();
  if (n === '' || n.length > 200) throw new RempartError('VALIDATION_FAILED', 'A name of 1 to 200 characters is needed.', { details: [{ field: 'name', message: 'must be 1 to 200 characters' }] });
  return n;
}

/** Saves a segment after checking its kind and criteria. */
export async function createSegment(db: Kysely<Database>, input: NewSegment, now: Date): Promise<Segment> {
  const name = checkName(input.name);
  if (!isSegmentKind(input.kind)) {
    throw new RempartError('VALIDATION_FAILED', `Unknown segment kind; expected one of ${SEGMENT_KINDS.join(', ')}.`, { details: [{ field: 'kind', message: `expected one of ${SEGMENT_KINDS.join(', ')}` }] });
  }
  const criteria = parseCriteria(input.criteria);
  const row = { id: newId(now.getTime()), name, kind: input.kind, criteria, createdAt: now };
  await db.insertInto('segments').values({ ...row, criteria: JSON.stringify(criteria) }).execute();
  return present(row);
}

/** One segment; NOT_FOUND when absent. */
export async function getSegment(db: Kysely<Database>, id: string): Promise<Segment> {
  const row = await db.selectFrom('segments').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw new RempartError('NOT_FOUND', `Segment ${id} not found.`);
  return present(row);
}

/** Every segment, newest first. */
export async function listSegments(db: Kysely<Database>): Promise<Segment[]> {
  return (await db.selectFrom('segments').selectAll().orderBy('id', 'desc').limit(1000).execute()).map(present);
}

/**
 * How many people a segment's criteria select today, through the guard (R-PROS-4), and
 * how many each rule left out. Only counts come out; the read is audited all the same.
 */
export async function previewSelection(deps: GuardDeps, criteria: SegmentCriteria, actor: Actor, now: Date, segmentId: string | null = null): Promise<SelectionCount> {
  const count = await countEligible(deps, { criteria, use: 'solicitation', now });
  await appendInTransaction(deps.db, [
    { at: now, actor: actor.id, role: actor.role, purpose: 'prospecting', action: 'read', resource: 'segments', recordIds: segmentId ? [segmentId] : [], personIds: [], fields: ['count'], reason: 'selection preview' },
  ]);
  return count;
}
