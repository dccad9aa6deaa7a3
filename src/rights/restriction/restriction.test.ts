import { randomBytes } from 'node:crypto';
import { expect, it } from 'vitest';
import { describeEachEngine } from '../../../test/engines.js';
import { cliActor } from '../../access/actor.js';
import { AuditWriter, auditSink } from '../../access/audit/index.js';
import { Gate } from '../../access/gate.js';
import { resource } from '../../crm/resources.js';
import type { Store } from '../../db/database.js';
import { isRempartError } from '../../errors.js';
import { loadPolicy, type Operation } from '../../policy/index.js';
import { decideObjection, isOpposed, objectToOtherProcessing, objectToProspecting } from '../opposition/index.js';
import { personStateChecks, restrict, unrestrict, type LiftNotice } from './index.js';

const policy = await loadPolicy('policies/certilience.yaml');
const people = resource('people');
const complaints = resource('complaints');

function gateOf(store: Store): Gate {
  return new Gate({ db: store.db, policy, now: () => new Date(), audit: auditSink(new AuditWriter(store.db)), personState: personStateChecks(policy) });
}

async function refused(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    if (isRempartError(e, 'FORBIDDEN')) return e.message;
    throw e;
  }
  throw new Error('expected FORBIDDEN');
}

describeEachEngine('restriction and objection', (store) => {
  const operator = () => gateOf(store()).for(cliActor());
  const newPerson = async (email: string) =>
    String((await operator().create(people, { relation: 'client_contact', lastName: 'Durand', firstName: 'Alix', email, phones: [{ number: '06 12 34 56 78' }], postalAddresses: [], source: 'salon' })).id);

  it('P5.4 a restricted person is refused by every write and export path of the gate; reads stay (storage, Art. 18(2))', async () => {
    const id = await newPerson('alix.durand@example.test');
    const complaint = String((await operator().create(complaints, { personId: id, subject: 'Retard' })).id);
    await restrict(store().db, id, 'accuracy contested (Art. 18(1)(a))');

    const messages = [
      await refused(operator().update(people, id, { jobTitle: 'DSI' })),
      await refused(operator().create(complaints, { personId: id, subject: 'Nouvelle' })),
      await refused(operator().update(complaints, complaint, { subject: 'Autre' })),
      await refused(operator().delete(complaints, complaint)),
      await refused(operator().delete(people, id)),
      await refused(gateOf(store()).for(cliActor('sales')).update(people, id, { jobTitle: 'DSI' })),
    ];
    // Refusals carry no personal data.
    for (const m of messages) {
      expect(m).toContain('Art. 18');
      expect(m).not.toContain('Durand');
      expect(m).not.toContain(id);
    }
    const checks = personStateChecks(policy);
    for (const op of ['create', 'update', 'delete', 'export'] as Operation[]) {
      await expect(checks.assertProcessable(store().db, cliActor(), op, [id])).rejects.toMatchObject({ code: 'FORBIDDEN' });
      await expect(checks.assertProcessable(store().db, cliActor('dpo'), op, [id])).resolves.toBeUndefined();
    }
    // Stored data can still be read (and the read is audited).
    expect((await operator().get(people, id)).lastName).toBe('Durand');
    expect((await operator().list(complaints, {})).items.length).toBeGreaterThan(0);
    // Nothing changed.
    expect((await operator().get(complaints, complaint)).subject).toBe('Retard');
  });

  it('P5.4 lifting a restriction sends the person a notice first (Art. 18(3))', async () => {
    const id = await newPerson('lift@example.test');
    await restrict(store().db, id, 'objection pending');
    const seen: { notice: LiftNotice; stillRestricted: boolean }[] = [];
    await unrestrict(store().db, id, {
      notify: async (notice) => {
        const state = await store().db.selectFrom('personStates').select('restrictedAt').where('personId', '=', id).executeTakeFirstOrThrow();
        seen.push({ notice, stillRestricted: state.restrictedAt !== null });
      },
    });
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ stillRestricted: true, notice: { email: 'lift@example.test', personId: id } });
    const state = await store().db.selectFrom('personStates').selectAll().where('personId', '=', id).executeTakeFirstOrThrow();
    expect(state.restrictedAt).toBeNull();
    expect(state.liftNoticeSentAt).toBeInstanceOf(Date);
    await expect(operator().update(people, id, { jobTitle: 'DAF' })).resolves.toBeDefined();

    // A failed notice leaves the restriction in place.
    await restrict(store().db, id, 'again');
    await expect(unrestrict(store().db, id, { notify: () => Promise.reject(new Error('smtp down')) })).rejects.toThrow('smtp down');
    await refused(operator().update(people, id, { jobTitle: 'CFO' }));
  });

  it('P5.6 objection to prospecting puts the person on the opposition list at once', async () => {
    const key = randomBytes(32);
    const id = await newPerson('Objecting.Person@Example.test');
    expect(await isOpposed(store().db, key, { email: 'objecting.person@example.test' })).toBe(false);
    await objectToProspecting(store().db, key, id);
    expect(await isOpposed(store().db, key, { email: '  OBJECTING.person@example.TEST ' })).toBe(true);
    expect(await isOpposed(store().db, key, { phone: '+33 6 12 34 56 78' })).toBe(true);
    expect(await isOpposed(store().db, key, { phone: '+33 6 00 00 00 00' })).toBe(false);
    const state = await store().db.selectFrom('personStates').select('objectedProspectingAt').where('personId', '=', id).executeTakeFirstOrThrow();
    expect(state.objectedProspectingAt).toBeInstanceOf(Date);
  });

  it('P5.6 objection to other legitimate-interest processing stops edits and exports until the dpo decides, with grounds', async () => {
    const id = await newPerson('other@example.test');
    await objectToOtherProcessing(store().db, id, 'situation particulière');
    expect(await refused(operator().update(people, id, { jobTitle: 'DSI' }))).toContain('Art. 21');
    await expect(personStateChecks(policy).assertProcessable(store().db, cliActor(), 'export', [id])).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(operator().get(people, id)).resolves.toBeDefined();
    await expect(decideObjection(store().db, id, { decision: 'overridden', grounds: '' })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    await decideObjection(store().db, id, { decision: 'overridden', grounds: 'motifs légitimes impérieux: recouvrement en cours' });
    await expect(operator().update(people, id, { jobTitle: 'DSI' })).resolves.toBeDefined();
  });
});
