import { sql, type Kysely } from 'kysely';
import { appendInTransaction } from '../../access/audit/index.js';
import type { Actor } from '../../access/actor.js';
import type { Database } from '../../db/schema.js';
import { RempartError } from '../../errors.js';
import { writeHistory, type HistoryRow } from './history.js';
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

/** The fields a reviewer may choose, side by side, when merging a pair: phones and addresses are united, never chosen. */
export const CHOOSABLE_FIELDS = ['firstName', 'lastName', 'email', 'jobTitle', 'organisationId'] as const;
/** One of CHOOSABLE_FIELDS. */
export type ChoosableField = (typeof CHOOSABLE_FIELDS)[number];
/** Which record's value survives, per field: the pair's `left` or `right` record. */
export type FieldChoices = Readonly<Partial<Record<ChoosableField, 'left' | 'right'>>>;

const COLUMN: Readonly<Record<ChoosableField, string>> = { firstName: 'first_name', lastName: 'last_name', email: 'email', jobTitle: 'job_title', organisationId: 'organisation_id' };

/**
 * Accepts (merge: the older record survives) or rejects a pending pair. On accept,
 * `choices` says, field by field, which record's value survives (issue 16 item 3); a
 * field not named keeps what the merge's survivorship rules chose (most recent by source
 * date). A chosen value keeps its provenance (source and collection date, GDPR Art. 14),
 * and the value it replaces goes to the person's history (`reviewer_choice`).
 */
export async function decideReviewPair(
  db: Kysely<Database>,
  id: string,
  decision: 'accept' | 'reject',
  actor: Actor,
  now: Date,
  choices: FieldChoices = {},
): Promise<{ readonly status: 'accepted' | 'rejected'; readonly survivorId: string | null; readonly chosen: readonly ChoosableField[] }> {
  return db.transaction().execute(async (tx) => {
    const pair = await tx.selectFrom('dedupeReviewQueue').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
    if (!pair) throw new RempartError('NOT_FOUND', `Review pair ${id} not found.`);
    if (pair.status !== 'pending') throw new RempartError('CONFLICT', `Review pair ${id} was already ${pair.status}.`);
    if (decision === 'reject') {
      await tx.updateTable('dedupeReviewQueue').set({ status: 'rejected', decidedAt: now, decidedBy: actor.id }).where('id', '=', id).execute();
      return { status: 'rejected' as const, survivorId: null, chosen: [] };
    }
    // UUIDv7 ids are time-ordered: the smaller is the older record.
    const [survivor, other] = pair.leftPersonId < pair.rightPersonId ? [pair.leftPersonId, pair.rightPersonId] : [pair.rightPersonId, pair.leftPersonId];
    // A pending pair whose two records were merged since (by the pass, or another accepted
    // pair) now names one record twice: accepting it has nothing left to merge (merging a
    // record into itself would delete it).
    if (survivor === other) {
      await tx.updateTable('dedupeReviewQueue').set({ status: 'accepted', decidedAt: now, decidedBy: actor.id }).where('id', '=', id).execute();
      return { status: 'accepted' as const, survivorId: survivor, chosen: [] };
    }
    const sideOf = { left: pair.leftPersonId, right: pair.rightPersonId } as const;
    const named = CHOOSABLE_FIELDS.filter((f) => choices[f] !== undefined);
    // Each chosen value, read before the merge moves or drops it: the value, and where it came from.
    const before = await tx.selectFrom('people').select(['id', 'source', 'collectedAt', ...CHOOSABLE_FIELDS]).where('id', 'in', [survivor, other]).execute();
    const prov = named.length === 0 ? [] : await tx.selectFrom('prospectFieldProvenance').selectAll().where('personId', 'in', [survivor, other]).where('field', 'in', named).where('chosen', '=', true).execute();
    await mergePeople(tx, survivor, other, actor, now);
    const after = await tx.selectFrom('people').select(['id', ...CHOOSABLE_FIELDS]).where('id', '=', survivor).executeTakeFirstOrThrow();
    const chosen: ChoosableField[] = [];
    const lost: HistoryRow[] = [];
    for (const field of named) {
      const from = before.find((p) => p.id === sideOf[choices[field]!]);
      if (!from) continue;
      const value = from[field];
      if (value === after[field]) continue;
      // The value the merge had kept goes to history, from the record that gave it.
      const displaced = after[field];
      const giver = before.find((p) => p.id !== from.id);
      if (displaced !== null && giver) {
        const where = prov.find((r) => r.personId === giver.id && r.field === field) ?? { source: giver.source, collectedAt: giver.collectedAt };
        lost.push({ personId: survivor, field, value: displaced, source: where.source, collectedAt: where.collectedAt, reason: 'reviewer_choice' });
      }
      await sql`update people set ${sql.ref(COLUMN[field])} = ${value}, updated_at = ${now} where id = ${survivor}`.execute(tx);
      // The merge had sent the chosen value to history as not kept: it is the value now.
      if (value !== null) await tx.deleteFrom('personFieldHistory').where('personId', '=', survivor).where('field', '=', field).where('value', '=', value).execute();
      const origin = prov.find((r) => r.personId === from.id && r.field === field) ?? { source: from.source, collectedAt: from.collectedAt };
      await tx
        .updateTable('prospectFieldProvenance')
        .set({ chosen: sql<boolean>`(source = ${origin.source} and collected_at = ${origin.collectedAt})` })
        .where('personId', '=', survivor)
        .where('field', '=', field)
        .execute();
      chosen.push(field);
    }
    await writeHistory(tx, lost, null, now);
    if (chosen.length > 0) {
      await appendInTransaction(tx, [
        {
          at: now,
          actor: actor.id,
          role: actor.role,
          purpose: 'prospecting',
          action: 'update',
          resource: 'people',
          recordIds: [survivor],
          personIds: [survivor],
          fields: chosen.map((f) => COLUMN[f]),
          reason: `dedupe review ${id}: values chosen by the reviewer`,
        },
      ]);
    }
    await tx.updateTable('dedupeReviewQueue').set({ status: 'accepted', decidedAt: now, decidedBy: actor.id }).where('id', '=', id).execute();
    return { status: 'accepted' as const, survivorId: survivor, chosen };
  });
}
