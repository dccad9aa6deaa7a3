import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { expect, it } from 'vitest';
import { describeEachEngine } from '../../test/engines.js';
import { webhookReceiver } from '../../test/webhook-receiver.js';
import { cliActor, systemActor } from '../access/actor.js';
import { AuditWriter, auditSink } from '../access/audit/index.js';
import { Gate } from '../access/gate.js';
import { resource } from '../crm/resources.js';
import type { Database } from '../db/schema.js';
import { loadPolicy } from '../policy/index.js';
import { deliverPending, notifyRecipients, RETRY_DELAYS_MS, verifySignature } from '../rights/recipients/index.js';
import { personStateChecks } from '../rights/restriction/index.js';
import { addPartner, createTransfer, deliverConsentNotices, recordConsent, type ConsentDeps } from './index.js';
import { configureOutgoingUrls } from '../http/outgoing-url.js';

// The webhook receivers of these tests listen on 127.0.0.1: allowed here as REMPART_ALLOW_PRIVATE_URLS=loopback would.
configureOutgoingUrls(['loopback']);

const policy = await loadPolicy('policies/certilience.yaml');
const SECRET = 'partner-w-secret';

const hook = webhookReceiver('/withdrawn');
const received = hook.received;

/** A person who gave consent to each partner and whose data each received in a transfer. */
async function transferredPerson(db: Kysely<Database>, deps: ConsentDeps, now: Date, partnerIds: readonly string[]): Promise<{ id: string; email: string }> {
  const gate = new Gate({ db, policy, now: () => now, audit: auditSink(new AuditWriter(db)), personState: personStateChecks(policy) }).for(cliActor());
  const email = `retrait-${randomBytes(3).toString('hex')}@example.test`;
  const id = String((await gate.create(resource('people'), { relation: 'client_contact', lastName: 'Retrait', firstName: 'Inès', email, phones: [], postalAddresses: [], source: 'site' })).id);
  for (const partnerId of partnerIds) {
    await recordConsent(deps, { personId: id, partnerId, state: 'given', channel: 'web_form', collector: 'user:t' });
    await createTransfer(deps, { partnerId, actor: systemActor('test'), fileName: `${partnerId}.csv` });
  }
  return { id, email };
}

describeEachEngine('consent-withdrawal notices in the one delivery of notices to recipients', (store) => {
  it('P1.6 Art. 7(3) a withdrawal notice is retried with the Art. 19 backoff until delivered, signed like an Art. 19 notice, mailed where the partner has no webhook; the two logs never deliver each other\'s rows', async () => {
    const { db } = store();
    const key = randomBytes(32);
    let now = new Date('2026-11-26T10:00:00Z');
    const deps: ConsentDeps = { db, policy, now: () => now, serverKey: key };
    const hooked = await addPartner(db, { name: 'Partenaire W', kind: 'partner', country: 'FR', webhookUrl: hook.url, hmacSecret: SECRET }, now);
    const mailed = await addPartner(db, { name: 'Partenaire M', kind: 'partner', country: 'FR', email: 'dpo@partenaire-m.test' }, now);
    const person = await transferredPerson(db, deps, now, [hooked.id, mailed.id]);
    // An Art. 19 notice about the same person, in the other log.
    expect(await notifyRecipients(db, key, { event: 'rectification', person: { email: person.email }, personId: person.id, now })).toBe(2);

    // The withdrawal queues one notice per partner; without fetch or mailer (the CLI) its immediate attempt is only counted.
    const withdrawn = await recordConsent(deps, { personId: person.id, partnerId: hooked.id, state: 'withdrawn', channel: 'link', collector: 'person' });
    expect(withdrawn.partnersNotified).toEqual([hooked.id]);
    await recordConsent(deps, { personId: person.id, partnerId: mailed.id, state: 'withdrawn', channel: 'link', collector: 'person' });
    const log = () => db.selectFrom('consentNotices').selectAll().where('partnerId', 'in', [hooked.id, mailed.id]).orderBy('partnerId').execute();
    expect((await log()).map((n) => n.lastStatus).sort()).toEqual(['no fetch configured', 'no mailer configured']);
    expect(JSON.stringify(await log()).toLowerCase()).not.toContain(person.email);

    received.length = 0;
    hook.failures = 1;
    const mails: { to: string; subject: string; text: string }[] = [];
    const mailer = { send: async (m: { to: string; subject: string; text: string }) => void mails.push(m) };
    // Not due before the first delay.
    expect(await deliverConsentNotices(db, { key, now: new Date(now.getTime() + RETRY_DELAYS_MS[0]! - 1), fetch, mailer })).toEqual({ delivered: 0, retried: 0, gaveUp: 0 });
    now = new Date(now.getTime() + RETRY_DELAYS_MS[0]!);
    expect(await deliverConsentNotices(db, { key, now, fetch, mailer })).toEqual({ delivered: 1, retried: 1, gaveUp: 0 });
    expect(mails).toEqual([expect.objectContaining({ to: 'dpo@partenaire-m.test', subject: expect.stringMatching(/withdrawal of consent/) as string })]);
    const webhookRow = (await log()).find((n) => n.partnerId === hooked.id)!;
    expect(webhookRow).toMatchObject({ attempts: 2, lastStatus: 'http 503' });
    expect(webhookRow.nextAttemptAt!.getTime() - now.getTime()).toBe(RETRY_DELAYS_MS[1]);
    now = new Date(now.getTime() + RETRY_DELAYS_MS[1]!);
    expect(await deliverConsentNotices(db, { key, now, fetch, mailer })).toEqual({ delivered: 1, retried: 0, gaveUp: 0 });
    expect(received).toHaveLength(2);
    for (const r of received) {
      expect(verifySignature(SECRET, r.body, r.signature)).toBe(true);
      expect(r.delivery).toBe(webhookRow.id);
      expect(JSON.parse(r.body)).toMatchObject({ event: 'consent_withdrawn', partnerId: hooked.id, person: { email: person.email } });
    }
    for (const n of await log()) expect(n).toMatchObject({ lastStatus: 'delivered', payloadSealed: null });

    // The consent delivery left the Art. 19 log alone, and the Art. 19 delivery sends only its own rows.
    const art19 = () => db.selectFrom('recipientNotifications').select(['attempts', 'deliveredAt']).where('partnerId', 'in', [hooked.id, mailed.id]).execute();
    expect((await art19()).map((n) => n.attempts)).toEqual([0, 0]);
    expect(await deliverPending(db, { key, now, fetch, mailer })).toEqual({ delivered: 2, retried: 0, gaveUp: 0 });
    expect(mails.map((m) => m.subject)).toEqual([expect.stringMatching(/withdrawal of consent/), expect.stringMatching(/rectification.*Art\. 19/)]);
    expect(received.map((r) => (JSON.parse(r.body) as { event: string }).event)).toEqual(['consent_withdrawn', 'consent_withdrawn', 'rectification']);
    expect((await log()).map((n) => n.attempts).sort()).toEqual([2, 3]);
  });

  it('P1.6 Art. 7(3) a withdrawal notice to a partner that never answers is given up after the last Art. 19 delay, flagged, and its sealed payload cleared', async () => {
    const { db } = store();
    const key = randomBytes(32);
    let now = new Date('2026-11-27T10:00:00Z');
    const deps: ConsentDeps = { db, policy, now: () => now, serverKey: key, fetch };
    const dead = await addPartner(db, { name: 'Partenaire D', kind: 'partner', country: 'FR', webhookUrl: 'http://127.0.0.1:9/closed', hmacSecret: 's' }, now);
    const person = await transferredPerson(db, deps, now, [dead.id]);
    await recordConsent(deps, { personId: person.id, partnerId: dead.id, state: 'withdrawn', channel: 'link', collector: 'person' });
    for (const delay of RETRY_DELAYS_MS) {
      now = new Date(now.getTime() + delay);
      await deliverConsentNotices(db, { key, now, fetch });
    }
    const row = await db.selectFrom('consentNotices').selectAll().where('partnerId', '=', dead.id).executeTakeFirstOrThrow();
    expect(row.attempts).toBe(RETRY_DELAYS_MS.length + 1);
    expect(row.lastStatus).toMatch(/^error /);
    expect(row.gaveUpAt).toEqual(now);
    expect(row.payloadSealed).toBeNull();
    expect(row.payloadHash).toMatch(/^[0-9a-f]{64}$/);
    // Nothing is left to try.
    expect(await deliverConsentNotices(db, { key, now: new Date(now.getTime() + 86_400_000), fetch })).toEqual({ delivered: 0, retried: 0, gaveUp: 0 });
  });
});
