import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { unzipSync, strFromU8 } from 'fflate';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeEachEngine } from '../../test/engines.js';
import { createToken } from '../access/auth/index.js';
import { createAccessRuntime } from '../access/runtime.js';
import { cliActor } from '../access/actor.js';
import { buildApp } from '../app.js';
import { loadPolicy, type LoadedPolicy } from '../policy/index.js';
import { scanForPerson } from '../rights/erasure/index.js';
import { certificatePublicKeyPem, closeEngagement, credentialsOf, gophishSignature, verifyCertificate, type EngagementCredentials } from './index.js';

type Json = Record<string, unknown>;
const NOW = new Date('2026-12-07T10:00:00Z');
const SERVER_KEY = Buffer.alloc(32, 7);
const PUBLIC_URL = 'http://rempart.test';
const SHARED = 'claire.martin@acme-industrie.fr';

describeEachEngine('P1.5 training engagements (API)', (store) => {
  let app: FastifyInstance;
  let policy: LoadedPolicy;
  let dataDir: string;
  const auth: Record<string, Record<string, string>> = {};
  const call = async (who: string, method: 'GET' | 'POST' | 'PATCH' | 'DELETE' | 'PUT', url: string, payload?: unknown) => {
    const res = await app.inject({ method, url, headers: auth[who] ?? {}, ...(payload === undefined ? {} : { payload: payload as Json }) });
    return { status: res.statusCode, body: (res.headers['content-type']?.toString().includes('json') && res.body ? res.json() : res.body) as Json & Json[] & string };
  };
  let orgA = '';
  let orgB = '';
  let engA = '';
  let engB = '';
  let credsA: EngagementCredentials;
  let credsB: EngagementCredentials;

  const gophish = (engagement: string, creds: EngagementCredentials, event: Json, signature?: string) => {
    const body = JSON.stringify(event);
    return app.inject({
      method: 'POST',
      url: `/api/v1/engagements/${engagement}/gophish`,
      headers: { 'content-type': 'application/json', 'x-gophish-signature': signature ?? gophishSignature(creds.gophish.secret, body) },
      payload: body,
    });
  };
  const basic = (c: EngagementCredentials) => `Basic ${Buffer.from(`${c.xapi.key}:${c.xapi.secret}`).toString('base64')}`;
  const xapi = (engagement: string, creds: EngagementCredentials, method: 'GET' | 'POST' | 'PUT', query: string, body?: unknown, headers: Record<string, string> = {}) =>
    app.inject({
      method,
      url: `/api/v1/engagements/${engagement}/xapi/statements${query}`,
      headers: { authorization: basic(creds), 'x-experience-api-version': '1.0.3', 'content-type': 'application/json', ...headers },
      ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
    });
  const statement = (email: string, verb: string, extra: Json = {}) => ({
    actor: { objectType: 'Agent', mbox: `mailto:${email}`, name: 'x' },
    verb: { id: `http://adlnet.gov/expapi/verbs/${verb}`, display: { 'en-US': verb } },
    object: { id: 'https://elearning.example/courses/phishing-101', objectType: 'Activity' },
    timestamp: '2026-12-07T09:00:00Z',
    ...extra,
  });

  beforeAll(async () => {
    policy = await loadPolicy('policies/certilience.yaml');
    dataDir = mkdtempSync(join(tmpdir(), 'rempart-training-'));
    app = await buildApp({ store: store(), policy, now: () => NOW, serverKey: SERVER_KEY, publicUrl: PUBLIC_URL, dataDir });
    for (const role of ['manager', 'it', 'marketing', 'dpo']) auth[role] = { authorization: `Bearer ${(await createToken(store().db, policy, { role, name: role })).token}` };
    orgA = String((await call('manager', 'POST', '/api/v1/organisations', { name: 'Acme Industrie SAS' })).body.id);
    orgB = String((await call('manager', 'POST', '/api/v1/organisations', { name: 'Beta Services SARL' })).body.id);
    auth.clientA = { authorization: `Bearer ${(await createToken(store().db, policy, { role: 'training_client', name: 'acme contact', scopeOrganisationId: orgA })).token}` };
    // The same address is a prospect of CERTILIENCE (controller data) and, below, a trainee of client A.
    expect((await call('manager', 'POST', '/api/v1/people', { lastName: 'Martin', firstName: 'Claire', email: SHARED, relation: 'prospect' })).status).toBe(201);
  });
  afterAll(async () => {
    await app.close();
  });

  it('P1.5 creates engagements for client organisations of the CRM, with versioned instructions and the end choice', async () => {
    const a = await call('it', 'POST', '/api/v1/engagements', { clientOrganisationId: orgA, name: 'Sensibilisation 2027', startsOn: '2026-11-01', endsOn: '2026-12-01', instructions: 'Campagnes trimestrielles', subProcessors: [{ name: 'Hébergeur SAS', country: 'FR', service: 'hosting' }] });
    expect(a.status, JSON.stringify(a.body)).toBe(201);
    expect(a.body).toMatchObject({ status: 'active', endChoice: 'return_then_destroy', platforms: ['phishing', 'elearning'], instructions: [{ version: 1, date: '2026-12-07', text: 'Campagnes trimestrielles' }] });
    engA = String(a.body.id);
    const b = await call('it', 'POST', '/api/v1/engagements', { clientOrganisationId: orgB, name: 'Phishing B', startsOn: '2026-12-01', endsOn: '2027-06-30', endChoice: 'destroy' });
    expect(b.status).toBe(201);
    engB = String(b.body.id);
    const v2 = await call('it', 'POST', `/api/v1/engagements/${engA}/instructions`, { text: 'Ajout d’un module eLearning' });
    expect((v2.body.instructions as unknown[]).length).toBe(2);
    credsA = credentialsOf({ serverKey: SERVER_KEY, publicUrl: PUBLIC_URL }, engA);
    credsB = credentialsOf({ serverKey: SERVER_KEY, publicUrl: PUBLIC_URL }, engB);
    const creds = await call('it', 'GET', `/api/v1/engagements/${engA}/credentials`);
    expect(creds.body).toEqual(credsA);
    expect(credsA.xapi.endpoint).toBe(`${PUBLIC_URL}/api/v1/engagements/${engA}/xapi/`);
    expect(credsA.gophish.url).toBe(`${PUBLIC_URL}/api/v1/engagements/${engA}/gophish`);
    expect(credsA.gophish.secret).not.toBe(credsB.gophish.secret);
  });

  it('refuses a bad engagement with the fields named, and a role with no training grant', async () => {
    const bad = await call('it', 'POST', '/api/v1/engagements', { clientOrganisationId: orgA, name: '', startsOn: '2027-02-30', endsOn: '2026-01-01', endChoice: 'keep' });
    expect(bad.status).toBe(400);
    const fields = (bad.body as unknown as { error: { details: { field: string }[] } }).error.details.map((d) => d.field);
    expect(fields).toEqual(expect.arrayContaining(['name', 'startsOn', 'endChoice']));
    const unknownOrg = await call('it', 'POST', '/api/v1/engagements', { clientOrganisationId: '0190f0e0-0000-7000-8000-000000000000', name: 'x', startsOn: '2026-01-01', endsOn: '2026-02-01' });
    expect(unknownOrg.status).toBe(400);
    for (const [m, u] of [['GET', '/api/v1/engagements'], ['GET', `/api/v1/engagements/${engA}`], ['GET', `/api/v1/engagements/${engA}/trainees`], ['GET', `/api/v1/engagements/${engA}/report`]] as const) {
      expect((await call('marketing', m, u)).status, `${m} ${u}`).toBe(403);
    }
    expect((await app.inject({ method: 'GET', url: '/api/v1/engagements' })).statusCode).toBe(401);
  });

  it("P1.5 the client's scoped token sees only its own engagement", async () => {
    const list = await call('clientA', 'GET', '/api/v1/engagements');
    expect(list.status).toBe(200);
    expect((list.body as unknown as Json[]).map((e) => e.id)).toEqual([engA]);
    expect((await call('it', 'GET', '/api/v1/engagements')).body.length).toBe(2);
    for (const u of [`/api/v1/engagements/${engB}`, `/api/v1/engagements/${engB}/trainees`, `/api/v1/engagements/${engB}/report`]) expect((await call('clientA', 'GET', u)).status, u).toBe(404);
    expect((await call('clientA', 'GET', `/api/v1/engagements/${engA}/report`)).status).toBe(200);
    expect((await call('clientA', 'POST', '/api/v1/engagements', { clientOrganisationId: orgA, name: 'x', startsOn: '2026-01-01', endsOn: '2026-02-01' })).status).toBe(403);
    expect((await call('clientA', 'GET', `/api/v1/engagements/${engA}/credentials`)).status).toBe(403);
    expect((await call('clientA', 'POST', `/api/v1/engagements/${engA}/close`)).status).toBe(403);
  });

  it('P1.5 trainees live only in their engagement: the same address as a prospect stays two records, never seen by the controller side', async () => {
    const added = await call('it', 'POST', `/api/v1/engagements/${engA}/trainees`, [
      { email: SHARED, firstName: 'Claire', lastName: 'Martin', department: 'Finance' },
      { email: 'paul.durand@acme-industrie.fr', firstName: 'Paul', lastName: 'Durand', department: 'IT' },
    ]);
    expect(added.status, JSON.stringify(added.body)).toBe(201);
    expect((await call('it', 'POST', `/api/v1/engagements/${engB}/trainees`, { email: 'zoe@beta-services.fr', department: 'Ventes' })).status).toBe(201);
    const people = await call('manager', 'GET', '/api/v1/people?limit=500');
    expect(people.status).toBe(200);
    const items = ((people.body.items as Json[]) ?? []).filter((p) => p.email === SHARED);
    expect(items.length).toBe(1);
    expect(items[0]).toMatchObject({ relation: 'prospect' });
    const allPeople = await call('manager', 'GET', '/api/v1/people?limit=500');
    expect(JSON.stringify(allPeople.body)).not.toContain('paul.durand@acme-industrie.fr');
    // The controller's rights engines (scan, export, erasure) do not walk the processor tables.
    const scan = await scanForPerson(store().db, { values: [SHARED, 'paul.durand@acme-industrie.fr'] });
    expect(scan.found.filter((h) => h.where.startsWith('training_'))).toEqual([]);
    expect(scan.found.some((h) => h.where.startsWith('people.'))).toBe(true);
    // One client never sees another's trainees.
    const a = await call('it', 'GET', `/api/v1/engagements/${engA}/trainees`);
    expect((a.body as unknown as Json[]).map((t) => t.email).sort()).toEqual([SHARED, 'paul.durand@acme-industrie.fr']);
    expect(JSON.stringify((await call('clientA', 'GET', `/api/v1/engagements/${engA}/trainees`)).body)).not.toContain('zoe@beta-services.fr');
  });

  it('P1.5 Gophish events as Gophish sends them: signed, recorded, replays idempotent, submitted data never stored', async () => {
    const sent = { campaign_id: 7, email: SHARED, time: '2026-12-07T08:00:00.123456Z', message: 'Email Sent', details: '' };
    const r1 = await gophish(engA, credsA, sent);
    expect(r1.statusCode, r1.body).toBe(200);
    expect(r1.json()).toEqual({ status: 'recorded', kind: 'sent' });
    expect((await gophish(engA, credsA, sent)).json()).toEqual({ status: 'duplicate', kind: 'sent' });
    const secretValue = 'Hunter2-S3cret!';
    const submitted = { campaign_id: 7, email: SHARED.toUpperCase(), time: '2026-12-07T08:05:00Z', message: 'Submitted Data', details: JSON.stringify({ payload: { rid: ['abc'], password: [secretValue], username: ['claire'] }, browser: { address: '10.0.0.1', 'user-agent': 'x' } }) };
    expect((await gophish(engA, credsA, submitted)).json()).toEqual({ status: 'recorded', kind: 'submitted' });
    for (const m of ['Email Opened', 'Clicked Link']) expect((await gophish(engA, credsA, { ...sent, message: m, time: '2026-12-07T08:01:00Z' })).statusCode).toBe(200);
    await gophish(engA, credsA, { ...sent, email: 'paul.durand@acme-industrie.fr' });
    await gophish(engA, credsA, { ...sent, email: 'paul.durand@acme-industrie.fr', message: 'Email Reported', time: '2026-12-07T08:09:00Z' });
    // A new campaign id creates the campaign.
    await gophish(engA, credsA, { ...sent, campaign_id: 8, time: '2026-12-07T09:00:00Z' });
    const campaigns = await store().db.selectFrom('trainingCampaigns').select('gophishCampaignId').where('engagementId', '=', engA).execute();
    expect(campaigns.map((c) => Number(c.gophishCampaignId)).sort()).toEqual([7, 8]);
    // Nothing submitted is anywhere in the database.
    const hits = await scanForPerson(store().db, { values: [secretValue, '10.0.0.1'] });
    expect(hits.found).toEqual([]);
    const dump = JSON.stringify(await store().db.selectFrom('trainingPhishingEvents').selectAll().execute());
    expect(dump).not.toContain(secretValue);
    // Each recorded event has its audit entry, written in the same statement; a replay has none.
    const events = (await store().db.selectFrom('trainingPhishingEvents').select('id').where('engagementId', '=', engA).execute()).map((r) => r.id);
    const queued = (await store().db.selectFrom('auditQueue').select('event').execute()).map((r) => (typeof r.event === 'string' ? JSON.parse(r.event) : r.event) as { action: string; resource: string; recordIds: string[] });
    const chained = (await store().db.selectFrom('auditEntries').select(['action', 'resource', 'recordIds']).execute()).map((c) => ({ action: c.action, resource: c.resource, recordIds: c.recordIds as unknown as string[] }));
    const audited = [...queued, ...chained].filter((x) => x.resource === 'training-events' && x.action === 'create').flatMap((x) => x.recordIds);
    expect(audited.sort()).toEqual(events.sort());
  });

  it('P1.5 refuses badly signed, malformed, misrouted and non-trainee Gophish events with a clear reason', async () => {
    const ev = { campaign_id: 7, email: SHARED, time: '2026-12-07T08:00:00Z', message: 'Clicked Link', details: '' };
    const badSig = await gophish(engA, credsA, ev, 'sha256=' + '0'.repeat(64));
    expect(badSig.statusCode).toBe(401);
    expect(badSig.json().error.message).toMatch(/X-Gophish-Signature/);
    expect((await gophish(engA, credsB, ev, gophishSignature(credsB.gophish.secret, JSON.stringify(ev)))).statusCode).toBe(401);
    const noSig = await app.inject({ method: 'POST', url: `/api/v1/engagements/${engA}/gophish`, headers: { 'content-type': 'application/json' }, payload: JSON.stringify(ev) });
    expect(noSig.statusCode).toBe(401);
    const stranger = await gophish(engA, credsA, { ...ev, email: 'nobody@elsewhere.fr' });
    expect(stranger.statusCode).toBe(400);
    expect(stranger.json().error.message).toMatch(/not a trainee of this engagement/);
    expect(stranger.body).not.toContain('nobody@elsewhere.fr');
    // B's trainee sent to A's webhook: refused, not recorded in either.
    expect((await gophish(engA, credsA, { ...ev, email: 'zoe@beta-services.fr' })).statusCode).toBe(400);
    const malformed = await gophish(engA, credsA, { ...ev, campaign_id: 'seven', message: 'Opened?' });
    expect(malformed.statusCode).toBe(400);
    const notJson = await app.inject({ method: 'POST', url: `/api/v1/engagements/${engA}/gophish`, headers: { 'content-type': 'application/json', 'x-gophish-signature': gophishSignature(credsA.gophish.secret, '{nope') }, payload: '{nope' });
    expect(notJson.statusCode).toBe(400);
    expect((await gophish('0190f0e0-0000-7000-8000-000000000000', credsA, ev)).statusCode).toBe(404);
    const inB = await store().db.selectFrom('trainingPhishingEvents').select('id').where('engagementId', '=', engB).execute();
    expect(inB).toEqual([]);
  });

  it('P1.5 xAPI 1.0.3 statements: POST one and many, PUT, GET by id and filters, 409 on reuse, idempotent on the same content', async () => {
    const one = await xapi(engA, credsA, 'POST', '', statement(SHARED, 'completed', { result: { completion: true, success: true, score: { scaled: 0.8 } } }));
    expect(one.statusCode, one.body).toBe(200);
    expect(one.headers['x-experience-api-version']).toBe('1.0.3');
    const [id1] = one.json() as string[];
    const many = await xapi(engA, credsA, 'POST', '', [statement('paul.durand@acme-industrie.fr', 'failed', { result: { success: false, score: { scaled: 0.3 } } }), statement('ghost@acme-industrie.fr', 'attempted')]);
    expect((many.json() as string[]).length).toBe(2);
    const putId = '6f1c3d1a-2b4e-4c5d-9e8f-0a1b2c3d4e5f';
    const body = statement('paul.durand@acme-industrie.fr', 'passed', { result: { success: true, score: { scaled: 0.9 } } });
    expect((await xapi(engA, credsA, 'PUT', `?statementId=${putId}`, body)).statusCode).toBe(204);
    expect((await xapi(engA, credsA, 'PUT', `?statementId=${putId}`, body)).statusCode).toBe(204);
    expect((await xapi(engA, credsA, 'POST', '', { ...body, id: putId })).statusCode).toBe(200);
    const conflict = await xapi(engA, credsA, 'PUT', `?statementId=${putId}`, { ...body, verb: { id: 'http://adlnet.gov/expapi/verbs/failed' } });
    expect(conflict.statusCode).toBe(409);
    const got = await xapi(engA, credsA, 'GET', `?statementId=${id1}`);
    expect(got.statusCode).toBe(200);
    expect(got.json()).toMatchObject({ id: id1, verb: { id: 'http://adlnet.gov/expapi/verbs/completed' }, stored: NOW.toISOString() });
    const byVerb = await xapi(engA, credsA, 'GET', `?verb=${encodeURIComponent('http://adlnet.gov/expapi/verbs/passed')}`);
    expect((byVerb.json().statements as Json[]).map((s) => s.id)).toEqual([putId]);
    const byAgent = await xapi(engA, credsA, 'GET', `?agent=${encodeURIComponent(JSON.stringify({ mbox: 'mailto:paul.durand@acme-industrie.fr' }))}`);
    expect((byAgent.json().statements as Json[]).length).toBe(2);
    expect((await xapi(engA, credsA, 'GET', `?since=${encodeURIComponent('2026-12-07T10:00:00Z')}`)).json().statements).toEqual([]);
    expect((await xapi(engA, credsA, 'GET', `?since=${encodeURIComponent('2026-12-07T09:59:00Z')}`)).json().statements.length).toBe(4);
    // Isolation: B's LRS holds none of A's statements, and A's key does not open B's.
    expect((await xapi(engB, credsB, 'GET', `?statementId=${id1}`)).statusCode).toBe(404);
    expect((await xapi(engB, credsA, 'GET', '')).statusCode).toBe(401);
  });

  it('P1.5 xAPI refuses what the specification refuses, naming the field', async () => {
    const noVersion = await xapi(engA, credsA, 'POST', '', statement(SHARED, 'completed'), { 'x-experience-api-version': '' });
    expect(noVersion.statusCode).toBe(400);
    expect((await xapi(engA, credsA, 'POST', '', statement(SHARED, 'completed'), { 'x-experience-api-version': '0.95' })).statusCode).toBe(400);
    expect((await xapi(engA, credsA, 'POST', '', statement(SHARED, 'completed'), { authorization: 'Basic Zm9vOmJhcg==' })).statusCode).toBe(401);
    const cases: [Json, string][] = [
      [{ ...statement(SHARED, 'completed'), actor: undefined }, 'statement.actor'],
      [{ ...statement(SHARED, 'completed'), actor: { mbox: 'claire@example.fr' } }, 'statement.actor.mbox'],
      [{ ...statement(SHARED, 'completed'), verb: { id: 'completed' } }, 'statement.verb.id'],
      [{ ...statement(SHARED, 'completed'), object: undefined }, 'statement.object'],
      [{ ...statement(SHARED, 'completed'), result: { score: { scaled: 1.5 } } }, 'statement.result.score.scaled'],
      [{ ...statement(SHARED, 'completed'), timestamp: 'yesterday' }, 'statement.timestamp'],
      [{ ...statement(SHARED, 'completed'), id: 'not-a-uuid' }, 'statement.id'],
      [{ ...statement(SHARED, 'completed'), extra: 1 }, 'statement.extra'],
    ];
    for (const [s, field] of cases) {
      const res = await xapi(engA, credsA, 'POST', '', s);
      expect(res.statusCode, field).toBe(400);
      expect(res.json().error.details.map((d: { field: string }) => d.field), field).toContain(field);
    }
  });

  it('P1.5 reports per campaign, department and course, JSON and CSV, with unmatched statements counted', async () => {
    const res = await call('clientA', 'GET', `/api/v1/engagements/${engA}/report`);
    expect(res.status).toBe(200);
    const report = res.body as unknown as { campaigns: Json[]; departments: Json[]; courses: Json[]; unmatchedStatements: number; trend: Json[] };
    expect(report.campaigns[0]).toMatchObject({ campaign: 7, sent: 2, opened: 1, clicked: 1, submitted: 1, reported: 1 });
    expect(report.campaigns[1]).toMatchObject({ campaign: 8, sent: 1, opened: 0 });
    expect(report.departments).toEqual(expect.arrayContaining([expect.objectContaining({ department: 'Finance', sent: 1, submitted: 1 }), expect.objectContaining({ department: 'IT', sent: 1, reported: 1 })]));
    expect(report.courses[0]).toMatchObject({ activity: 'https://elearning.example/courses/phishing-101', learners: 3, completed: 1, passed: 2, failed: 1 });
    expect(report.unmatchedStatements).toBe(1);
    expect(report.trend[0]).toMatchObject({ campaign: 7, clickRate: 0.5, submitRate: 0.5, reportRate: 0.5 });
    const csv = await call('it', 'GET', `/api/v1/engagements/${engA}/report?format=csv`);
    expect(csv.status).toBe(200);
    expect(String(csv.body).split('\r\n')[0]).toBe('scope,name,sent,opened,clicked,submitted,reported,learners,completed,completion_rate,passed,failed,pass_rate,average_score');
    expect(String(csv.body)).toContain('campaign,7,2,1,1,1,1');
  });

  it("P1.5 the client's employees' rights: export, correct, delete, each audited", async () => {
    const list = (await call('it', 'GET', `/api/v1/engagements/${engA}/trainees`)).body as unknown as Json[];
    const paul = list.find((t) => t.email === 'paul.durand@acme-industrie.fr') as Json;
    const exp = await call('clientA', 'GET', `/api/v1/engagements/${engA}/trainees/${paul.id}/export`);
    expect(exp.status).toBe(200);
    expect((exp.body.phishingEvents as unknown[]).length).toBe(2);
    expect((exp.body.statements as unknown[]).length).toBe(2);
    expect((await call('clientA', 'PATCH', `/api/v1/engagements/${engA}/trainees/${paul.id}`, { department: 'DSI' })).status).toBe(403);
    const fixed = await call('it', 'PATCH', `/api/v1/engagements/${engA}/trainees/${paul.id}`, { department: 'DSI' });
    expect(fixed.body).toMatchObject({ department: 'DSI' });
    expect((await call('it', 'GET', `/api/v1/engagements/${engB}/trainees/${paul.id}/export`)).status).toBe(404);
    const zoe = ((await call('it', 'GET', `/api/v1/engagements/${engB}/trainees`)).body as unknown as Json[])[0] as Json;
    expect((await call('it', 'DELETE', `/api/v1/engagements/${engB}/trainees/${zoe.id}`)).status).toBe(204);
    expect((await call('it', 'GET', `/api/v1/engagements/${engB}/trainees`)).body).toEqual([]);
    // Each act is in the audit trail (queued or already chained), field names only.
    const queued = (await store().db.selectFrom('auditQueue').select('event').execute()).map((r) => (typeof r.event === 'string' ? JSON.parse(r.event) : r.event) as { action: string; resource: string; recordIds: string[] });
    const chained = await store().db.selectFrom('auditEntries').select(['action', 'resource', 'recordIds']).execute();
    const events = [...queued, ...chained.map((c) => ({ action: c.action, resource: c.resource, recordIds: c.recordIds as unknown as string[] }))];
    for (const [action, id] of [['export', paul.id], ['update', paul.id], ['delete', zoe.id]] as const) {
      expect(events.some((e) => e.action === action && e.resource === 'training-trainees' && e.recordIds.includes(String(id))), `${action} audited`).toBe(true);
    }
    expect(JSON.stringify(events)).not.toContain('paul.durand@acme-industrie.fr');
  });

  it('P4.3 close: package complete with right checksums, then nothing left, a certificate that verifies; one byte changed fails; a crash between package and destruction resumes', async () => {
    const access = createAccessRuntime({ db: store().db, policy, now: () => NOW, chainer: false });
    const session = access.gate.for(cliActor());
    const deps = { db: store().db, now: () => NOW, serverKey: SERVER_KEY, publicUrl: PUBLIC_URL };
    const out = join(dataDir, 'acme.zip');
    await expect(closeEngagement(deps, session, engA, { out, crashAt: 'after-package' })).rejects.toThrow(/Simulated crash/);
    expect(existsSync(out)).toBe(true);
    // Nothing destroyed yet: the crash came between the package and the destruction.
    expect((await store().db.selectFrom('trainingTrainees').select('id').where('engagementId', '=', engA).execute()).length).toBe(2);
    const done = await closeEngagement(deps, session, engA, { out });
    expect(done.performed).toBe(true);
    const zip = unzipSync(readFileSync(out));
    expect(Object.keys(zip).sort()).toEqual(['engagement.json', 'manifest.json', 'phishing-events.csv', 'phishing-events.json', 'report.csv', 'report.json', 'trainees.csv', 'trainees.json', 'xapi-statements.json']);
    const manifest = JSON.parse(strFromU8(zip['manifest.json'] as Uint8Array)) as { files: { name: string; sha256: string }[]; counts: Json };
    for (const f of manifest.files) expect(createHash('sha256').update(zip[f.name] as Uint8Array).digest('hex'), f.name).toBe(f.sha256);
    expect(manifest.counts).toEqual({ trainees: 2, campaigns: 2, phishingEvents: 7, statements: 4 });
    expect(JSON.parse(strFromU8(zip['trainees.json'] as Uint8Array)).length).toBe(2);
    expect(JSON.parse(strFromU8(zip['xapi-statements.json'] as Uint8Array)).length).toBe(4);
    expect(createHash('sha256').update(readFileSync(out)).digest('hex')).toBe(done.packageSha256);
    for (const t of ['trainingTrainees', 'trainingCampaigns', 'trainingPhishingEvents', 'trainingStatements'] as const) {
      expect((await store().db.selectFrom(t).select('engagementId').where('engagementId', '=', engA).execute()).length, t).toBe(0);
    }
    const residue = await scanForPerson(store().db, { values: ['paul.durand@acme-industrie.fr'] });
    expect(residue.found).toEqual([]);
    const text = readFileSync(done.certificatePath, 'utf8');
    expect(verifyCertificate(text, certificatePublicKeyPem(SERVER_KEY))).toMatchObject({ ok: true });
    expect(done.certificate.certificate).toMatchObject({ destroyed: { trainees: 2, phishingEvents: 7, statements: 4, campaigns: 2 }, package: { sha256: done.packageSha256 }, destroyedBy: cliActor().id });
    const i = text.indexOf('"trainees": 2') + '"trainees": '.length;
    const tampered = `${text.slice(0, i)}3${text.slice(i + 1)}`;
    expect(verifyCertificate(tampered)).toMatchObject({ ok: false, reason: expect.stringMatching(/signature does not match/) });
    expect(verifyCertificate(text, certificatePublicKeyPem(Buffer.alloc(32, 9)))).toMatchObject({ ok: false });
    // A second close is a no-op with the same certificate.
    const again = await closeEngagement(deps, session, engA, { out: join(dataDir, 'other.zip') });
    expect(again.performed).toBe(false);
    expect(again.certificate).toEqual(done.certificate);
    expect(again.certificatePath).toBe(done.certificatePath);
    // A closed engagement takes no more events.
    const late = await gophish(engA, credsA, { campaign_id: 7, email: SHARED, time: '2026-12-07T11:00:00Z', message: 'Clicked Link', details: '' });
    expect(late.statusCode).toBe(409);
    expect((await xapi(engA, credsA, 'POST', '', statement(SHARED, 'completed'))).statusCode).toBe(409);
    await access.close();
  });

  it('P1.5 isolation on every engagement route: a client contact reaches nothing of another client, by id or by trainee id', async () => {
    const bTrainee = (await call('it', 'POST', `/api/v1/engagements/${engB}/trainees`, { email: 'yann@beta-services.fr' })).body;
    const routes: ['GET' | 'POST' | 'PATCH' | 'DELETE', string, unknown?][] = [
      ['GET', `/api/v1/engagements/${engB}`],
      ['GET', `/api/v1/engagements/${engB}/trainees`],
      ['GET', `/api/v1/engagements/${engB}/report`],
      ['GET', `/api/v1/engagements/${engB}/report?format=csv`],
      ['GET', `/api/v1/engagements/${engB}/trainees/${bTrainee.id}/export`],
      ['GET', `/api/v1/engagements/${engB}/package`],
    ];
    for (const [m, u, body] of routes) {
      const res = await call('clientA', m, u, body);
      expect(res.status, `${m} ${u}`).toBe(404);
      expect(JSON.stringify(res.body), `${m} ${u}`).not.toContain('yann@beta-services.fr');
    }
    // Writes are refused to the client contact before any lookup (its role may only read and export).
    for (const [m, u, body] of [['POST', `/api/v1/engagements/${engB}/trainees`, { email: 'x@y.fr' }], ['PATCH', `/api/v1/engagements/${engB}/trainees/${bTrainee.id}`, { department: 'x' }], ['DELETE', `/api/v1/engagements/${engB}/trainees/${bTrainee.id}`], ['POST', `/api/v1/engagements/${engB}/instructions`, { text: 'x' }]] as const) {
      expect((await call('clientA', m, u, body)).status, `${m} ${u}`).toBe(403);
    }
    // A trainee id of B asked through A's engagement is not there.
    expect((await call('it', 'GET', `/api/v1/engagements/${engA}/trainees/${bTrainee.id}/export`)).status).toBe(404);
  });

  it('P4.3 a crash after the destruction and before the certificate resumes to the certificate', async () => {
    const c = await call('it', 'POST', '/api/v1/engagements', { clientOrganisationId: orgA, name: 'Crash test', startsOn: '2026-01-01', endsOn: '2026-02-01' });
    const id = String(c.body.id);
    await call('it', 'POST', `/api/v1/engagements/${id}/trainees`, { email: 'ines@acme-industrie.fr' });
    const access = createAccessRuntime({ db: store().db, policy, now: () => NOW, chainer: false });
    const deps = { db: store().db, now: () => NOW, serverKey: SERVER_KEY, publicUrl: PUBLIC_URL };
    const out = join(dataDir, 'crash.zip');
    await expect(closeEngagement(deps, access.gate.for(cliActor()), id, { out, crashAt: 'after-destroy' })).rejects.toThrow(/Simulated crash/);
    expect(await store().db.selectFrom('trainingTrainees').select('id').where('engagementId', '=', id).execute()).toEqual([]);
    expect(existsSync(out.replace(/\.zip$/, '.certificate.json'))).toBe(false);
    const done = await closeEngagement(deps, access.gate.for(cliActor()), id, { out });
    expect(done.certificate.certificate.destroyed).toEqual({ trainees: 1, campaigns: 0, phishingEvents: 0, statements: 0 });
    expect(verifyCertificate(readFileSync(done.certificatePath, 'utf8'), certificatePublicKeyPem(SERVER_KEY))).toMatchObject({ ok: true });
    await access.close();
  });

  it('P4.3 close through the API, and the package download', async () => {
    const res = await call('it', 'POST', `/api/v1/engagements/${engB}/close`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(verifyCertificate(JSON.stringify(res.body.certificate))).toMatchObject({ ok: true });
    const pkg = await app.inject({ method: 'GET', url: `/api/v1/engagements/${engB}/package`, headers: auth.it });
    expect(pkg.statusCode).toBe(200);
    // The "destroy" end choice returns nothing personal: only the engagement and the manifest.
    expect(Object.keys(unzipSync(pkg.rawPayload)).sort()).toEqual(['engagement.json', 'manifest.json']);
    const key = await app.inject({ method: 'GET', url: '/api/v1/engagements/certificate-key' });
    expect(key.body).toBe(certificatePublicKeyPem(SERVER_KEY));
  });
});

describe('certificate verify (CLI)', () => {
  it('exits 0 for a valid certificate and 1 with the reason otherwise', async () => {
    const { runCli } = await import('../../test/cli.js');
    const { signCertificate } = await import('./certificate.js');
    const dir = mkdtempSync(join(tmpdir(), 'rempart-cert-'));
    const signed = signCertificate(SERVER_KEY, { kind: 'rempart.training.destruction-certificate', version: 1, engagementId: 'e', clientOrganisationId: 'o', engagementName: 'n', endChoice: 'destroy', destroyed: { trainees: 1 }, package: { sha256: 'a'.repeat(64), bytes: 10 }, destroyedAt: NOW.toISOString(), destroyedBy: 'cli:x' });
    const good = join(dir, 'good.json');
    writeFileSync(good, JSON.stringify(signed, null, 2));
    expect((await runCli('certificate', 'verify', good)).code).toBe(0);
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify(signed, null, 2).replace('"trainees": 1', '"trainees": 2'));
    const run = await runCli('certificate', 'verify', bad);
    expect(run.code).toBe(1);
    expect(run.err).toMatch(/invalid: the signature does not match/);
  });
});
