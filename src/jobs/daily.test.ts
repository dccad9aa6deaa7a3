import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { describeEachEngine } from '../../test/engines.js';
import { webhookReceiver } from '../../test/webhook-receiver.js';
import { cliActor, systemActor } from '../access/actor.js';
import { AuditWriter, auditSink } from '../access/audit/index.js';
import { recordConnection } from '../access/connection-logs/index.js';
import { Gate } from '../access/gate.js';
import { addPartner, createTransfer, recordConsent, type ConsentDeps } from '../consent/index.js';
import { resource } from '../crm/resources.js';
import { loadPolicy } from '../policy/index.js';
import { rightsExecutor } from '../rights/executor.js';
import { personStateChecks } from '../rights/restriction/index.js';
import { isDue, parisDay, parisHour, runDailyJobs } from './daily.js';
import { configureOutgoingUrls } from '../http/outgoing-url.js';

// The webhook receivers of these tests listen on 127.0.0.1: allowed here as REMPART_ALLOW_PRIVATE_URLS=loopback would.
configureOutgoingUrls(['loopback']);

describe('daily schedule', () => {
  it('runs once a day, from the configured hour in Paris time', () => {
    // 02:30 UTC in winter is 03:30 in Paris.
    const at = new Date('2026-01-15T02:30:00Z');
    expect(parisHour(at)).toBe(3);
    expect(parisDay(at)).toBe('2026-01-15');
    expect(isDue(at, null, 3)).toBe(true);
    expect(isDue(at, '2026-01-15', 3)).toBe(false);
    expect(isDue(at, '2026-01-14', 4)).toBe(false);
    // 22:30 UTC is 23:30 in Paris in winter (same day) and 00:30 the next day in summer.
    expect(parisDay(new Date('2026-01-14T22:30:00Z'))).toBe('2026-01-14');
    expect(parisDay(new Date('2026-07-14T22:30:00Z'))).toBe('2026-07-15');
  });
});

describeEachEngine('daily jobs', (store) => {
  it('P4.4 the daily run purges connection logs older than 12 months, and a second run changes nothing', async () => {
    const key = Buffer.alloc(32, 7);
    const base = { service: 'api', event: 'login' as const, accountId: null, sourceIp: '127.0.0.1', sourcePort: 1, userAgent: 'test', outcome: 'success' as const };
    await recordConnection(store().db, { ...base, at: new Date('2025-11-24T12:00:00Z') }, key);
    await recordConnection(store().db, { ...base, at: new Date('2025-11-27T12:00:00Z') }, key);
    const now = new Date('2026-11-26T03:00:00Z');
    const first = await runDailyJobs(store().db, now, key);
    expect(first.connectionLogsPurged).toBe(1);
    const second = await runDailyJobs(store().db, now, key);
    expect(second).toEqual({ connectionLogsPurged: 0, sessionsPurged: 0, outboxFilesPurged: 0, erasureJournalPurged: 0 });
    const left = await sql<{ n: number }>`select count(*)::int as n from connection_logs`.execute(store().db);
    expect(left.rows[0]?.n).toBe(1);
  });
});

describeEachEngine('daily jobs: Art. 19 notices', (store) => {
  const hook = webhookReceiver('/art19');
  const received = hook.received;

  it('P5.4 Art. 19 the daily run sends the notices a restriction queued to the partner that received the data, once', async () => {
    const { db } = store();
    const policy = await loadPolicy('policies/certilience.yaml');
    const key = randomBytes(32);
    const now = new Date('2026-11-26T10:00:00Z');
    const deps: ConsentDeps = { db, policy, now: () => now, serverKey: key };
    const audit = auditSink(new AuditWriter(db));
    const gate = new Gate({ db, policy, now: () => now, audit, personState: personStateChecks(policy) });
    const partner = await addPartner(db, { name: 'Partenaire J', kind: 'partner', country: 'FR', webhookUrl: hook.url, hmacSecret: 'j-secret' }, now);
    const personId = String(
      (await gate.for(cliActor()).create(resource('people'), { relation: 'client_contact', lastName: 'Journal', firstName: 'Léa', email: `journal-${key.toString('hex', 0, 3)}@example.test`, phones: [], postalAddresses: [], source: 'site' })).id,
    );
    await recordConsent(deps, { personId, partnerId: partner.id, state: 'given', channel: 'web_form', collector: 'user:t' });
    expect((await createTransfer(deps, { partnerId: partner.id, actor: systemActor('test'), fileName: 'j.csv' })).rows).toBe(1);
    await rightsExecutor({ db, policy, now: () => now, serverKey: key, gate, audit })('restriction', personId, { requestId: 'req-j', language: 'fr', details: null });
    const pending = () => db.selectFrom('recipientNotifications').select(['event', 'deliveredAt']).where('partnerId', '=', partner.id).execute();
    expect(await pending()).toEqual([{ event: 'restriction', deliveredAt: null }]);

    const at = new Date(now.getTime() + 60_000);
    // Without what delivery needs, nothing is tried.
    expect((await runDailyJobs(db, at, key)).recipientNotices).toBeUndefined();
    expect(received).toHaveLength(0);
    const report = await runDailyJobs(db, at, key, undefined, { consentNotices: {} });
    expect(report.recipientNotices).toEqual({ delivered: 1, retried: 0, gaveUp: 0 });
    expect(received).toHaveLength(1);
    expect((await pending())[0]?.deliveredAt).not.toBeNull();
    // Delivered: the next run sends nothing.
    expect((await runDailyJobs(db, at, key, undefined, { consentNotices: {} })).recipientNotices).toEqual({ delivered: 0, retried: 0, gaveUp: 0 });
    expect(received).toHaveLength(1);
  });
});
