import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachEngine } from '../../test/engines.js';
import { createToken } from '../access/auth/index.js';
import { verifyAndRecord } from '../access/audit/index.js';
import { buildApp } from '../app.js';
import { newId } from '../db/ids.js';
import { recordVersion, versionsDir } from '../documents/index.js';
import { loadPolicy, parsePolicy, type LoadedPolicy } from '../policy/index.js';
import { runRetention } from '../retention/sweep.js';
import { seedRetentionFixture, type RetentionFixture } from '../retention/test-support.js';

type Json = Record<string, unknown>;

describeEachEngine('oversight routes: dashboard, audit verification, retention plan and runs, document versions (issue 16)', (store) => {
  let policy: LoadedPolicy;
  let f: RetentionFixture;
  let app: FastifyInstance;
  let dataDir: string;
  const tokens: Record<string, string> = {};
  const now = new Date('2025-09-10T09:00:00Z');
  const overdueId = newId();
  const soonId = newId();
  const get = (role: string, url: string) => app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${tokens[role]}` } });

  beforeAll(async () => {
    policy = await loadPolicy('policies/certilience.yaml');
    dataDir = await mkdtemp(join(tmpdir(), 'rempart-oversight-'));
    f = await seedRetentionFixture(store().db, 11);
    await runRetention(store().db, policy, { at: new Date('2024-04-01T00:00:00Z'), actor: 'cli:tester', clock: () => new Date('2024-04-01T03:00:00Z') });
    const request = { type: 'access' as const, language: 'fr' as const, channel: 'portal' as const, noticeVersion: policy.version.hash, contactEmail: 'asker@example.fr', verifiedAt: now };
    await store()
      .db.insertInto('rightsRequests')
      .values([
        { ...request, id: overdueId, state: 'in_progress', receivedAt: new Date('2025-07-01T10:00:00Z'), dueAt: '2025-08-01' },
        { ...request, id: soonId, state: 'in_progress', receivedAt: new Date('2025-09-01T10:00:00Z'), dueAt: '2025-10-02' },
      ])
      .execute();
    await store()
      .db.insertInto('oppositionList')
      .values([
        { id: newId(), emailHash: 'a'.repeat(64), phoneHash: null, channel: 'all', createdAt: now, keepUntil: new Date('2029-09-10T00:00:00Z') },
        { id: newId(), emailHash: 'b'.repeat(64), phoneHash: null, channel: 'email', createdAt: now, keepUntil: new Date('2029-09-10T00:00:00Z') },
      ])
      .execute();
    await store()
      .db.insertInto('connectionLogs')
      .values([
        { id: newId(), at: new Date('2025-09-10T08:00:00Z'), service: 'backoffice', event: 'login', accountId: null, identifierHash: 'c'.repeat(64), sourceIp: '203.0.113.9', sourcePort: null, userAgent: 'test', outcome: 'failure', reason: 'bad_password' },
        { id: newId(), at: new Date('2025-09-05T08:00:00Z'), service: 'backoffice', event: 'login', accountId: null, identifierHash: 'c'.repeat(64), sourceIp: '203.0.113.9', sourcePort: null, userAgent: 'test', outcome: 'failure', reason: 'bad_password' },
      ])
      .execute();
    app = await buildApp({ store: store(), policy, now: () => now, webRoot: '/nonexistent', dataDir });
    for (const role of ['dpo', 'it', 'sales', 'marketing']) tokens[role] = (await createToken(store().db, policy, { role, name: `oversight ${role}` }, now)).token;
    // One consent given and one withdrawn this month, through the API as marketing.
    const consent = (state: string) =>
      app.inject({ method: 'POST', url: `/api/v1/people/${f.contacted}/prospecting-consents`, headers: { authorization: `Bearer ${tokens.marketing}` }, payload: { scope: 'email_prospecting', state, channel: 'web_form' } });
    expect((await consent('given')).statusCode).toBe(201);
    expect((await consent('withdrawn')).statusCode).toBe(201);
  });
  afterAll(async () => {
    await app.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('the dpo dashboard: open requests overdue first and flagged, retention forecast per rule, consents per month, opposition size, failed sign-ins', async () => {
    const res = await get('dpo', '/api/v1/dashboard');
    expect(res.statusCode).toBe(200);
    const d = res.json<Json>() as {
      today: string;
      requests: { open: number; overdue: number; items: { id: string; overdue: boolean }[] };
      retention: { upcoming: Record<string, { purpose: string; action: string; count: number }[]> };
      consents: { months: { month: string; scope: string; given: number; withdrawn: number }[] };
      opposition: { entries: number };
      auditChain: { lastVerification: unknown };
      failedSignIns: { last24h: number; last7d: number; items: { sourceIp: string }[] };
    };
    expect(d.today).toBe('2025-09-10');
    expect(d.requests).toMatchObject({ open: 2, overdue: 1 });
    expect(d.requests.items.map((r) => [r.id, r.overdue])).toEqual([
      [overdueId, true],
      [soonId, false],
    ]);
    expect(res.body).not.toContain('asker@example.fr');
    // The prospect last contacted 2022-09-01 (P3Y) is deleted on 2025-09-01: already due; the archived client is anonymised 2025-06-30.
    expect(Object.keys(d.retention.upcoming)).toEqual(['30', '90', '365']);
    expect(d.retention.upcoming['365']!.some((l) => l.count > 0)).toBe(true);
    expect(d.consents.months).toContainEqual({ month: '2025-09', scope: 'email_prospecting', given: 1, withdrawn: 1, refused: 0 });
    expect(d.opposition).toEqual({ entries: 2 });
    expect(d.auditChain.lastVerification).toBeNull();
    expect(d.failedSignIns).toMatchObject({ last24h: 1, last7d: 2 });
    expect(d.failedSignIns.items).toHaveLength(2);
  });

  it('the dashboard by grant: it sees the audit chain and sign-ins only; sales is refused', async () => {
    const it_ = (await get('it', '/api/v1/dashboard')).json<Json>();
    expect(it_).toMatchObject({ requests: null, retention: null, consents: null, opposition: null });
    expect(it_.auditChain).not.toBeNull();
    expect(it_.failedSignIns).not.toBeNull();
    expect((await get('sales', '/api/v1/dashboard')).statusCode).toBe(403);
    expect((await app.inject({ method: 'GET', url: '/api/v1/dashboard' })).statusCode).toBe(401);
  });

  it('P2.5 verify now: the outcome is recorded and shown as the last verification; a verification from the command line too', async () => {
    const res = await app.inject({ method: 'POST', url: '/api/v1/audit/verify', headers: { authorization: `Bearer ${tokens.it}` } });
    expect(res.statusCode).toBe(200);
    const v = res.json<{ ok: boolean; entries: number; actor: string; at: string }>();
    expect(v.ok).toBe(true);
    expect(v.entries).toBeGreaterThan(0);
    expect(v.actor).toMatch(/^token:/);
    expect(((await get('dpo', '/api/v1/dashboard')).json<Json>().auditChain as { lastVerification: unknown }).lastVerification).toEqual(v);
    expect((await app.inject({ method: 'POST', url: '/api/v1/audit/verify', headers: { authorization: `Bearer ${tokens.sales}` } })).statusCode).toBe(403);

    const later = new Date(now.getTime() + 60_000);
    const { verification } = await verifyAndRecord(store().db, 'cli:tester', later);
    const list = (await get('it', '/api/v1/audit/verifications')).json<{ items: { id: string; actor: string }[] }>().items;
    expect(list[0]?.id).toBe(verification.id);
    expect(list[0]?.actor).toBe('cli:tester');
    expect(list[1]).toEqual(v);
  });

  it('P4.6 the retention plan and the last runs with what they did; only for the roles overseeing the processing', async () => {
    const plan = await get('dpo', '/api/v1/retention/plan?at=2025-09-10');
    expect(plan.statusCode).toBe(200);
    const p = plan.json<{ at: string; due: { purpose: string; action: string; count: number }[] }>();
    expect(p.at).toBe('2025-09-10');
    expect(p.due.find((l) => l.purpose === 'prospecting' && l.action === 'delete')?.count).toBeGreaterThanOrEqual(1);
    expect((await get('dpo', '/api/v1/retention/plan?at=2025-02-30')).statusCode).toBe(400);
    expect((await get('it', '/api/v1/retention/plan')).statusCode).toBe(403);

    const runs = (await get('dpo', '/api/v1/retention/runs')).json<{ items: { appliedAt: string; actor: string; changed: { purpose: string; action: string; count: number }[]; rows: Record<string, number> }[] }>().items;
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ appliedAt: '2024-04-01', actor: 'cli:tester' });
    // The 2024-04-01 run archived the ended relationship and deleted the 2021 prospect.
    expect(runs[0]!.changed).toContainEqual({ purpose: 'prospecting', action: 'delete', count: 1 });
    expect(runs[0]!.changed.find((c) => c.purpose === 'crm' && c.action === 'archive')?.count).toBeGreaterThan(0);
    expect(Object.values(runs[0]!.rows).reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    expect((await get('marketing', '/api/v1/retention/runs')).statusCode).toBe(403);
  });

  it('D3 the versions of the register and notice, and what changed between two, in words', async () => {
    const text = await readFile(policy.file, 'utf8');
    const older = text.replace(/effectiveDate: "?(\d{4}-\d{2}-\d{2})"?/, 'effectiveDate: "2017-01-01"').replace('active: P1Y     # "pendant une période de 12 mois"', 'active: P2Y');
    const olderPolicy = parsePolicy(older, join(dataDir, 'older.yaml'));
    await recordVersion(versionsDir(dataDir), olderPolicy, older);
    const versions = (await get('dpo', '/api/v1/documents/versions')).json<{ items: { hash: string; current: boolean; effectiveDate: string }[] }>().items;
    expect(versions.map((v) => v.hash)).toEqual([olderPolicy.version.hash, policy.version.hash]);
    expect(versions.map((v) => v.current)).toEqual([false, true]);
    const diff = await get('dpo', `/api/v1/documents/diff?from=${olderPolicy.version.shortHash}&lang=en`);
    expect(diff.statusCode).toBe(200);
    const d = diff.json<{ from: string; to: string; changes: string[] }>();
    expect(d.to).toBe(policy.version.hash);
    expect(d.changes.join('\n')).toMatch(/connection/i);
    expect((await get('dpo', '/api/v1/documents/diff?from=ffff')).statusCode).toBe(404);
    expect((await get('sales', '/api/v1/documents/versions')).statusCode).toBe(403);
  });

  it('P2.5 the audit trail with filters and paging, for it and dpo; refused to sales', async () => {
    const page = await get('it', '/api/v1/audit?resource=connection-logs&action=read&limit=1');
    expect(page.statusCode).toBe(200);
    const body = page.json<{ items: { resource: string; action: string }[]; nextCursor: string | null }>();
    expect(body.items).toHaveLength(1);
    expect(body.items[0]).toMatchObject({ resource: 'connection-logs', action: 'read' });
    const byActor = (await get('dpo', '/api/v1/audit?actor=cli:tester')).json<{ items: unknown[] }>();
    expect(byActor.items).toEqual([]);
    expect((await get('dpo', '/api/v1/audit?from=2099-01-01T00:00:00Z')).json<{ items: unknown[] }>().items).toEqual([]);
    expect((await get('dpo', '/api/v1/audit?actor=nobody')).statusCode).toBe(400);
    expect((await get('sales', '/api/v1/audit')).statusCode).toBe(403);
  });
});
