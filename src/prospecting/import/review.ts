import type { Kysely } from 'kysely';
import type { Actor } from '../../access/actor.js';
import type { Database } from '../../db/schema.js';
import { RempartError } from '../../errors.js';
import { mergeClusters } from './merge.js';

/** A pending (or decided) pair with both people's rows. */
export interface ReviewPair {
  readonly id: string;
  readonly score: number;
  readonly comparison: Readonly<Record<string, string>>;
  readonly status: 'pending' | 'accepted' | 'rejected';
  readonly createdAt: string;
  readonly left: Readonly<Record<string, unknown>> | null;
  readonly right: Readonly<Record<string, unknown>> | null;
}

/** Pairs by status (default pending), oldest first. */
export async function listReviewPairs(db: Kysely<Database>, query: { readonly status?: 'pending' | 'accepted' | 'rejected'; readonly limit?: number; readonly after?: string } = {}): Promise<ReviewPair[]> {
  let q = db.selectFrom('dedupeReviewQueue').selectAll().where('status', '=', query.status ?? 'pending').orderBy('id').limit(query.limit ?? 50);
  if (query.after) q = q.where('id', '>', query.after);
  const pairs = await q.execute();
  const ids = [...new Set(pairs.flatMap((p) => [p.leftPersonId, p.rightPersonId]))];
  const people = ids.length === 0 ? [] : await db.selectFrom('people').selectAll().where('id', 'in', ids).execute();
  const byId = new Map(people.map((p) => [p.id, p as unknown as Record<string, unknown>]));
  return pairs.map((p) => ({
    id: p.id,
    score: p.score,
    comparison: p.comparison,
    status: p.status,
    createdAt: p.createdAt.toISOString(),
    left: byId.get(p.leftPersonId) ?? null,
    right: byId.get(p.rightPersonId) ?? null,
  }));
}

/**
 * Merges `otherId` into `survivorId` (R-PROS-2) inside `tx`, by the rules of the
 * set-based merge (`mergeClusters`, one cluster): for each field the most recent
 * non-empty value by source date wins, phones and addresses are united, provenance moves
 * to the survivor, every table linking to the other person is re-pointed, the other
 * record is deleted; the earliest collection date and its source stay (GDPR Art. 14).
 * NOT_FOUND if either person is gone, FORBIDDEN if either is restricted (GDPR Art. 18).
 */
export async function mergePeople(tx: Kysely<Database>, survivorId: string, otherId: string, actor: Actor, now: Date): Promise<void> {
  const outcome = await mergeClusters(tx, [{ survivorId, otherIds: [otherId] }], actor, now, 'dedupe review: merged');
  if (outcome.missing.length > 0) throw new RempartError('NOT_FOUND', 'One of the two people no longer exists.');
  if (outcome.restricted.length > 0) throw new RempartError('FORBIDDEN', 'A person of this pair is restricted (GDPR Art. 18): their data may not be merged.');
}

/** Accepts (merge: the older record survives) or rejects a pending pair. */
export async function decideReviewPair(db: Kysely<Database>, id: string, decision: 'accept' | 'reject', actor: Actor, now: Date): Promise<{ readonly status: 'accepted' | 'rejected'; readonly survivorId: string | null }> {
  return db.transaction().execute(async (tx) => {
    const pair = await tx.selectFrom('dedupeReviewQueue').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
    if (!pair) throw new RempartError('NOT_FOUND', `Review pair ${id} not found.`);
    if (pair.status !== 'pending') throw new RempartError('CONFLICT', `Review pair ${id} was already ${pair.status}.`);
    if (decision === 'reject') {
      await tx.updateTable('dedupeReviewQueue').set({ status: 'rejected', decidedAt: now, decidedBy: actor.id }).where('id', '=', id).execute();
      return { status: 'rejected' as const, survivorId: null };
    }
    // UUIDv7 ids are time-ordered: the smaller is the older record.
    const [survivor, other] = pair.leftPersonId < pair.rightPersonId ? [pair.leftPersonId, pair.rightPersonId] : [pair.rightPersonId, pair.leftPersonId];
    // A pending pair whose two records were merged since (by the pass, or another accepted
    // pair) now names one record twice: accepting it has nothing left to merge (merging a
    // record into itself would delete it).
    if (survivor !== other) await mergePeople(tx, survivor, other, actor, now);
    await tx.updateTable('dedupeReviewQueue').set({ status: 'accepted', decidedAt: now, decidedBy: actor.id }).where('id', '=', id).execute();
    return { status: 'accepted' as const, survivorId: survivor };
  });
}
