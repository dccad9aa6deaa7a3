import { sql, type Insertable, type Kysely, type KyselyPlugin } from 'kysely';
import { expect, it } from 'vitest';
import { describeEachEngine } from '../../../test/engines.js';
import { cliActor } from '../../access/actor.js';
import { CATALOGUE } from '../../catalogue/catalogue.js';
import { newId } from '../../db/ids.js';
import type { Database, Phone, PostalAddress } from '../../db/schema.js';
import { isRempartError, RempartError } from '../../errors.js';
import { mergeClusters, strictestState, type MergeCluster, type MergeState } from './merge.js';
import { fieldProvenance, materialiseProvenance } from './provenance.js';
import { decideReviewPair, mergePeople } from './review.js';
import { decideField } from './survivorship.js';

const actor = cliActor();
const d0 = new Date('2025-03-01T08:00:00Z');
const d1 = new Date('2026-01-10T08:00:00Z');
const d2 = new Date('2026-05-20T08:00:00Z');
const d3 = new Date('2026-09-01T08:00:00Z');
const d4 = new Date('2026-10-15T08:00:00Z');
const now = new Date('2026-11-26T10:00:00Z');

/**
 * The pairwise merge as it was before the set-based one (review.ts at d4b5dcf), with the
 * implied provenance written first as the set-based merge does: the reference the
 * set-based merge must match, pair by pair.
 */
async function referenceMergePair(tx: Kysely<Database>, survivorId: string, otherId: string, now: Date): Promise<void> {
  const SCALARS = ['firstName', 'lastName', 'email', 'jobTitle', 'organisationId'] as const;
  const HANDLED = new Set(['people', 'person_field_history', 'prospect_field_provenance', 'dedupe_review_queue', 'person_states', 'contract_contacts']);
  const rows = await tx.selectFrom('people').selectAll().where('id', 'in', [survivorId, otherId]).execute();
  const s = rows.find((r) => r.id === survivorId);
  const o = rows.find((r) => r.id === otherId);
  if (!s || !o) throw new RempartError('NOT_FOUND', 'One of the two people no longer exists.');
  const restricted = await tx.selectFrom('personStates').select('personId').where('personId', 'in', [survivorId, otherId]).where('restrictedAt', 'is not', null).execute();
  if (restricted.length > 0) throw new RempartError('FORBIDDEN', 'restricted');
  await materialiseProvenance(tx, [survivorId, otherId]);
  const prov = await tx.selectFrom('prospectFieldProvenance').selectAll().where('personId', 'in', [survivorId, otherId]).where('chosen', '=', true).execute();
  const dateOf = (personId: string, field: string, fallback: Date) => prov.find((p) => p.personId === personId && p.field === field)?.collectedAt.getTime() ?? fallback.getTime();
  const sourceOf = (personId: string, field: string, fallback: string) => prov.find((p) => p.personId === personId && p.field === field)?.source ?? fallback;
  const patch: Record<string, unknown> = {};
  const winners: Record<string, string> = {};
  for (const f of SCALARS) {
    const sv = s[f];
    const ov = o[f];
    if (ov === null || ov === '') continue;
    // Field survivorship is survivorship.ts's (tested rule by rule in survivorship.test.ts);
    // this reference checks that the set-based merge applies it as a pairwise merge would.
    const d = decideField(
      f,
      { value: sv, source: sourceOf(survivorId, f, s.source), collectedAt: new Date(dateOf(survivorId, f, s.collectedAt)) },
      { value: ov, source: sourceOf(otherId, f, o.source), collectedAt: new Date(dateOf(otherId, f, o.collectedAt)) },
      'reviewed',
    );
    if (d.keep === 'offered') {
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
  // States: since issue 17 (item 6) the strictest of the two (strictestState), pair by pair.
  const states = await tx.selectFrom('personStates').selectAll().where('personId', '=', otherId).executeTakeFirst();
  if (states) {
    const { personId: _drop, ...rest } = states;
    const mine = await tx.selectFrom('personStates').selectAll().where('personId', '=', survivorId).executeTakeFirst();
    const { personId: _mine, ...own } = mine ?? { personId: survivorId, ...Object.fromEntries(Object.keys(rest).map((k) => [k, null])) };
    const set = strictestState(own as MergeState, rest) as unknown as Omit<Insertable<Database['personStates']>, 'personId'>;
    await tx.insertInto('personStates').values({ personId: survivorId, ...set }).onConflict((oc) => oc.column('personId').doUpdateSet(set)).execute();
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
  // Added with the set-based merge: a pending pair now naming one record is settled (accepted).
  await tx.updateTable('dedupeReviewQueue').set({ status: 'accepted', decidedAt: now, decidedBy: actor.id }).where('status', '=', 'pending').whereRef('leftPersonId', '=', 'rightPersonId').where('leftPersonId', '=', survivorId).execute();
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
}

interface PersonSeed {
  readonly id?: string;
  readonly first?: string | null;
  readonly last?: string | null;
  readonly email?: string | null;
  readonly job?: string | null;
  readonly org?: string | null;
  readonly phones?: readonly string[];
  readonly addresses?: readonly (readonly [string, string])[];
  readonly source: string;
  readonly at: Date;
}

async function person(db: Kysely<Database>, p: PersonSeed): Promise<string> {
  const id = p.id ?? newId(p.at.getTime());
  await db
    .insertInto('people')
    .values({
      id,
      relation: 'prospect',
      firstName: p.first ?? null,
      lastName: p.last ?? null,
      email: p.email ?? null,
      jobTitle: p.job ?? null,
      organisationId: p.org ?? null,
      phones: JSON.stringify((p.phones ?? []).map((number) => ({ number, type: 'mobile' }))),
      postalAddresses: JSON.stringify((p.addresses ?? []).map(([line1, postcode]) => ({ line1, postcode, city: 'Ville', country: 'FR' }))),
      source: p.source,
      collectedAt: p.at,
    })
    .execute();
  return id;
}

async function provenance(db: Kysely<Database>, personId: string, rows: readonly (readonly [string, string, Date, boolean])[]): Promise<void> {
  await db
    .insertInto('prospectFieldProvenance')
    .values(rows.map(([field, source, collectedAt, chosen]) => ({ personId, field, source, collectedAt, chosen, importJobId: null })))
    .execute();
}

async function org(db: Kysely<Database>, name: string): Promise<string> {
  const id = newId();
  await db.insertInto('organisations').values({ id, name, kind: 'prospect', addresses: JSON.stringify([]) }).execute();
  return id;
}

async function contract(db: Kysely<Database>, orgId: string, contacts: readonly string[]): Promise<string> {
  const id = newId();
  await db.insertInto('contracts').values({ id, organisationId: orgId, offer: 'Offre', startDate: '2026-01-01' }).execute();
  if (contacts.length > 0) await db.insertInto('contractContacts').values(contacts.map((personId) => ({ contractId: id, personId }))).execute();
  return id;
}

async function reviewPair(db: Kysely<Database>, left: string, right: string, status: 'pending' | 'rejected' = 'pending'): Promise<string> {
  const id = newId();
  await db
    .insertInto('dedupeReviewQueue')
    .values({ id, leftPersonId: left, rightPersonId: right, score: 0.7, comparison: JSON.stringify({}), status, importJobId: null, createdAt: d1, decidedAt: status === 'pending' ? null : d2, decidedBy: status === 'pending' ? null : actor.id })
    .execute();
  return id;
}

/** Everything a merge may touch, for the given people, in a stable order. */
async function snapshot(db: Kysely<Database>, ids: readonly string[]) {
  const idList = [...ids];
  return {
    people: await db.selectFrom('people').selectAll().where('id', 'in', idList).orderBy('id').execute(),
    provenance: await db.selectFrom('prospectFieldProvenance').selectAll().where('personId', 'in', idList).orderBy('personId').orderBy('field').orderBy('source').execute(),
    states: await db.selectFrom('personStates').selectAll().where('personId', 'in', idList).orderBy('personId').execute(),
    contacts: await db.selectFrom('contractContacts').selectAll().where('personId', 'in', idList).orderBy('contractId').orderBy('personId').execute(),
    queue: await db.selectFrom('dedupeReviewQueue').selectAll().where((eb) => eb.or([eb('leftPersonId', 'in', idList), eb('rightPersonId', 'in', idList)])).orderBy('id').execute(),
    complaints: await db.selectFrom('complaints').select(['id', 'personId']).where('personId', 'in', idList).orderBy('id').execute(),
    orders: await db.selectFrom('orders').select(['id', 'personId']).where('personId', 'in', idList).orderBy('id').execute(),
  };
}

class Rollback extends Error {}

/** Runs `work` in a transaction and rolls it back, returning what it returned. */
async function inRolledBack<T>(db: Kysely<Database>, work: (tx: Kysely<Database>) => Promise<T>): Promise<T> {
  let out: { value: T } | undefined;
  await db
    .transaction()
    .execute(async (tx) => {
      out = { value: await work(tx) };
      throw new Rollback();
    })
    .catch((e: unknown) => {
      if (!(e instanceof Rollback)) throw e;
    });
  return out!.value;
}

/** Counts the statements a Kysely instance runs (raw `sql` included). */
function counting(db: Kysely<Database>): { db: Kysely<Database>; count: () => number } {
  let n = 0;
  const plugin: KyselyPlugin = {
    transformQuery: (args) => {
      n++;
      return args.node;
    },
    transformResult: (args) => Promise.resolve(args.result),
  };
  return { db: db.withPlugin(plugin), count: () => n };
}

describeEachEngine('set-based merge of duplicate prospects', (store) => {
  const db = () => store().db;

  /** Four clusters exercising every rule, one of them with a restricted member, and two bystanders. */
  async function scenario() {
    const [o1, o2] = [await org(db(), 'Acme'), await org(db(), 'Batiplus')];
    // Cluster A: the survivor holds explicit provenance (an earlier import gave its email);
    // A1 is newer with implicit provenance; A2 is the oldest record, with an explicit job title row newer than all.
    const sA = await person(db(), { first: 'Hélène', last: 'Dubois', email: 'h.dubois@acme.fr', org: o1, phones: ['0601'], addresses: [['1 rue A', '75008']], source: 'Salon', at: d1 });
    await provenance(db(), sA, [
      ['firstName', 'Salon', d1, true],
      ['lastName', 'Salon', d1, true],
      ['email', 'Salon', d1, false],
      ['email', 'Achat', d2, true],
      ['organisationId', 'Salon', d1, true],
      ['phones', 'Salon', d1, true],
      ['postalAddresses', 'Salon', d1, true],
    ]);
    const a1 = await person(db(), { first: 'Helene', last: 'Dubois', email: 'helene.dubois@gmail.com', job: 'DSI', phones: ['0601', '0602'], source: 'Web', at: d3 });
    const a2 = await person(db(), { first: 'H.', last: 'Dubois', email: 'hd@old.fr', job: 'Comptable', org: o2, addresses: [['1 rue A', '75008'], ['5 av B', '69003']], source: 'Fichier 2025', at: d0 });
    await provenance(db(), a2, [
      ['firstName', 'Fichier 2025', d0, true],
      ['lastName', 'Fichier 2025', d0, true],
      ['email', 'Fichier 2025', d0, true],
      ['email', 'Achat', d4, false],
      ['jobTitle', 'Achat', d4, true],
      ['organisationId', 'Fichier 2025', d0, true],
      ['postalAddresses', 'Fichier 2025', d0, true],
    ]);
    // Cluster B: states on both sides; the other fills an empty job title.
    const sB = await person(db(), { first: 'Jérôme', last: 'Moreau', email: '', phones: ['0701'], source: 'Salon', at: d1 });
    const b1 = await person(db(), { first: 'Jerome', last: 'Moreau', email: 'j.moreau@x.fr', job: 'Gérant', source: 'Web', at: d2 });
    await db().insertInto('personStates').values({ personId: sB, objectedProspectingAt: d1, objectionOtherAt: d1, objectionOtherGrounds: 'grounds' }).execute();
    await db().insertInto('personStates').values({ personId: b1, objectedProspectingAt: d2 }).execute();
    // Cluster C: a restricted member (GDPR Art. 18).
    const sC = await person(db(), { first: 'Léa', last: 'Girard', email: 'lea@girard.fr', source: 'Salon', at: d1 });
    const c1 = await person(db(), { first: 'Lea', last: 'Girard', email: 'lea.girard@web.fr', source: 'Web', at: d2 });
    await db().insertInto('personStates').values({ personId: c1, restrictedAt: d2, restrictionReason: 'accuracy contested' }).execute();
    // Cluster D: the older other wins nothing but its earlier date and source.
    const sD = await person(db(), { first: 'Zoé', last: 'Perrin', email: 'zoe@perrin.fr', source: 'Web', at: d2 });
    const d1Id = await person(db(), { first: 'Zoe', last: 'Perrin', email: 'z.perrin@old.fr', source: 'Fichier 2025', at: d0 });
    const [x, y] = [await person(db(), { first: 'X', last: 'Autre', source: 'Salon', at: d1 }), await person(db(), { first: 'Y', last: 'Autre', source: 'Salon', at: d1 })];

    // Contracts: K1 has the survivor and both others (duplicates dropped); K2 has both others
    // (the first in merge order stays); K3 has B's other only.
    await contract(db(), o1, [sA, a1, a2]);
    await contract(db(), o1, [a2, a1]);
    await contract(db(), o2, [b1]);
    for (const [pid, subject] of [[a1, 'Livraison'], [a2, 'Facture'], [c1, 'Retard']] as const) {
      await db().insertInto('complaints').values({ id: newId(), personId: pid, organisationId: o1, subject }).execute();
    }
    await db().insertInto('orders').values({ id: newId(), organisationId: o2, personId: b1, number: `N-${newId()}`, orderedAt: '2026-02-01', amount: '120.00' }).execute();
    // Review pairs: re-pointed pairs repeating another (the older pending one stays; a
    // rejection wins over a pending one), a pair inside a cluster, a pair across clusters.
    await reviewPair(db(), a1, x);
    await reviewPair(db(), x, sA);
    await reviewPair(db(), sA, y);
    await reviewPair(db(), a2, y, 'rejected');
    await reviewPair(db(), a1, a2);
    await reviewPair(db(), b1, a1);
    await reviewPair(db(), c1, x);

    const clusters: MergeCluster[] = [
      { survivorId: sA, otherIds: [a1, a2] },
      { survivorId: sB, otherIds: [b1] },
      { survivorId: sC, otherIds: [c1] },
      { survivorId: sD, otherIds: [d1Id] },
    ];
    return { clusters, ids: [sA, a1, a2, sB, b1, sC, c1, sD, d1Id, x, y], sA, a1, a2, sB, sC, c1, o1 };
  }

  it('R-PROS-2 merging several clusters at once leaves the database as merging their pairs one by one did', async () => {
    const s = await scenario();
    const reference = await inRolledBack(db(), async (tx) => {
      for (const c of s.clusters) {
        for (const other of c.otherIds) {
          await referenceMergePair(tx, c.survivorId, other, now).catch((e: unknown) => {
            if (!(isRempartError(e) && e.code === 'FORBIDDEN')) throw e;
          });
        }
      }
      return snapshot(tx, s.ids);
    });
    const { outcome, after } = await inRolledBack(db(), async (tx) => {
      const outcome = await mergeClusters(tx, s.clusters, actor, now, 'test');
      return { outcome, after: await snapshot(tx, s.ids) };
    });
    expect(outcome.merged.map((c) => c.survivorId)).toEqual([s.clusters[0]!.survivorId, s.clusters[1]!.survivorId, s.clusters[3]!.survivorId]);
    expect(outcome.restricted).toEqual([s.clusters[2]]);
    expect(after).toEqual(reference);

    // And the reference is what the rules say (so both are not equally wrong).
    const a = after.people.find((p) => p.id === s.sA)!;
    // A second e-mail is a secondary value (survivorship.ts): the held one stays primary.
    expect(a).toMatchObject({ firstName: 'Helene', lastName: 'Dubois', email: 'h.dubois@acme.fr', jobTitle: 'Comptable', organisationId: s.o1, source: 'Fichier 2025', collectedAt: d0 });
    expect(a.phones.map((p) => p.number)).toEqual(['0601', '0602']);
    expect(a.postalAddresses.map((p) => p.line1)).toEqual(['1 rue A', '5 av B']);
    const chosen = after.provenance.filter((r) => r.personId === s.sA && r.chosen).map((r) => [r.field, r.source]);
    expect(chosen).toEqual([
      ['email', 'Achat'],
      ['firstName', 'Web'],
      ['jobTitle', 'Achat'],
      ['lastName', 'Web'],
      ['organisationId', 'Salon'],
      ['phones', 'Salon'],
      ['postalAddresses', 'Salon'],
    ]);
    expect(after.provenance.find((r) => r.personId === s.sA && r.field === 'email' && r.source === 'Achat')).toMatchObject({ collectedAt: d4, chosen: true });
    // The strictest state: the earlier objection to prospecting stays (d1, not the other's d2).
    expect(after.states.find((r) => r.personId === s.sB)).toMatchObject({ objectedProspectingAt: d1, objectionOtherAt: d1, objectionOtherGrounds: 'grounds' });
    expect(after.contacts.map((c) => c.personId).sort()).toEqual([s.sA, s.sA, s.sB].sort());
    expect(after.complaints.map((c) => c.personId).sort()).toEqual([s.sA, s.sA, s.c1].sort());
    expect(after.queue).toHaveLength(5);
    expect(after.people.map((p) => p.id)).not.toContain(s.a1);
  });

  it('R-PROS-2 R-PROS-9 survivorship by provenance date reads implicit provenance, and the survivor ends with a row for each field', async () => {
    // Both records have no provenance rows: each field came from the record's own source and date.
    const sId = await person(db(), { first: 'Amélie', last: 'Bonnet', email: 'a.bonnet@old.fr', job: 'DSI', source: 'Salon', at: d2 });
    const oId = await person(db(), { first: 'Amelie', last: 'Bonnet', email: 'amelie@new.fr', phones: ['0611'], source: 'Web', at: d3 });
    const older = await person(db(), { last: 'Bonnet', job: 'Gérante', source: 'Fichier 2025', at: d0 });
    await db().transaction().execute((tx) => mergeClusters(tx, [{ survivorId: sId, otherIds: [oId, older] }], actor, now, 'test'));
    const p = await db().selectFrom('people').selectAll().where('id', '=', sId).executeTakeFirstOrThrow();
    // Newer values win; the older record's job title loses to the survivor's (d0 < d2); its date and source stay as the first collection.
    expect(p).toMatchObject({ firstName: 'Amelie', lastName: 'Bonnet', email: 'a.bonnet@old.fr', jobTitle: 'DSI', source: 'Fichier 2025', collectedAt: d0 });
    expect(p.phones).toEqual([{ number: '0611', type: 'mobile' }]);
    const rows = (await fieldProvenance(db(), sId)).map((r) => [r.field, r.source, r.collectedAt.toISOString(), r.chosen, r.implied]);
    expect(rows).toEqual([
      ['email', 'Salon', d2.toISOString(), true, false],
      ['email', 'Web', d3.toISOString(), false, false],
      ['firstName', 'Salon', d2.toISOString(), false, false],
      ['firstName', 'Web', d3.toISOString(), true, false],
      ['jobTitle', 'Fichier 2025', d0.toISOString(), false, false],
      ['jobTitle', 'Salon', d2.toISOString(), true, false],
      ['lastName', 'Fichier 2025', d0.toISOString(), false, false],
      ['lastName', 'Salon', d2.toISOString(), false, false],
      ['lastName', 'Web', d3.toISOString(), true, false],
      // The phones came from the other record only: united, so no source is "chosen" (as the pairwise merge did).
      ['phones', 'Web', d3.toISOString(), false, false],
    ]);
    expect(await db().selectFrom('people').select('id').where('id', 'in', [oId, older]).execute()).toEqual([]);
  });

  it('R-PROS-2 GDPR Art. 18 a cluster with a restricted member is left whole and counted; the other clusters of the chunk merge', async () => {
    const sR = await person(db(), { first: 'Noémie', last: 'Robin', email: 'n@robin.fr', source: 'Salon', at: d1 });
    const r1 = await person(db(), { first: 'Noemie', last: 'Robin', email: 'noemie@web.fr', source: 'Web', at: d2 });
    const r2 = await person(db(), { first: 'Noemie', last: 'Robin', email: 'nr@web.fr', source: 'Web', at: d3 });
    await db().insertInto('personStates').values({ personId: r2, restrictedAt: d3 }).execute();
    const sF = await person(db(), { first: 'Benoît', last: 'Faure', email: 'b@faure.fr', source: 'Salon', at: d1 });
    const f1 = await person(db(), { first: 'Benoit', last: 'Faure', email: 'benoit@web.fr', source: 'Web', at: d2 });
    const before = await snapshot(db(), [sR, r1, r2]);
    const outcome = await db().transaction().execute((tx) =>
      mergeClusters(tx, [{ survivorId: sR, otherIds: [r1, r2] }, { survivorId: sF, otherIds: [f1] }], actor, now, 'test'),
    );
    expect(outcome.restricted).toEqual([{ survivorId: sR, otherIds: [r1, r2] }]);
    expect(outcome.merged).toEqual([{ survivorId: sF, otherIds: [f1] }]);
    // Nothing of the restricted cluster changed, not even the implied provenance.
    expect(await snapshot(db(), [sR, r1, r2])).toEqual(before);
    expect(await db().selectFrom('people').select('email').where('id', '=', sF).executeTakeFirstOrThrow()).toEqual({ email: 'b@faure.fr' });
    // Merged: the other's e-mail is the survivor's secondary address, with its source.
    expect(await db().selectFrom('personFieldHistory').select(['field', 'value', 'reason']).where('personId', '=', sF).execute()).toEqual([{ field: 'email', value: 'benoit@web.fr', reason: 'secondary' }]);

    // The reviewer's path keeps its errors: FORBIDDEN for a restricted person, NOT_FOUND for one gone.
    await expect(db().transaction().execute((tx) => mergePeople(tx, sR, r2, actor, now))).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(db().transaction().execute((tx) => mergePeople(tx, sF, f1, actor, now))).rejects.toMatchObject({ code: 'NOT_FOUND' });
    // Two clusters sharing a record are a caller's mistake, refused before any write.
    await expect(db().transaction().execute((tx) => mergeClusters(tx, [{ survivorId: sR, otherIds: [r1] }, { survivorId: r1, otherIds: [sF] }], actor, now, 'test'))).rejects.toMatchObject({ code: 'INTERNAL' });
  });

  it('R-PROS-2 a pending pair inside a merged cluster is settled by the merge (accepted), and accepting it again is refused', async () => {
    const sP = await person(db(), { first: 'Inès', last: 'Picard', email: 'ines@picard.fr', source: 'Salon', at: d1 });
    const p1 = await person(db(), { first: 'Ines', last: 'Picard', email: 'ines.picard@web.fr', source: 'Web', at: d2 });
    const p2 = await person(db(), { first: 'Ines', last: 'PICARD', email: 'ipicard@web.fr', source: 'Web', at: d3 });
    const pair = await reviewPair(db(), p1, p2);
    await db().transaction().execute((tx) => mergeClusters(tx, [{ survivorId: sP, otherIds: [p1, p2] }], actor, now, 'test'));
    expect(await db().selectFrom('dedupeReviewQueue').select(['leftPersonId', 'rightPersonId', 'status', 'decidedBy']).where('id', '=', pair).executeTakeFirstOrThrow()).toEqual({ leftPersonId: sP, rightPersonId: sP, status: 'accepted', decidedBy: actor.id });
    await expect(decideReviewPair(db(), pair, 'accept', actor, now)).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(await db().selectFrom('people').select('email').where('id', '=', sP).executeTakeFirstOrThrow()).toEqual({ email: 'ines@picard.fr' });
    // Merged: the other's e-mail is the survivor's secondary address, with its source.
    expect(await db().selectFrom('personFieldHistory').select(['field', 'value', 'reason']).where('personId', '=', sP).orderBy('value').execute()).toEqual([
      { field: 'email', value: 'ines.picard@web.fr', reason: 'secondary' },
      { field: 'email', value: 'ipicard@web.fr', reason: 'secondary' },
    ]);
  });

  it('R-PROS-2 the statements of a merge do not grow with the number of clusters; one audit pair per cluster', async () => {
    const make = async (n: number) => {
      const out: MergeCluster[] = [];
      for (let i = 0; i < n; i++) {
        const survivorId = await person(db(), { first: 'Cédric', last: `Blanc${i}`, email: `c${i}@a.fr`, phones: [`08${i}`], source: 'Salon', at: d1 });
        const a = await person(db(), { first: 'Cedric', last: `Blanc${i}`, email: `c${i}@b.fr`, source: 'Web', at: d2 });
        const b = await person(db(), { first: 'Cedric', last: `Blanc${i}`, job: 'DSI', source: 'Web', at: d3 });
        await db().insertInto('complaints').values({ id: newId(), personId: a, subject: 'x' }).execute();
        await reviewPair(db(), a, b);
        out.push({ survivorId, otherIds: [a, b] });
      }
      return out;
    };
    const [small, large] = [await make(2), await make(12)];
    const run = async (clusters: readonly MergeCluster[]) => {
      const counter = counting(db());
      const audit0 = (await db().selectFrom('auditQueue').select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow()).n;
      await counter.db.transaction().execute((tx) => mergeClusters(tx, clusters, actor, now, 'test'));
      const audit1 = (await db().selectFrom('auditQueue').select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow()).n;
      return { statements: counter.count(), audited: audit1 - audit0 };
    };
    const [a, b] = [await run(small), await run(large)];
    expect(b.statements).toBe(a.statements);
    expect([a.audited, b.audited]).toEqual([4, 24]);
    const left = await db().selectFrom('people').select('id').where('id', 'in', large.flatMap((c) => c.otherIds)).execute();
    expect(left).toEqual([]);
    const complaints = await db().selectFrom('complaints').select('personId').where('personId', 'in', large.map((c) => c.survivorId)).execute();
    expect(complaints).toHaveLength(12);
  });
});
