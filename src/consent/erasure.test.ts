import { beforeAll, expect, it } from 'vitest';
import { describeEachEngine } from '../../test/engines.js';
import { systemActor } from '../access/actor.js';
import { appendInTransaction } from '../access/audit/index.js';
import { newId } from '../db/ids.js';
import { DEFAULT_POLICY_FILE, loadPolicy, type LoadedPolicy } from '../policy/index.js';
import { erasePerson } from '../rights/erasure/index.js';
import { buildAccessExport } from '../rights/export/index.js';
import { addPartner, createTransfer, hasActiveConsent, partnersOfPerson, recordConsent, type ConsentDeps } from './index.js';

const KEY = Buffer.alloc(32, 9);
let policy: LoadedPolicy;
beforeAll(async () => {
  policy = await loadPolicy(DEFAULT_POLICY_FILE);
});

describeEachEngine('consent records under access and erasure', (store) => {
  it('P1.6 P5.1 P5.3 the access export carries the consent history and transfers; erasure unlinks them, keeping the proofs under a pseudonym that names no one', async () => {
    const { db } = store();
    const clock = new Date('2026-11-26T10:00:00Z');
    const deps: ConsentDeps = { db, policy, now: () => clock, serverKey: KEY };
    const personId = newId();
    await db.insertInto('people').values({ id: personId, relation: 'client_contact', lastName: 'Erasable', firstName: 'Ann', email: 'erasable@example.test', phones: '[]', postalAddresses: '[]', source: 'test', collectedAt: clock }).execute();
    const partner = await addPartner(db, { name: 'Groupe', kind: 'group_company', country: 'FR', email: 'dpo@groupe.test' }, clock);
    const given = await recordConsent(deps, { personId, partnerId: partner.id, state: 'given', channel: 'web_form', collector: 'user:t', evidence: 'form-9' });
    const t = await createTransfer(deps, { partnerId: partner.id, actor: systemActor('test'), fileName: 'f.csv' });
    expect(t.rows).toBe(1);

    const exp = await buildAccessExport(db, policy, [personId], { actor: 'system:test', audit: async () => undefined, now: clock, language: 'en' });
    expect(exp.data.consent_events?.map((r) => r.id)).toEqual([given.events[0]!.id]);
    expect(exp.data.transfer_items).toHaveLength(1);
    expect(await partnersOfPerson(db, personId)).toEqual([{ id: partner.id, name: 'Groupe', webhookUrl: null, email: 'dpo@groupe.test' }]);

    await erasePerson(db, policy, [personId], {
      reason: 'test',
      now: clock,
      key: KEY,
      actor: systemActor('test'),
      audit: { inTransaction: (tx, events) => appendInTransaction(tx, events) },
      vacuum: 'none',
    });
    expect(await db.selectFrom('consentSubjects').select('id').execute()).toEqual([]);
    // The proof stays (Art. 7(1), 5(2)), no longer linked to anyone.
    const kept = await db.selectFrom('consentEvents').select(['id', 'subjectId']).execute();
    expect(kept.map((k) => k.id)).toEqual([given.events[0]!.id]);
    expect(JSON.stringify(await db.selectFrom('consentEvents').selectAll().execute())).not.toContain('erasable');
    expect(await db.selectFrom('transferItems').select('transferId').execute()).toEqual([{ transferId: t.transferId }]);
    expect(await hasActiveConsent(db, personId, partner.id, clock)).toBe(false);
  });
});
