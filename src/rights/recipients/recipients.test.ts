import { randomBytes } from 'node:crypto';
import { expect, it } from 'vitest';
import { describeEachEngine } from '../../../test/engines.js';
import { webhookReceiver } from '../../../test/webhook-receiver.js';
import { loadPolicy, type LoadedPolicy } from '../../policy/index.js';
import { deliverPending, listNotificationsForPerson, notifyRecipients, RETRY_DELAYS_MS, setRecipientEndpoint, verifySignature } from './index.js';
import { configureOutgoingUrls } from '../../http/outgoing-url.js';

// The webhook receivers of these tests listen on 127.0.0.1: allowed here as REMPART_ALLOW_PRIVATE_URLS=loopback would.
configureOutgoingUrls(['loopback']);

const base = await loadPolicy('policies/certilience.yaml');
// The shipped policy lists no partner yet: one for the test.
const policy: LoadedPolicy = { ...base, locations: { ...base.locations, partners: [{ id: 'partner_x', name: 'Partner X', country: 'FR' }] } } as LoadedPolicy;

const hook = webhookReceiver('/hook');
const received = hook.received;

describeEachEngine('recipients', (store) => {
  it('Art. 19 signed webhook notices are retried with backoff until delivered; the delivery log keeps no clear identifier', async () => {
    const { db } = store();
    const key = randomBytes(32);
    const secret = randomBytes(16).toString('hex');
    received.length = 0;
    hook.failures = 2;
    await setRecipientEndpoint(db, policy, { id: 'partner_x', name: 'Partner X', webhookUrl: hook.url, hmacSecret: secret });
    await expect(setRecipientEndpoint(db, policy, { id: 'stranger', name: 'S', email: 'a@b.test' })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });

    const t0 = new Date('2026-11-26T10:00:00Z');
    const email = `Person.${randomBytes(3).toString('hex')}@example.test`;
    expect(await notifyRecipients(db, key, { event: 'erasure', person: { email, lastName: 'Martin' }, now: t0 })).toBe(1);
    const log = JSON.stringify(await db.selectFrom('recipientNotifications').selectAll().execute()).toLowerCase();
    expect(log).not.toContain(email.toLowerCase());
    expect(log).not.toContain('martin');

    // Attempt 1 fails: next in 1 minute; nothing is sent before that.
    expect(await deliverPending(db, { key, now: t0, fetch })).toEqual({ delivered: 0, retried: 1, gaveUp: 0 });
    expect(await deliverPending(db, { key, now: new Date(t0.getTime() + RETRY_DELAYS_MS[0]! - 1), fetch })).toEqual({ delivered: 0, retried: 0, gaveUp: 0 });
    const t1 = new Date(t0.getTime() + RETRY_DELAYS_MS[0]!);
    expect(await deliverPending(db, { key, now: t1, fetch })).toEqual({ delivered: 0, retried: 1, gaveUp: 0 });
    const row = await db.selectFrom('recipientNotifications').selectAll().executeTakeFirstOrThrow();
    expect(row.nextAttemptAt!.getTime() - t1.getTime()).toBe(RETRY_DELAYS_MS[1]);
    expect(row).toMatchObject({ attempts: 2, lastStatus: 'http 503' });
    const t2 = new Date(t1.getTime() + RETRY_DELAYS_MS[1]!);
    expect(await deliverPending(db, { key, now: t2, fetch })).toEqual({ delivered: 1, retried: 0, gaveUp: 0 });

    expect(received).toHaveLength(3);
    for (const r of received) {
      expect(verifySignature(secret, r.body, r.signature)).toBe(true);
      expect(verifySignature('wrong', r.body, r.signature)).toBe(false);
      expect(verifySignature(secret, r.body.replace('erasure', 'rectification'), r.signature)).toBe(false);
      expect(JSON.parse(r.body)).toMatchObject({ event: 'erasure', person: { email } });
    }
    const done = await db.selectFrom('recipientNotifications').selectAll().executeTakeFirstOrThrow();
    expect(done).toMatchObject({ attempts: 3, payloadSealed: null, lastStatus: 'delivered' });
    expect(done.deliveredAt).toEqual(t2);

    // The person can ask which recipients were told.
    expect(await listNotificationsForPerson(db, key, email.toUpperCase())).toEqual([
      expect.objectContaining({ recipientId: 'partner_x', recipientName: 'Partner X', event: 'erasure', deliveredAt: t2, attempts: 3 }),
    ]);
  });

  it('Art. 19 a recipient that never answers is given up after the last backoff and flagged; one without webhook gets an email', async () => {
    const { db } = store();
    const key = randomBytes(32);
    await db.deleteFrom('recipientNotifications').execute();
    await db.deleteFrom('recipientEndpoints').execute();
    await setRecipientEndpoint(db, policy, { id: 'partner_x', name: 'Partner X', webhookUrl: 'http://127.0.0.1:9/closed', hmacSecret: 's' });
    await setRecipientEndpoint(db, policy, { id: 'subsidiary', name: 'Filiale', email: 'dpo@filiale.test' });
    const sent: { to: string; text: string }[] = [];
    const mailer = { send: async (m: { to: string; text: string }) => void sent.push(m) };
    let now = new Date('2026-11-26T10:00:00Z');
    await notifyRecipients(db, key, { event: 'restriction', person: { email: 'x@example.test' }, now });
    const first = await deliverPending(db, { key, now, fetch, mailer });
    expect(first).toEqual({ delivered: 1, retried: 1, gaveUp: 0 });
    expect(sent).toEqual([expect.objectContaining({ to: 'dpo@filiale.test' })]);
    for (const delay of RETRY_DELAYS_MS) {
      now = new Date(now.getTime() + delay);
      await deliverPending(db, { key, now, fetch, mailer });
    }
    const row = await db.selectFrom('recipientNotifications').selectAll().where('recipientId', '=', 'partner_x').executeTakeFirstOrThrow();
    expect(row.attempts).toBe(RETRY_DELAYS_MS.length + 1);
    expect(row.gaveUpAt).toEqual(now);
    expect(row.payloadSealed).toBeNull();
  });
});
