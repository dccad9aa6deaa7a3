import { randomBytes } from 'node:crypto';
import { expect, it } from 'vitest';
import { describeEachEngine } from '../../../test/engines.js';
import { webhookReceiver } from '../../../test/webhook-receiver.js';
import { cliActor, systemActor } from '../../access/actor.js';
import { AuditWriter, auditSink } from '../../access/audit/index.js';
import { Gate } from '../../access/gate.js';
import { addPartner, createTransfer, recordConsent, type ConsentDeps } from '../../consent/index.js';
import { resource } from '../../crm/resources.js';
import { loadPolicy } from '../../policy/index.js';
import { rectify } from '../rectification/index.js';
import { personStateChecks } from '../restriction/index.js';
import { deliverPending, listNotificationsForPerson, verifySignature } from './index.js';
import { configureOutgoingUrls } from '../../http/outgoing-url.js';

// The webhook receivers of these tests listen on 127.0.0.1: allowed here as REMPART_ALLOW_PRIVATE_URLS=loopback would.
configureOutgoingUrls(['loopback']);

const policy = await loadPolicy('policies/certilience.yaml');
const SECRET = 'partner-a-secret';

const hook = webhookReceiver('/art19');
const received = hook.received;

describeEachEngine('Art. 19 notices to the partners of the file exchange', (store) => {
  it('P5.2 Art. 19 a person transferred to partner A but not B is rectified: A is told (signed webhook, delivery log), B is not', async () => {
    const { db } = store();
    const key = randomBytes(32);
    const now = new Date('2026-11-26T10:00:00Z');
    const deps: ConsentDeps = { db, policy, now: () => now, serverKey: key };
    const gate = new Gate({ db, policy, now: () => now, audit: auditSink(new AuditWriter(db)), personState: personStateChecks(policy) }).for(cliActor());
    const tag = randomBytes(3).toString('hex');
    const newPerson = async (name: string): Promise<string> =>
      String((await gate.create(resource('people'), { relation: 'client_contact', lastName: name, firstName: 'Léa', email: `${name.toLowerCase()}-${tag}@example.test`, phones: [], postalAddresses: [], source: 'site' })).id);
    const a = await addPartner(db, { name: 'Partenaire A', kind: 'partner', country: 'FR', webhookUrl: hook.url, hmacSecret: SECRET }, now);
    const b = await addPartner(db, { name: 'Partenaire B', kind: 'partner', country: 'FR', email: 'dpo@partenaire-b.test' }, now);
    const moved = await newPerson('Moved');
    const other = await newPerson('Other');
    await recordConsent(deps, { personId: moved, partnerId: a.id, state: 'given', channel: 'web_form', collector: 'user:t' });
    await recordConsent(deps, { personId: other, partnerId: b.id, state: 'given', channel: 'web_form', collector: 'user:t' });
    expect((await createTransfer(deps, { partnerId: a.id, actor: systemActor('test'), fileName: 'a.csv' })).rows).toBe(1);
    expect((await createTransfer(deps, { partnerId: b.id, actor: systemActor('test'), fileName: 'b.csv' })).rows).toBe(1);

    const result = await rectify(gate, db, moved, { lastName: 'Moved-Corrected' }, { now, key });
    expect(result.recipientsNotified).toBe(1);
    const log = await db.selectFrom('recipientNotifications').selectAll().execute();
    expect(log.map((r) => [r.partnerId, r.recipientId, r.event])).toEqual([[a.id, null, 'rectification']]);

    received.length = 0;
    const mails: { to: string }[] = [];
    const report = await deliverPending(db, { key, now, fetch: globalThis.fetch, mailer: { send: async (m: { to: string }) => void mails.push(m) } });
    expect(report).toEqual({ delivered: 1, retried: 0, gaveUp: 0 });
    expect(mails).toEqual([]);
    expect(received).toHaveLength(1);
    expect(verifySignature(SECRET, received[0]!.body, received[0]!.signature)).toBe(true);
    expect(JSON.parse(received[0]!.body)).toMatchObject({ event: 'rectification', changes: { lastName: 'Moved-Corrected' } });
    expect(await listNotificationsForPerson(db, key, `moved-${tag}@example.test`)).toEqual([
      expect.objectContaining({ recipientId: a.id, recipientName: 'Partenaire A', event: 'rectification', deliveredAt: now, attempts: 1 }),
    ]);

    // The other person's rectification reaches B only, by email (B has no webhook).
    await rectify(gate, db, other, { firstName: 'Zoé' }, { now, key });
    expect(await deliverPending(db, { key, now, fetch: globalThis.fetch, mailer: { send: async (m: { to: string }) => void mails.push(m) } })).toEqual({ delivered: 1, retried: 0, gaveUp: 0 });
    expect(mails.map((m) => m.to)).toEqual(['dpo@partenaire-b.test']);
    expect(received).toHaveLength(1);
  });
});
