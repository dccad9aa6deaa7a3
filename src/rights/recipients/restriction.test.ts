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
import { rightsExecutor } from '../executor.js';
import { personStateChecks, unrestrict, type LiftNotice } from '../restriction/index.js';
import { deliverPending, listNotificationsForPerson, RETRY_DELAYS_MS, verifySignature } from './index.js';
import { configureOutgoingUrls } from '../../http/outgoing-url.js';

// The webhook receivers of these tests listen on 127.0.0.1: allowed here as REMPART_ALLOW_PRIVATE_URLS=loopback would.
configureOutgoingUrls(['loopback']);

const policy = await loadPolicy('policies/certilience.yaml');
const SECRET = 'partner-r-secret';

const hook = webhookReceiver('/art19');
const received = hook.received;

describeEachEngine('Art. 19 notices of a restriction and of its lifting', (store) => {
  it('P5.4 Art. 19 a restriction request tells each partner that received the data (signed webhook, retried, delivery log), the one that did not is not told, and the answer lists the recipients when asked', async () => {
    const { db } = store();
    const key = randomBytes(32);
    let now = new Date('2026-11-26T10:00:00Z');
    const deps: ConsentDeps = { db, policy, now: () => now, serverKey: key };
    const audit = auditSink(new AuditWriter(db));
    const gate = new Gate({ db, policy, now: () => now, audit, personState: personStateChecks(policy) });
    const staff = gate.for(cliActor());
    const tag = randomBytes(3).toString('hex');
    const newPerson = async (name: string): Promise<{ id: string; email: string }> => {
      const email = `${name.toLowerCase()}-${tag}@example.test`;
      const id = String((await staff.create(resource('people'), { relation: 'client_contact', lastName: name, firstName: 'Léa', email, phones: [], postalAddresses: [], source: 'site' })).id);
      return { id, email };
    };
    const a = await addPartner(db, { name: 'Partenaire R', kind: 'partner', country: 'FR', webhookUrl: hook.url, hmacSecret: SECRET }, now);
    const b = await addPartner(db, { name: 'Partenaire S', kind: 'partner', country: 'FR', email: 'dpo@partenaire-s.test' }, now);
    const moved = await newPerson('Limitee');
    const other = await newPerson('Autre');
    await recordConsent(deps, { personId: moved.id, partnerId: a.id, state: 'given', channel: 'web_form', collector: 'user:t' });
    await recordConsent(deps, { personId: other.id, partnerId: b.id, state: 'given', channel: 'web_form', collector: 'user:t' });
    expect((await createTransfer(deps, { partnerId: a.id, actor: systemActor('test'), fileName: 'r.csv' })).rows).toBe(1);
    expect((await createTransfer(deps, { partnerId: b.id, actor: systemActor('test'), fileName: 's.csv' })).rows).toBe(1);

    const execute = rightsExecutor({ db, policy, now: () => now, serverKey: key, gate, audit });
    const answer = await execute('restriction', moved.id, { requestId: 'req-1', language: 'fr', details: { recipients: true } });
    // Queued in the restriction's transaction: one notice, to A only, and no clear identifier in the log.
    const log = await db.selectFrom('recipientNotifications').selectAll().execute();
    expect(log.map((r) => [r.partnerId, r.recipientId, r.event])).toEqual([[a.id, null, 'restriction']]);
    expect(JSON.stringify(log).toLowerCase()).not.toContain(moved.email);
    // Asked for (Art. 19, last sentence): the answer names the recipient told, and names no one else.
    expect(answer.summary).toContain('Partenaire R : limitation, en cours d\'envoi');
    expect(answer.summary).not.toContain('Partenaire S');
    // Not asked for: no list.
    const plain = await execute('restriction', other.id, { requestId: 'req-2', language: 'en', details: null });
    expect(plain.summary).not.toContain('Partenaire');
    expect(plain.summary).not.toContain('Article 19');

    // Delivered through the one Art. 19 delivery: a failure is retried after the backoff, then it arrives signed.
    received.length = 0;
    hook.failures = 1;
    const mails: { to: string; subject: string; text: string }[] = [];
    const mailer = { send: async (m: { to: string; subject: string; text: string }) => void mails.push(m) };
    expect(await deliverPending(db, { key, now, fetch: globalThis.fetch, mailer })).toEqual({ delivered: 1, retried: 1, gaveUp: 0 });
    expect(mails.map((m) => m.to)).toEqual(['dpo@partenaire-s.test']);
    expect(mails[0]!.subject).toMatch(/restriction/i);
    now = new Date(now.getTime() + RETRY_DELAYS_MS[0]!);
    expect(await deliverPending(db, { key, now, fetch: globalThis.fetch, mailer })).toEqual({ delivered: 1, retried: 0, gaveUp: 0 });
    expect(received).toHaveLength(2);
    for (const r of received) {
      expect(verifySignature(SECRET, r.body, r.signature)).toBe(true);
      expect(JSON.parse(r.body)).toMatchObject({ event: 'restriction', person: { email: moved.email, lastName: 'Limitee' } });
    }
    expect(await listNotificationsForPerson(db, key, moved.email)).toEqual([
      expect.objectContaining({ recipientId: a.id, recipientName: 'Partenaire R', event: 'restriction', deliveredAt: now, attempts: 2 }),
    ]);

    // A second request while the restriction stands tells no one again.
    await execute('restriction', moved.id, { requestId: 'req-3', language: 'fr', details: null });
    expect(await db.selectFrom('recipientNotifications').select('id').where('partnerId', '=', a.id).execute()).toHaveLength(1);
  });

  it('P5.4 Art. 18(3) Art. 19 lifting a restriction tells the person first, then queues the lift to each recipient told of the restriction; a failed notice to the person lifts nothing and tells no recipient', async () => {
    const { db } = store();
    const key = randomBytes(32);
    const now = new Date('2026-11-27T09:00:00Z');
    const deps: ConsentDeps = { db, policy, now: () => now, serverKey: key };
    const audit = auditSink(new AuditWriter(db));
    const gate = new Gate({ db, policy, now: () => now, audit, personState: personStateChecks(policy) });
    const email = `leve-${randomBytes(3).toString('hex')}@example.test`;
    const id = String((await gate.for(cliActor()).create(resource('people'), { relation: 'client_contact', lastName: 'Levee', email, phones: [], postalAddresses: [], source: 'site' })).id);
    const p = await addPartner(db, { name: 'Partenaire L', kind: 'partner', country: 'FR', email: 'dpo@partenaire-l.test' }, now);
    await recordConsent(deps, { personId: id, partnerId: p.id, state: 'given', channel: 'web_form', collector: 'user:t' });
    await createTransfer(deps, { partnerId: p.id, actor: systemActor('test'), fileName: 'l.csv' });
    const execute = rightsExecutor({ db, policy, now: () => now, serverKey: key, gate, audit });
    await execute('restriction', id, { requestId: 'req-l', language: 'en', details: null });

    // The person's notice fails: the restriction stands and no recipient hears of a lift.
    await expect(unrestrict(db, id, { key, now: () => now, notify: () => Promise.reject(new Error('smtp down')) })).rejects.toThrow('smtp down');
    const events = async () => (await db.selectFrom('recipientNotifications').select('event').where('partnerId', '=', p.id).orderBy('createdAt').execute()).map((r) => r.event);
    expect(await events()).toEqual(['restriction']);

    const order: string[] = [];
    const lifted = await unrestrict(db, id, {
      key,
      now: () => now,
      notify: async (notice: LiftNotice) => {
        order.push(`person ${notice.email === email ? 'told' : 'missed'}, recipients ${(await events()).length}`);
      },
    });
    expect(order).toEqual(['person told, recipients 1']);
    expect(lifted.recipientsNotified).toBe(1);
    expect(await events()).toEqual(['restriction', 'restriction_lifted']);

    const mails: { to: string; subject: string; text: string }[] = [];
    expect(await deliverPending(db, { key, now, fetch: globalThis.fetch, mailer: { send: async (m: { to: string; subject: string; text: string }) => void mails.push(m) } })).toEqual({
      delivered: 2,
      retried: 0,
      gaveUp: 0,
    });
    expect(mails.map((m) => m.to)).toEqual(['dpo@partenaire-l.test', 'dpo@partenaire-l.test']);
    expect(mails[1]!.subject).toMatch(/lifting of the restriction/i);
    expect(mails[1]!.text).toContain('"event":"restriction_lifted"');
    // The person can ask which recipients were told, and of what.
    const answer = await execute('rectification', id, { requestId: 'req-r', language: 'en', details: { patch: { firstName: 'Ana' }, recipients: true } });
    expect(answer.summary).toContain('Partenaire L: restriction, delivered; restriction lifted, delivered; rectification, being sent');
  });
});
