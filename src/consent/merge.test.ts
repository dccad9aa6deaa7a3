import { beforeAll, expect, it } from 'vitest';
import { describeEachEngine } from '../../test/engines.js';
import { systemActor } from '../access/actor.js';
import { appendInTransaction } from '../access/audit/index.js';
import { newId } from '../db/ids.js';
import { DEFAULT_POLICY_FILE, loadPolicy, type LoadedPolicy } from '../policy/index.js';
import { mergePeople } from '../prospecting/import/review.js';
import { erasePerson } from '../rights/erasure/index.js';
import { buildAccessExport } from '../rights/export/index.js';
import {
  activeConsents,
  addPartner,
  consentedToElectronicProspecting,
  consentedToOpenTracking,
  consentHistory,
  consentProof,
  createTransfer,
  ensureSubject,
  hasActiveConsent,
  partnersOfPerson,
  recordConsent,
  subjectOf,
  sweepConsentRecords,
  withdrawalTarget,
  withdrawalToken,
  withdrawControllerScopes,
  type ConsentDeps,
} from './index.js';

/**
 * R-PROS-2 meets consent: two records of one person, each with consent records under a
 * pseudonym of its own, are merged. Both pseudonyms then belong to the survivor, their
 * events untouched (append-only proofs, GDPR Art. 7(1)), and every answer about the
 * person's consent is the latest event across both (a withdrawal under either holds,
 * Art. 7(3)).
 */
const KEY = Buffer.alloc(32, 11);
const DAY = 86_400_000;
const T0 = new Date('2026-11-26T10:00:00Z');
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);
const actor = systemActor('test');
let policy: LoadedPolicy;
beforeAll(async () => {
  policy = await loadPolicy(DEFAULT_POLICY_FILE);
});

describeEachEngine('consent records of merged people', (store) => {
  let clock = T0;
  const deps = (): ConsentDeps => ({ db: store().db, policy, now: () => clock, serverKey: KEY });
  const record = (personId: string, minutes: number, input: Omit<Parameters<typeof recordConsent>[1], 'personId' | 'channel' | 'collector'> & { channel?: string }) => {
    clock = at(minutes);
    return recordConsent(deps(), { channel: 'web_form', collector: 'user:t', ...input, personId });
  };
  const person = async (tag: string): Promise<string> => {
    const id = newId();
    await store().db.insertInto('people').values({ id, relation: 'prospect', purpose: 'prospecting', lastName: `Durand${tag}`, firstName: 'Alice', email: `alice.${tag}.${id.slice(-6)}@gmail.com`, phones: '[]', postalAddresses: '[]', source: 'test', collectedAt: T0 }).execute();
    return id;
  };
  const merge = (survivor: string, other: string, minutes: number) => store().db.transaction().execute((tx) => mergePeople(tx, survivor, other, actor, at(minutes)));
  const pseudonyms = async (personId: string) => (await store().db.selectFrom('consentSubjects').select('id').where('personId', '=', personId).orderBy('id').execute()).map((r) => r.id);

  /**
   * The survivor (older record) consented to email prospecting, open tracking and the
   * partner; the other record consented to email prospecting then withdrew it, and gave
   * the partner its consent later. Both were sent to the partner before the merge.
   */
  async function twoRecords() {
    const db = store().db;
    const partner = await addPartner(db, { name: `Partenaire ${newId().slice(-6)}`, kind: 'partner', country: 'FR', email: 'dpo@partenaire.test' }, T0);
    const survivor = await person('a');
    const other = await person('b');
    const a1 = await record(survivor, 0, { scope: 'email_prospecting', state: 'given', evidence: 'form-a' });
    const a2 = await record(survivor, 0, { scope: 'open_tracking', state: 'given', evidence: 'form-a' });
    const a3 = await record(survivor, 0, { partnerId: partner.id, state: 'given', evidence: 'form-a' });
    const b1 = await record(other, 1, { scope: 'email_prospecting', state: 'given', evidence: 'form-b' });
    const b2 = await record(other, 2, { scope: 'email_prospecting', state: 'withdrawn', evidence: 'mail-b' });
    const b3 = await record(other, 3, { partnerId: partner.id, state: 'given', evidence: 'form-b' });
    clock = at(4);
    const sent = await createTransfer(deps(), { partnerId: partner.id, actor, fileName: 'before-merge.csv' });
    expect(sent.rows).toBe(2);
    const before = { survivor: await pseudonyms(survivor), other: await pseudonyms(other) };
    expect(before.survivor).toHaveLength(1);
    expect(before.other).toHaveLength(1);
    // Before the merge, each record answers for itself.
    expect([...(await consentedToElectronicProspecting(db, [survivor, other], at(5)))]).toEqual([survivor]);
    await merge(survivor, other, 5);
    const ids = [a1, a2, a3, b1, b2, b3].map((r) => r.events[0]!.id);
    return { partner, survivor, other, before, ids, sent, tokenB: withdrawalToken(KEY, b3.events[0]!.id) };
  }

  it('R-PROS-2 P1.6 R-PROS-6 R-PROS-10 two records that both consented merge; the survivor holds both pseudonyms, and its state is the latest across both (withdrawn stays withdrawn)', async () => {
    const db = store().db;
    const { partner, survivor, other, before, tokenB } = await twoRecords();
    expect(await db.selectFrom('people').select('id').where('id', '=', other).execute()).toEqual([]);
    expect(await pseudonyms(survivor)).toEqual([...before.survivor, ...before.other].sort());
    expect(await pseudonyms(other)).toEqual([]);

    clock = at(6);
    // The other record withdrew email prospecting after the survivor gave it: withdrawn.
    expect(await consentedToElectronicProspecting(db, [survivor], clock)).toEqual(new Set());
    // Open tracking was given by the survivor only, and never withdrawn.
    expect(await consentedToOpenTracking(db, [survivor], clock)).toEqual(new Set([survivor]));
    // The partner: given under both, active, and the person is in the next file once.
    expect(await hasActiveConsent(db, survivor, partner.id, clock)).toBe(true);
    const active = await activeConsents(db, partner.id, clock);
    expect([...active.keys()].filter((id) => id === survivor || id === other)).toEqual([survivor]);
    // The partner of the file exchange is named once, though it received both records.
    expect((await partnersOfPerson(db, survivor)).filter((p) => p.id === partner.id)).toHaveLength(1);
    const next = await createTransfer(deps(), { partnerId: partner.id, actor, fileName: 'after-merge.csv' });
    expect(next.rows).toBe(1);

    // The receipt link of the merged-away record answers for the merged person.
    const target = await withdrawalTarget(deps(), tokenB);
    expect(target).toMatchObject({ personId: survivor, active: true, partnerId: partner.id });

    // A withdrawal of the partner's consent now reaches the partner: it received both records.
    clock = at(7);
    const withdrawn = await recordConsent(deps(), { personId: survivor, partnerId: partner.id, state: 'withdrawn', channel: 'link', collector: 'user:t' });
    expect(withdrawn.partnersNotified).toEqual([partner.id]);
    expect(await hasActiveConsent(db, survivor, partner.id, clock)).toBe(false);
    expect((await withdrawalTarget(deps(), tokenB)).active).toBe(false);
  });

  it('R-PROS-2 P1.6 R-PROS-6 a new event of the merged person goes under one pseudonym, the oldest; a one-click opt-out withdraws only what is active across both', async () => {
    const db = store().db;
    const { survivor, before } = await twoRecords();
    const oldest = [...before.survivor, ...before.other].sort()[0]!;
    expect(await subjectOf(db, survivor)).toBe(oldest);
    expect(await ensureSubject(db, survivor, at(6))).toBe(oldest);
    clock = at(6);
    const again = await recordConsent(deps(), { personId: survivor, scope: 'email_prospecting', state: 'given', channel: 'web_form', collector: 'user:t', evidence: 'form-c' });
    const row = await db.selectFrom('consentEvents').select('subjectId').where('id', '=', again.events[0]!.id).executeTakeFirstOrThrow();
    expect(row.subjectId).toBe(oldest);
    expect(await consentedToElectronicProspecting(db, [survivor], clock)).toEqual(new Set([survivor]));
    expect(await pseudonyms(survivor)).toHaveLength(2);

    // The opt-out sees both consents active now and withdraws each once, under the oldest pseudonym.
    const out = await db.transaction().execute((tx) => withdrawControllerScopes(tx, deps(), { personId: survivor, channel: 'unsubscribe_link', collector: 'system:opt-out', evidence: 'test click', now: at(7) }));
    expect(out.map((e) => e.scope).sort()).toEqual(['email_prospecting', 'open_tracking']);
    expect(await consentedToElectronicProspecting(db, [survivor], at(8))).toEqual(new Set());
    expect(await consentedToOpenTracking(db, [survivor], at(8))).toEqual(new Set());
    const second = await db.transaction().execute((tx) => withdrawControllerScopes(tx, deps(), { personId: survivor, channel: 'unsubscribe_link', collector: 'system:opt-out', evidence: 'test click', now: at(8) }));
    expect(second).toEqual([]);
  });

  it('R-PROS-2 P1.6 at one instant, a refusal under one record wins over a consent under the other, whatever order they were recorded in', async () => {
    const db = store().db;
    const partner = await addPartner(db, { name: `Partenaire ${newId().slice(-6)}`, kind: 'partner', country: 'FR', email: 'dpo@partenaire.test' }, T0);
    const survivor = await person('c');
    const other = await person('d');
    // Both dated by the day (a paper form, an imported column): the refusal is recorded first.
    const day = new Date('2026-11-20T00:00:00Z');
    await record(other, 0, { partnerId: partner.id, state: 'refused', eventAt: day, channel: 'paper', evidence: 'paper-d' });
    await record(survivor, 1, { partnerId: partner.id, state: 'given', eventAt: day, channel: 'paper', evidence: 'paper-c' });
    await record(other, 2, { scope: 'email_prospecting', state: 'refused', eventAt: day, channel: 'paper', evidence: 'paper-d' });
    await record(survivor, 3, { scope: 'email_prospecting', state: 'given', eventAt: day, channel: 'paper', evidence: 'paper-c' });
    await merge(survivor, other, 4);
    clock = at(5);
    expect(await hasActiveConsent(db, survivor, partner.id, clock)).toBe(false);
    expect((await activeConsents(db, partner.id, clock)).has(survivor)).toBe(false);
    expect(await consentedToElectronicProspecting(db, [survivor], clock)).toEqual(new Set());
    // The history puts the deciding event of the instant last, and the proof agrees.
    const history = await consentHistory(db, survivor, partner.id);
    expect(history.map((e) => e.state)).toEqual(['given', 'refused']);
    expect((await consentProof(db, policy, survivor, partner.id, clock)).activeNow).toBe(false);
    expect((await consentProof(db, policy, survivor, undefined, clock, 'email_prospecting')).activeNow).toBe(false);
  });

  it('R-PROS-2 P1.6 P5.1 the proof for the dpo and the access export list both histories and both transfers', async () => {
    const db = store().db;
    const { partner, survivor, ids, sent } = await twoRecords();
    clock = at(6);
    const proof = await consentProof(db, policy, survivor, undefined, clock);
    expect(proof.history.map((r) => r.recordId).sort()).toEqual([...ids].sort());
    expect(new Set(proof.history.map((r) => r.subject.pseudonym)).size).toBe(2);
    expect(proof.history.every((r) => r.subject.id === survivor)).toBe(true);
    expect(proof.transfers.map((t) => t.id)).toEqual([sent.transferId, sent.transferId]);
    const forPartner = await consentProof(db, policy, survivor, partner.id, clock);
    expect(forPartner.history.map((r) => r.event.evidence)).toEqual(['form-a', 'form-b']);
    expect(forPartner.activeNow).toBe(true);
    const email = await consentProof(db, policy, survivor, undefined, clock, 'email_prospecting');
    expect(email.history.map((r) => r.event.state)).toEqual(['given', 'given', 'withdrawn']);
    expect(email.activeNow).toBe(false);

    const exp = await buildAccessExport(db, policy, [survivor], { actor: 'system:test', audit: async () => undefined, now: clock, language: 'en' });
    expect(exp.data.consent_events?.map((r) => r.id).sort()).toEqual([...ids].sort());
    expect(exp.data.transfer_items).toHaveLength(2);
  });

  it('R-PROS-2 P1.6 P5.3 erasing the merged person removes both pseudonyms; the proofs of both records stay, naming no one', async () => {
    const db = store().db;
    const { partner, survivor, before, ids } = await twoRecords();
    const both = [...before.survivor, ...before.other];
    await erasePerson(db, policy, [survivor], { reason: 'test', now: at(6), key: KEY, actor, audit: { inTransaction: (tx, events) => appendInTransaction(tx, events) }, vacuum: 'none' });
    expect(await db.selectFrom('consentSubjects').select('id').where('id', 'in', both).execute()).toEqual([]);
    const kept = await db.selectFrom('consentEvents').selectAll().where('subjectId', 'in', both).execute();
    expect(kept.map((k) => k.id).sort()).toEqual([...ids].sort());
    expect(JSON.stringify(kept)).not.toMatch(/alice|durand/i);
    expect(await db.selectFrom('transferItems').select('subjectId').where('subjectId', 'in', both).execute()).toHaveLength(2);
    expect(await hasActiveConsent(db, survivor, partner.id, at(6))).toBe(false);
    expect(await consentHistory(db, survivor)).toEqual([]);
  });

  it('R-PROS-2 P1.6 R-PROS-6 the sweep treats a merged person\'s pseudonyms as one chain: a withdrawal under one record is never swept while a consent under the other stays', async () => {
    const db = store().db;
    const { survivor, before } = await twoRecords();
    const both = [...before.survivor, ...before.other];
    const events = async (scope: 'email_prospecting' | 'open_tracking') =>
      (await db.selectFrom('consentEvents').select('state').where('subjectId', 'in', both).where('scope', '=', scope).execute()).length;
    // consent_proofs: 5 years from the withdrawal (the default policy).
    await sweepConsentRecords(db, policy, new Date(at(2).getTime() + 5 * 365 * DAY));
    expect(await events('email_prospecting')).toBe(3);
    const past = new Date(at(2).getTime() + (5 * 366 + 1) * DAY);
    await sweepConsentRecords(db, policy, past);
    // The whole email chain goes, the survivor's old consent with it: left alone, it
    // would make the person look consenting again once the withdrawal is swept.
    expect(await events('email_prospecting')).toBe(0);
    expect(await consentedToElectronicProspecting(db, [survivor], past)).toEqual(new Set());
    // A given consent stands and stays.
    expect(await events('open_tracking')).toBe(1);
    expect(await consentedToOpenTracking(db, [survivor], past)).toEqual(new Set([survivor]));
  });

  it('R-PROS-2 P1.6 two writers creating the first pseudonym of a person at once end with one', async () => {
    const db = store().db;
    const id = await person('e');
    // Two connections open beforehand, so the second writer starts at once on PostgreSQL.
    await Promise.all([0, 1].map(() => db.transaction().execute((tx) => tx.selectFrom('people').select('id').limit(1).execute())));
    let releaseFirst: () => void = () => undefined;
    const firstHolds = new Promise<void>((r) => (releaseFirst = r));
    let firstCreated: (v: string) => void = () => undefined;
    const created = new Promise<string>((r) => (firstCreated = r));
    const first = db.transaction().execute(async (tx) => {
      firstCreated(await ensureSubject(tx, id, T0));
      await firstHolds;
    });
    const firstId = await created;
    // On PostgreSQL the second writer waits on the person's row until the first commits;
    // PGlite runs one transaction at a time, so it starts after.
    const second = db.transaction().execute((tx) => ensureSubject(tx, id, T0));
    await new Promise((r) => setTimeout(r, 300));
    releaseFirst();
    await first;
    expect(await second).toBe(firstId);
    expect(await pseudonyms(id)).toEqual([firstId]);
    await expect(ensureSubject(db, newId(), T0)).rejects.toThrow(/not found/);
  });
});
