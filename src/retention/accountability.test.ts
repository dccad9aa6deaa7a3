import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachEngine } from '../../test/engines.js';
import { systemActor } from '../access/actor.js';
import { addPartner, createTransfer, recordConsent, type ConsentDeps } from '../consent/index.js';
import type { Database } from '../db/schema.js';
import { newId } from '../db/ids.js';
import { loadPolicy, type LoadedPolicy } from '../policy/index.js';
import type { PlanLine, PlanSummary } from './plan.js';
import { previewRetention } from './preview.js';
import { runRetention, type SweepReport } from './sweep.js';
import { fixedId, seedRetentionFixture } from './test-support.js';
import { configureOutgoingUrls } from '../http/outgoing-url.js';

// The webhook receivers of these tests listen on 127.0.0.1: allowed here as REMPART_ALLOW_PRIVATE_URLS=loopback would.
configureOutgoingUrls(['loopback']);

/**
 * The accountability records in the plan and the sweep (P4.1, P4.6, GDPR Art. 5(2)):
 * consent proofs and transfer logs counted by the consent sweep's own conditions, closed
 * requests, staff accounts (anonymised past accountabilityRetention.staff_accounts, id
 * kept), the training rule shown with zero counts; right after a run at a date, nothing
 * is due at that date.
 */

const KEY = Buffer.alloc(32, 7);
const day = (d: string) => new Date(`${d}T00:00:00Z`);

let policy: LoadedPolicy;
let hook: Server;
let hookUrl = '';
/** The first partner's endpoint answers; the second's is down (its withdrawal notice stays pending). */
const down = new Set<string>();

beforeAll(async () => {
  policy = await loadPolicy('policies/certilience.yaml');
  hook = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(down.has(req.url ?? '') ? 503 : 204).end());
  });
  await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', resolve));
  hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => hook.close(() => resolve())));

const line = (lines: readonly PlanLine[], purpose: string, action = 'delete') => lines.find((l) => l.purpose === purpose && l.action === action)?.count;
const ACCOUNTABILITY = ['consent_proofs', 'transfer_logs', 'staff_accounts', 'closed_requests'];
const changed = (r: SweepReport, purpose: string) => r.changed.filter((c) => c.purpose === purpose).reduce((s, c) => s + c.count, 0);
const dueOf = (p: PlanSummary, purpose: string) => p.due.filter((l) => l.purpose === purpose).reduce((s, l) => s + l.count, 0);

async function account(db: Kysely<Database>, i: number, disabledAt: Date | null): Promise<string> {
  const id = fixedId(9, i);
  await sql`insert into accounts (id, email, role, password_hash, totp_secret, totp_enabled, recovery_code_hashes, failed_attempts, disabled_at)
    values (${id}, ${`staff${i}@certilience.test`}, 'sales', '$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA', 'v1.a.b.c', true, '["00"]'::jsonb, 2, ${disabledAt})`.execute(db.withoutPlugins());
  await sql`insert into sessions (id, account_id, created_at, expires_at, last_seen_at, csrf_hash, revoked_at)
    values (${`s${i}`}, ${id}, ${new Date('2020-01-01T00:00:00Z')}, ${new Date('2020-01-01T12:00:00Z')}, ${new Date('2020-01-01T00:00:00Z')}, 'x', null)`.execute(db.withoutPlugins());
  return id;
}

describeEachEngine('accountability records in retention plan and run (P4.1, P4.6, Art. 5(2))', (store) => {
  const db = () => store().db;
  let clock = new Date('2026-01-10T10:00:00Z');
  const tick = () => (clock = new Date(clock.getTime() + 60_000));
  let staff = '';
  let active = '';

  beforeAll(async () => {
    await seedRetentionFixture(db());
    const deps: ConsentDeps = { db: db(), policy, now: () => clock, serverKey: KEY, fetch: globalThis.fetch };
    const up = await addPartner(db(), { name: 'Partenaire A', kind: 'partner', country: 'FR', webhookUrl: `${hookUrl}/a`, hmacSecret: 'partner-hook-secret-0123456789' }, clock);
    const stuck = await addPartner(db(), { name: 'Partenaire B', kind: 'partner', country: 'FR', webhookUrl: `${hookUrl}/b`, hmacSecret: 'partner-hook-secret-0123456789' }, clock);
    down.add('/b');
    const person = newId();
    await db().insertInto('people').values({ id: person, relation: 'client_contact', lastName: 'Test', firstName: 'Test', email: `t.${person.slice(-6)}@example.test`, phones: '[]', postalAddresses: '[]', source: 'test', collectedAt: clock }).execute();
    // 2026-01-10 10:00 given to both; 10:01 a transfer to each; 10:02 withdrawn from both (A is told, B's notice stays pending).
    await recordConsent(deps, { personId: person, partnerId: [up.id, stuck.id], state: 'given', channel: 'web_form', collector: 'user:test' });
    tick();
    await createTransfer(deps, { partnerId: up.id, actor: systemActor('test'), fileName: '/tmp/out.csv' });
    await createTransfer(deps, { partnerId: stuck.id, actor: systemActor('test'), fileName: '/tmp/out-b.csv' });
    tick();
    await recordConsent(deps, { personId: person, partnerId: [up.id, stuck.id], state: 'withdrawn', channel: 'web_form', collector: 'user:test' });
    // A staff account deactivated 2020-03-05 14:00 (anonymised from 2026-03-05), one still active.
    staff = await account(db(), 1, new Date('2020-03-05T14:00:00Z'));
    active = await account(db(), 2, null);
  });

  it('P4.6 the plan lists every accountability record and the training rule (zero until engagements exist)', async () => {
    const plan = await previewRetention(db(), policy, '2026-01-01');
    for (const p of [...ACCOUNTABILITY, 'training']) {
      expect(plan.due.some((l) => l.purpose === p), p).toBe(true);
      for (const w of ['30', '90', '365'] as const) expect(plan.upcoming[w].some((l) => l.purpose === p), `${p} ${w}`).toBe(true);
    }
    expect(line(plan.due, 'staff_accounts', 'anonymise')).toBe(0);
    expect(line(plan.due, 'training')).toBe(0);
    expect(line(plan.upcoming['365'], 'training')).toBe(0);
    // The closed request of the fixture goes 2026-01-10 (closed 2021-01-10 + P5Y), within 30 days.
    expect(line(plan.upcoming['30'], 'closed_requests')).toBe(1);
    // The staff account goes 2026-03-05: after 30 days, within 90.
    expect(line(plan.upcoming['30'], 'staff_accounts', 'anonymise')).toBe(0);
    expect(line(plan.upcoming['90'], 'staff_accounts', 'anonymise')).toBe(1);
  });

  it('P4.1 a deactivated staff account is kept whole the day before its term (2026-03-04) and anonymised from it, id kept, audited, ± 1 day', async () => {
    const before = await previewRetention(db(), policy, '2026-03-04');
    expect(line(before.due, 'staff_accounts', 'anonymise')).toBe(0);
    expect(line(before.upcoming['30'], 'staff_accounts', 'anonymise')).toBe(1);
    const r0 = await runRetention(db(), policy, { at: day('2026-03-04') });
    expect(changed(r0, 'staff_accounts')).toBe(0);
    const kept = await sql<{ email: string }>`select email from accounts where id = ${staff}`.execute(db().withoutPlugins());
    expect(kept.rows[0]?.email).toBe('staff1@certilience.test');

    const on = await previewRetention(db(), policy, '2026-03-06');
    expect(line(on.due, 'staff_accounts', 'anonymise')).toBe(1);
    const r1 = await runRetention(db(), policy, { at: day('2026-03-06') });
    expect(r1.changed).toContainEqual({ purpose: 'staff_accounts', action: 'anonymise', count: 1 });
    const rows = await sql<{ id: string; email: string; role: string; password_hash: string; totp_secret: string | null; totp_enabled: boolean; recovery_code_hashes: unknown; failed_attempts: number; anonymised_at: Date | null; disabled_at: Date | null }>`
      select id, email, role, password_hash, totp_secret, totp_enabled, recovery_code_hashes, failed_attempts, anonymised_at, disabled_at from accounts order by id`.execute(db().withoutPlugins());
    const gone = rows.rows.find((r) => r.id === staff)!;
    expect(gone).toMatchObject({ email: `${staff}@anonymised.invalid`, role: 'sales', password_hash: '', totp_secret: null, totp_enabled: false, failed_attempts: 0 });
    expect(gone.anonymised_at?.toISOString()).toBe('2026-03-06T00:00:00.000Z');
    expect(JSON.stringify(rows.rows.filter((r) => r.id === staff))).not.toContain('staff1');
    // The active account is untouched; the anonymised one's sessions are gone.
    expect(rows.rows.find((r) => r.id === active)).toMatchObject({ email: 'staff2@certilience.test', anonymised_at: null });
    const sessions = await sql<{ account_id: string }>`select account_id from sessions`.execute(db().withoutPlugins());
    expect(sessions.rows.map((s) => s.account_id)).toEqual([active]);
    const audited = await sql<{ event: unknown }>`select event from audit_queue`.execute(db().withoutPlugins());
    const events = audited.rows.map((r) => (typeof r.event === 'string' ? r.event : JSON.stringify(r.event))).filter((e) => e.includes('anonymise accounts=1'));
    expect(events).toHaveLength(1);
    expect(events[0]).toContain(staff);
    // Idempotent: a second run, or a later one, leaves it as it is.
    const again = await runRetention(db(), policy, { at: day('2026-03-07') });
    expect(changed(again, 'staff_accounts')).toBe(0);
    expect(line((await previewRetention(db(), policy, '2027-01-01')).upcoming['365'], 'staff_accounts', 'anonymise')).toBe(0);
  });

  it('P4.1 with end: delete, the policy removes the account instead (sessions with it)', async () => {
    const id = await account(db(), 3, new Date('2020-06-01T08:00:00Z'));
    const deleting: LoadedPolicy = { ...policy, accountabilityRetention: { ...policy.accountabilityRetention, staff_accounts: { ...policy.accountabilityRetention.staff_accounts, end: 'delete' } } };
    expect(line((await previewRetention(db(), deleting, '2026-05-31')).due, 'staff_accounts')).toBe(0);
    expect(changed(await runRetention(db(), deleting, { at: day('2026-05-31') }), 'staff_accounts')).toBe(0);
    expect(line((await previewRetention(db(), deleting, '2026-06-01')).due, 'staff_accounts')).toBe(1);
    const r = await runRetention(db(), deleting, { at: day('2026-06-01') });
    expect(r.changed).toContainEqual({ purpose: 'staff_accounts', action: 'delete', count: 1 });
    const left = await sql<{ n: string | number }>`select (select count(*) from accounts where id = ${id}) + (select count(*) from sessions where account_id = ${id}) as n`.execute(db().withoutPlugins());
    expect(Number(left.rows[0]!.n)).toBe(0);
  });

  it('P4.6 consent proofs and transfer logs: the plan counts what the consent sweep removes, ± 1 day, and nothing is due right after a run', async () => {
    // transfer_logs: P5Y from the transfer (2026-01-10 10:01) → a run on 2031-01-11 (00:00) removes it, not one on 2031-01-10.
    // consent_proofs: P5Y from the withdrawal (10:02); A's chain (given, withdrawn) goes, B's withdrawal stays while its notice is pending.
    const before = await previewRetention(db(), policy, '2031-01-10');
    expect(line(before.due, 'transfer_logs')).toBe(0);
    expect(line(before.due, 'consent_proofs')).toBe(0);
    expect(line(before.upcoming['30'], 'transfer_logs')).toBe(2);
    const r0 = await runRetention(db(), policy, { at: day('2031-01-10') });
    expect(changed(r0, 'transfer_logs') + changed(r0, 'consent_proofs')).toBe(0);

    const after = await previewRetention(db(), policy, '2031-01-11');
    // A's two events and B's consent go; B's withdrawal stays while its notice is pending (the sweep keeps what a pending notice reports).
    expect(line(after.due, 'consent_proofs')).toBe(3);
    expect(line(after.due, 'transfer_logs')).toBe(2);
    const r1 = await runRetention(db(), policy, { at: day('2031-01-11') });
    expect(changed(r1, 'transfer_logs')).toBe(2);
    expect(changed(r1, 'consent_proofs')).toBe(3);
    const left = await sql<{ state: string }>`select state from consent_events`.execute(db().withoutPlugins());
    expect(left.rows.map((r) => r.state)).toEqual(['withdrawn']);
    const now = await previewRetention(db(), policy, '2031-01-11');
    expect(now.due.filter((l) => l.count > 0)).toEqual([]);
  });

  it('P4.6 right after a run at a date, every due count at that date is 0 (accountability records included)', async () => {
    await account(db(), 4, new Date('2031-02-01T00:00:00Z'));
    for (const d of ['2031-06-30', '2037-02-01', '2040-01-01']) {
      const plan = await previewRetention(db(), policy, d);
      const report = await runRetention(db(), policy, { at: day(d), batchSize: 2 });
      for (const p of ACCOUNTABILITY) expect(changed(report, p), `${p} on ${d}`).toBe(dueOf(plan, p));
      const afterRun = await previewRetention(db(), policy, d);
      expect(afterRun.due.filter((l) => l.count > 0), `nothing due right after a run on ${d}`).toEqual([]);
    }
  });
});
