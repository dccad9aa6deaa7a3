import { randomBytes } from 'node:crypto';
import { expect, it } from 'vitest';
import { describeEachEngine } from '../../../test/engines.js';
import { cliActor } from '../../access/actor.js';
import { AuditWriter, auditSink, chainPending } from '../../access/audit/index.js';
import { Gate } from '../../access/gate.js';
import { resource } from '../../crm/resources.js';
import { loadPolicy } from '../../policy/index.js';
import { personStateChecks, restrict } from '../restriction/index.js';
import { changeHistory, rectify } from './index.js';

const policy = await loadPolicy('policies/certilience.yaml');

describeEachEngine('rectification', (store) => {
  it('P5.2 rectification goes through the gate; old values stay only in the person\'s history, the audit trail holds field names only', async () => {
    const { db } = store();
    const gate = new Gate({ db, policy, now: () => new Date(), audit: auditSink(new AuditWriter(db)), personState: personStateChecks(policy) }).for(cliActor());
    const tag = randomBytes(4).toString('hex');
    const person = await gate.create(resource('people'), { relation: 'client_contact', lastName: `Old-${tag}`, firstName: 'Léa', email: `old-${tag}@example.test`, phones: [], postalAddresses: [], source: 'site' });
    const id = String(person.id);

    const result = await rectify(gate, db, id, { lastName: `New-${tag}`, email: `new-${tag}@example.test`, firstName: 'Léa' });
    expect(result.changed).toEqual(['lastName', 'email']);
    expect((await gate.get(resource('people'), id)).lastName).toBe(`New-${tag}`);

    const history = await changeHistory(db, id);
    expect(history.map((h) => [h.field, h.oldValue]).sort()).toEqual([
      ['email', `old-${tag}@example.test`],
      ['last_name', `Old-${tag}`],
    ]);

    // Every event chained (a writer's background chain may be running: wait for the queue to drain).
    for (let i = 0; i < 50 && (await db.selectFrom('auditQueue').select('id').execute()).length > 0; i++) {
      await chainPending(db);
      await new Promise((r) => setTimeout(r, 20));
    }
    const all = await db.selectFrom('auditEntries').selectAll().execute();
    const events = all.filter((e) => e.personIds.includes(id) && e.action === 'update');
    expect(events).toHaveLength(1);
    expect([...events[0]!.fields].sort()).toEqual(['email', 'first_name', 'last_name']);
    const trail = JSON.stringify(await db.selectFrom('auditQueue').select('event').execute()) + JSON.stringify(await db.selectFrom('auditEntries').selectAll().execute());
    expect(trail).not.toContain(`Old-${tag}`);
    expect(trail).not.toContain(`New-${tag}`);
    expect(trail).not.toContain(`old-${tag}@`);
    expect(trail).not.toContain(`new-${tag}@`);

    // A restricted person cannot be rectified (Art. 18): refused, no history written.
    await restrict(db, id, 'test');
    await expect(rectify(gate, db, id, { lastName: 'Other' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect(await changeHistory(db, id)).toHaveLength(2);
  });
});
