import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachEngine } from '../../test/engines.js';
import { systemActor } from '../access/actor.js';
import { addPartner, createTransfer, recordConsent, type ConsentDeps } from '../consent/index.js';
import { newId } from '../db/ids.js';
import { runDailyJobs } from '../jobs/daily.js';
import { loadPolicy, type LoadedPolicy } from '../policy/index.js';
import { runRetention } from './sweep.js';
import { configureOutgoingUrls } from '../http/outgoing-url.js';

// The webhook receivers of these tests listen on 127.0.0.1: allowed here as REMPART_ALLOW_PRIVATE_URLS=loopback would.
configureOutgoingUrls(['loopback']);

const KEY = Buffer.alloc(32, 9);

let policy: LoadedPolicy;
let hook: Server;
let hookUrl = '';
/** The partner's endpoint answers 503 while this is true. */
let hookDown = true;
let hookCalls = 0;

beforeAll(async () => {
  policy = await loadPolicy('policies/certilience.yaml');
  hook = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      hookCalls++;
      res.writeHead(hookDown ? 503 : 204).end();
    });
  });
  await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', resolve));
  hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook`;
});
afterAll(() => new Promise<void>((resolve) => hook.close(() => resolve())));

describeEachEngine('accountability records in the daily jobs (P4.1, Art. 7(1), 7(3), 19)', (store) => {
  let clock = new Date('2026-01-10T10:00:00Z');
  const db = () => store().db;
  let deps: ConsentDeps;
  let partnerId = '';
  let personId = '';
  let withdrawnAt = clock;

  beforeAll(async () => {
    hookDown = true;
    deps = { db: db(), policy, now: () => clock, serverKey: KEY, fetch: globalThis.fetch };
    partnerId = (await addPartner(db(), { name: 'Partenaire Test', kind: 'partner', country: 'FR', webhookUrl: hookUrl, hmacSecret: 'partner-hook-secret-0123456789' }, clock)).id;
    personId = newId();
    // A client contact with no contract: the retention sweep leaves them active, only their consent proofs are at stake.
    await db().insertInto('people').values({ id: personId, relation: 'client_contact', lastName: 'Test', firstName: 'Test', email: `t.${personId.slice(-6)}@example.test`, phones: '[]', postalAddresses: '[]', source: 'test', collectedAt: clock }).execute();
    await recordConsent(deps, { personId, partnerId, state: 'given', channel: 'web_form', collector: 'user:test' });
    clock = new Date(clock.getTime() + 60_000);
    await createTransfer(deps, { partnerId, actor: systemActor('test'), fileName: '/tmp/out.csv' });
    clock = new Date(clock.getTime() + 60_000);
    withdrawnAt = clock;
    // The partner is down when the person withdraws: the notice stays pending.
    await recordConsent(deps, { personId, partnerId, state: 'withdrawn', channel: 'web_form', collector: 'user:test' });
  });

  const pending = async () => db().selectFrom('consentNotices').select(['attempts', 'deliveredAt', 'nextAttemptAt']).where('partnerId', '=', partnerId).execute();

  it('Art. 7(3) the daily run retries a failed withdrawal notice when given what it needs, and only then', async () => {
    const [before] = await pending();
    expect(before).toMatchObject({ attempts: 1, deliveredAt: null });
    hookDown = false;
    const at = new Date(withdrawnAt.getTime() + 2 * 60_000);
    const without = await runDailyJobs(db(), at, KEY);
    expect(without.consentNotices).toBeUndefined();
    expect((await pending())[0]).toMatchObject({ attempts: 1, deliveredAt: null });
    const calls = hookCalls;
    const report = await runDailyJobs(db(), at, KEY, undefined, { consentNotices: {} });
    expect(report.consentNotices).toEqual({ delivered: 1, retried: 0, gaveUp: 0 });
    expect(hookCalls).toBe(calls + 1);
    expect((await pending())[0]?.deliveredAt).not.toBeNull();
    // Delivered: a second run sends nothing.
    expect((await runDailyJobs(db(), at, KEY, undefined, { consentNotices: {} })).consentNotices).toEqual({ delivered: 0, retried: 0, gaveUp: 0 });
  });

  it('P4.1 the daily sweep keeps consent proofs and transfer logs through their accountability period, one day before', async () => {
    // transfer_logs P5Y from the transfer (2026-01-10 10:01), consent_proofs P5Y from the withdrawal (10:02).
    const dayBefore = new Date('2031-01-09T12:00:00Z');
    const report = await runDailyJobs(db(), dayBefore, KEY, undefined, { retention: { policy } });
    expect(report.retention?.filter((l) => l.purpose === 'consent_proofs' || l.purpose === 'transfer_logs')).toEqual([]);
    const events = await db().selectFrom('consentEvents').select('id').where('partnerId', '=', partnerId).execute();
    expect(events).toHaveLength(2);
    expect(await db().selectFrom('transfers').select('id').where('partnerId', '=', partnerId).execute()).toHaveLength(1);
  });

  it('P4.1 past the period the daily sweep deletes them, audited, and a second run finds nothing', async () => {
    const dayAfter = new Date('2031-01-11T12:00:00Z');
    const report = await runDailyJobs(db(), dayAfter, KEY, undefined, { retention: { policy } });
    expect(report.retention).toEqual(expect.arrayContaining([{ purpose: 'consent_proofs', action: 'delete', count: 2 }, { purpose: 'transfer_logs', action: 'delete', count: 1 }]));
    expect(await db().selectFrom('consentEvents').select('id').where('partnerId', '=', partnerId).execute()).toEqual([]);
    expect(await db().selectFrom('transfers').select('id').where('partnerId', '=', partnerId).execute()).toEqual([]);
    expect(await db().selectFrom('consentNotices').select('id').where('partnerId', '=', partnerId).execute()).toEqual([]);
    const audited = await sql<{ event: unknown }>`select event from audit_queue`.execute(db().withoutPlugins());
    const reasons = audited.rows.map((r) => (typeof r.event === 'string' ? r.event : JSON.stringify(r.event))).filter((e) => e.includes('delete consent_events=2'));
    expect(reasons.length).toBe(1);
    // The person, a client contact with no ended relationship, is untouched.
    expect(await db().selectFrom('people').select('id').where('id', '=', personId).execute()).toHaveLength(1);
    const again = await runRetention(db(), policy, { at: dayAfter });
    expect(again.changed.filter((l) => l.purpose === 'consent_proofs' || l.purpose === 'transfer_logs')).toEqual([]);
  });
});
