import { sql, type Kysely } from 'kysely';
import type { Actor } from '../../access/actor.js';
import { appendInTransaction } from '../../access/audit/index.js';
import { CATALOGUE } from '../../catalogue/catalogue.js';
import type { Database, Phone, PostalAddress } from '../../db/schema.js';
import { RempartError } from '../../errors.js';

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

const SCALARS = ['firstName', 'lastName', 'email', 'jobTitle', 'organisationId'] as const;
/** Tables whose person link the merge handles itself. */
const HANDLED = new Set(['people', 'prospect_field_provenance', 'dedupe_review_queue', 'person_states', 'contract_contacts']);

/**
 * Merges `otherId` into `survivorId` (R-PROS-2) inside `tx`: for each field the most
 * recent non-empty value by source date wins (provenance dates, else the record's
 * collection date); phones and addresses are united; provenance moves to the
 * survivor; every table that links to the other person (found in the catalogue) is
 * re-pointed; the other record is deleted. The earliest collection date and its source
 * stay on the survivor (GDPR Art. 14: when the data was first collected).
 */
export async function mergePeople(tx: Kysely<Database>, survivorId: string, otherId: string, actor: Actor, now: Date): Promise<void> {
  const rows = await tx.selectFrom('people').selectAll().where('id', 'in', [survivorId, otherId]).execute();
  const s = rows.find((r) => r.id === survivorId);
  const o = rows.find((r) => r.id === otherId);
  if (!s || !o) throw new RempartError('NOT_FOUND', 'One of the two people no longer exists.');
  const restricted = await tx.selectFrom('personStates').select('personId').where('personId', 'in', [survivorId, otherId]).where('restrictedAt', 'is not', null).execute();
  if (restricted.length > 0) throw new RempartError('FORBIDDEN', 'A person of this pair is restricted (GDPR Art. 18): their data may not be merged.');
  const prov = await tx.selectFrom('prospectFieldProvenance').selectAll().where('personId', 'in', [survivorId, otherId]).where('chosen', '=', true).execute();
  const dateOf = (personId: string, field: string, fallback: Date) => prov.find((p) => p.personId === personId && p.field === field)?.collectedAt.getTime() ?? fallback.getTime();
  const patch: Record<string, unknown> = {};
  const winners: Record<string, string> = {};
  for (const f of SCALARS) {
    const sv = s[f];
    const ov = o[f];
    if (ov === null || ov === '') continue;
    if (sv === null || sv === '' || dateOf(otherId, f, o.collectedAt) > dateOf(survivorId, f, s.collectedAt)) {
      patch[f] = ov;
      winners[f] = otherId;
    }
  }
  const phones: Phone[] = [...(s.phones ?? [])];
  for (const p of o.phones ?? []) if (!phones.some((q) => q.number === p.number)) phones.push(p);
  const addresses: PostalAddress[] = [...(s.postalAddresses ?? [])];
  for (const a of o.postalAddresses ?? []) if (!addresses.some((b) => b.line1 === a.line1 && b.postcode === a.postcode)) addresses.push(a);
  const earliest = o.collectedAt.getTime() < s.collectedAt.getTime() ? { source: o.source, collectedAt: o.collectedAt } : {};
  await tx
    .updateTable('people')
    .set({ ...patch, ...earliest, phones: JSON.stringify(phones), postalAddresses: JSON.stringify(addresses), updatedAt: now })
    .where('id', '=', survivorId)
    .execute();

  // Provenance: the other's rows move over; a field the other won keeps its source chosen.
  const moved = await tx.selectFrom('prospectFieldProvenance').selectAll().where('personId', '=', otherId).execute();
  if (Object.keys(winners).length > 0) {
    await tx.updateTable('prospectFieldProvenance').set({ chosen: false }).where('personId', '=', survivorId).where('field', 'in', Object.keys(winners)).execute();
  }
  await tx.deleteFrom('prospectFieldProvenance').where('personId', '=', otherId).execute();
  if (moved.length > 0) {
    await tx
      .insertInto('prospectFieldProvenance')
      .values(moved.map((m) => ({ ...m, personId: survivorId, chosen: m.chosen && m.field in winners })))
      .onConflict((oc) => oc.columns(['personId', 'field', 'source']).doUpdateSet({ collectedAt: sql`greatest(prospect_field_provenance.collected_at, excluded.collected_at)`, chosen: sql`prospect_field_provenance.chosen or excluded.chosen` }))
      .execute();
  }

  // States: the stricter of both (an objection on either stays).
  const states = await tx.selectFrom('personStates').selectAll().where('personId', '=', otherId).executeTakeFirst();
  if (states) {
    const { personId: _drop, ...rest } = states;
    const set = Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== null));
    await tx.insertInto('personStates').values({ personId: survivorId, ...set }).onConflict((oc) => oc.column('personId').doUpdateSet(Object.fromEntries(Object.keys(set).map((k) => [k, sql.ref(`excluded.${k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)}`)])))).execute();
    await tx.deleteFrom('personStates').where('personId', '=', otherId).execute();
  }
  await sql`delete from contract_contacts where person_id = ${otherId} and contract_id in (select contract_id from contract_contacts where person_id = ${survivorId})`.execute(tx);
  await sql`update contract_contacts set person_id = ${survivorId} where person_id = ${otherId}`.execute(tx);
  for (const t of CATALOGUE) {
    if (HANDLED.has(t.table) || t.keyedBy !== undefined) continue;
    for (const link of t.subjects) {
      if (link.via || link.column === 'id') continue;
      await sql`update ${sql.table(t.table)} set ${sql.ref(link.column)} = ${survivorId} where ${sql.ref(link.column)} = ${otherId}`.execute(tx);
    }
  }
  await tx.updateTable('dedupeReviewQueue').set({ leftPersonId: survivorId }).where('leftPersonId', '=', otherId).execute();
  await tx.updateTable('dedupeReviewQueue').set({ rightPersonId: survivorId }).where('rightPersonId', '=', otherId).execute();
  // Re-pointed pairs may now repeat another pair of the survivor: keep one row per pair, a
  // decided one before a pending one (a rejection must not be shadowed by a pending duplicate).
  await sql`
    delete from dedupe_review_queue q
    where q.status = 'pending' and q.left_person_id <> q.right_person_id
      and (q.left_person_id = ${survivorId} or q.right_person_id = ${survivorId})
      and exists (
        select 1 from dedupe_review_queue o
        where o.id <> q.id
          and least(o.left_person_id, o.right_person_id) = least(q.left_person_id, q.right_person_id)
          and greatest(o.left_person_id, o.right_person_id) = greatest(q.left_person_id, q.right_person_id)
          and (o.status <> 'pending' or o.id < q.id))`.execute(tx);
  await tx.deleteFrom('people').where('id', '=', otherId).execute();
  const base = { at: now, actor: actor.id, role: actor.role, purpose: 'prospecting', resource: 'people', reason: 'dedupe review: merged' };
  await appendInTransaction(tx, [
    { ...base, action: 'update', recordIds: [survivorId], personIds: [survivorId, otherId], fields: [...Object.keys(patch).map((f) => f.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)), 'phones', 'postal_addresses'] },
    { ...base, action: 'delete', recordIds: [otherId], personIds: [otherId], fields: [] },
  ]);
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
    await mergePeople(tx, survivor, other, actor, now);
    await tx.updateTable('dedupeReviewQueue').set({ status: 'accepted', decidedAt: now, decidedBy: actor.id }).where('id', '=', id).execute();
    return { status: 'accepted' as const, survivorId: survivor };
  });
}
