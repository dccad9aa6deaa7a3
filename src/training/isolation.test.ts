import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachEngine } from '../../test/engines.js';
import { createToken } from '../access/auth/index.js';
import { buildApp } from '../app.js';
import { loadPolicy, type LoadedPolicy } from '../policy/index.js';
import { runRetention } from '../retention/sweep.js';
import { buildAccessExport, buildPortabilityExport, findPeopleByEmail } from '../rights/export/index.js';
import { scanForPerson } from '../rights/erasure/index.js';
import { credentialsOf, gophishSignature } from './index.js';

type Json = Record<string, unknown>;
const NOW = new Date('2026-12-07T10:00:00Z');
const SERVER_KEY = Buffer.alloc(32, 11);
const PUBLIC_URL = 'http://rempart.test';
/** A prospect of CERTILIENCE and a trainee of client A: two records that never meet. */
const SHARED = 'claire.martin@acme-industrie.fr';
/** Only a trainee: no controller-side feature may ever see it, even asked by this exact address. */
const ONLY = 'only.trainee@acme-industrie.fr';
/** Values only the trainee records hold, to find any leak by value. */
const MARKS = [ONLY, 'Formation-Finance', 'Seulement', 'zoe@beta-services.fr'];

function multipart(fields: Record<string, string>, file: { name: string; content: string }): { payload: Buffer; headers: Record<string, string> } {
  const boundary = '----rempart-isolation';
  const parts = Object.entries(fields).map(([k, v]) => `--${boundary}\r\ncontent-disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`);
  parts.push(`--${boundary}\r\ncontent-disposition: form-data; name="file"; filename="${file.name}"\r\ncontent-type: text/csv\r\n\r\n${file.content}\r\n`, `--${boundary}--\r\n`);
  return { payload: Buffer.from(parts.join(''), 'utf8'), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

describeEachEngine('P1.5 isolation of the processor data: no controller-side route or engine sees a trainee, not even by exact address; one client never sees another', (store) => {
  let app: FastifyInstance;
  let policy: LoadedPolicy;
  const auth: Record<string, Record<string, string>> = {};
  let prospectId = '';
  let engA = '';
  let engB = '';
  let partnerId = '';
  let segmentId = '';
  let campaignId = '';
  const call = async (who: string, method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: unknown) => {
    const res = await app.inject({ method, url, headers: auth[who] ?? {}, ...(payload === undefined ? {} : { payload: payload as Json }) });
    const json = res.headers['content-type']?.toString().includes('json') && res.body !== '';
    return { status: res.statusCode, body: (json ? res.json() : res.body) as Json & Json[] & string, text: res.body };
  };
  const trainees = async () => JSON.stringify(await store().db.selectFrom('trainingTrainees').selectAll().orderBy('id').execute());

  /** What the controller side shows: must be the same before and after the trainees arrive. */
  const controllerView = async (): Promise<Record<string, string>> => {
    const view: Record<string, string> = {};
    const keep = async (name: string, who: string, method: 'GET' | 'POST', url: string, payload?: unknown) => {
      const r = await call(who, method, url, payload);
      expect(r.status, `${name}: ${r.text.slice(0, 300)}`).toBeLessThan(300);
      view[name] = r.text;
    };
    await keep('people', 'manager', 'GET', '/api/v1/people?limit=500');
    await keep('prospects', 'manager', 'GET', '/api/v1/people?limit=500&relation=prospect');
    await keep('organisations', 'manager', 'GET', '/api/v1/organisations?limit=500');
    await keep('segment-preview-any', 'marketing', 'POST', '/api/v1/segments/preview', { criteria: {} });
    await keep('segment-preview-source', 'marketing', 'POST', '/api/v1/segments/preview', { criteria: { sources: ['salon-iso'] } });
    await keep('segment-preview-saved', 'marketing', 'GET', `/api/v1/segments/${segmentId}/preview`);
    await keep('campaign-dry-run', 'marketing', 'POST', `/api/v1/campaigns/${campaignId}/send`, { dryRun: true });
    await keep('stats', 'marketing', 'GET', '/api/v1/stats/prospecting');
    await keep('dedupe-review', 'prospecting', 'GET', '/api/v1/dedupe/review');
    await keep('opposition', 'dpo', 'GET', '/api/v1/opposition');
    await keep('requests', 'dpo', 'GET', '/api/v1/requests');
    const plan = await call('dpo', 'GET', '/api/v1/retention/plan?at=2031-01-01');
    // Engagements are counted on the training line (not as people); connection and transfer logs grow with this very view.
    const noTraining = (lines: unknown) => (lines as Json[]).filter((l) => !['training', 'connection_logs', 'transfer_logs'].includes(String(l.purpose)));
    const upcoming = plan.body.upcoming as unknown as Record<string, unknown>;
    view.retention = JSON.stringify({ due: noTraining(plan.body.due), upcoming: Object.fromEntries(Object.entries(upcoming).map(([k, v]) => [k, noTraining(v)])) });
    for (const email of [SHARED, ONLY]) {
      const ids = await findPeopleByEmail(store().db, email);
      view[`find-${email}`] = JSON.stringify(ids);
      const access = await buildAccessExport(store().db, policy, ids, { now: NOW, language: 'fr', actor: 'cli:test', role: null, audit: async () => undefined });
      view[`access-${email}`] = JSON.stringify(access);
      const portability = await buildPortabilityExport(store().db, policy, ids, { now: NOW, actor: 'cli:test', role: null, audit: async () => undefined });
      view[`portability-${email}`] = JSON.stringify(portability);
    }
    const scan = await scanForPerson(store().db, { values: [SHARED, ONLY] });
    view.scan = JSON.stringify(scan.found);
    return view;
  };

  beforeAll(async () => {
    policy = await loadPolicy('policies/certilience.yaml');
    app = await buildApp({ store: store(), policy, now: () => NOW, serverKey: SERVER_KEY, publicUrl: PUBLIC_URL, dataDir: mkdtempSync(join(tmpdir(), 'rempart-isolation-')) });
    for (const role of ['manager', 'it', 'marketing', 'prospecting', 'dpo', 'sales']) auth[role] = { authorization: `Bearer ${(await createToken(store().db, policy, { role, name: role }, NOW)).token}` };
    const orgA = String((await call('manager', 'POST', '/api/v1/organisations', { name: 'Acme Industrie SAS' })).body.id);
    const orgB = String((await call('manager', 'POST', '/api/v1/organisations', { name: 'Beta Services SARL' })).body.id);
    for (const [who, org] of [['clientA', orgA], ['clientB', orgB]] as const) {
      auth[who] = { authorization: `Bearer ${(await createToken(store().db, policy, { role: 'training_client', name: who, scopeOrganisationId: org }, NOW)).token}` };
    }
    const p = await call('manager', 'POST', '/api/v1/people', { lastName: 'Martin', firstName: 'Claire', email: SHARED, relation: 'prospect', source: 'salon-iso' });
    expect(p.status, p.text).toBe(201);
    prospectId = String(p.body.id);
    expect((await call('marketing', 'POST', `/api/v1/people/${prospectId}/prospecting-consents`, { scope: 'email_prospecting', state: 'given', channel: 'web_form' })).status).toBe(201);
    const partner = await call('marketing', 'POST', '/api/v1/partners', { name: 'Partenaire Iso', kind: 'partner', country: 'FR', email: 'contact@partenaire.test' });
    expect(partner.status, partner.text).toBe(201);
    partnerId = String(partner.body.id);
    expect((await call('marketing', 'POST', `/api/v1/people/${prospectId}/consents`, { partnerId, state: 'given', channel: 'web_form' })).status).toBe(201);
    const seg = await call('marketing', 'POST', '/api/v1/segments', { name: 'Salon iso', kind: 'promotion', criteria: {} });
    expect(seg.status, seg.text).toBe(201);
    segmentId = String(seg.body.id);
    const camp = await call('marketing', 'POST', '/api/v1/campaigns', { name: 'Offre', segmentId, subject: 'Offre', body: 'Bonjour {{firstName}}, https://www.certilience.example/offre.' });
    expect(camp.status, camp.text).toBe(201);
    campaignId = String(camp.body.id);
    engA = String((await call('it', 'POST', '/api/v1/engagements', { clientOrganisationId: orgA, name: 'Sensibilisation A', startsOn: '2026-01-01', endsOn: '2027-06-30' })).body.id);
    engB = String((await call('it', 'POST', '/api/v1/engagements', { clientOrganisationId: orgB, name: 'Sensibilisation B', startsOn: '2026-01-01', endsOn: '2027-06-30' })).body.id);
  });
  afterAll(async () => {
    await app.close();
  });

  it('P1.5 people lists, segments, campaigns, stats, dedupe review, opposition, requests, retention plan, transfers, access and portability exports and the residue scan are the same with or without the trainees', async () => {
    const before = await controllerView();
    const added = await call('it', 'POST', `/api/v1/engagements/${engA}/trainees`, [
      { email: SHARED, firstName: 'Claire', lastName: 'Martin', department: 'Formation-Finance' },
      { email: ONLY, firstName: 'Olivia', lastName: 'Seulement', department: 'Formation-Finance' },
    ]);
    expect(added.status, added.text).toBe(201);
    expect((await call('it', 'POST', `/api/v1/engagements/${engB}/trainees`, { email: 'zoe@beta-services.fr', department: 'Ventes' })).status).toBe(201);
    const creds = credentialsOf({ serverKey: SERVER_KEY, publicUrl: PUBLIC_URL }, engA);
    const body = JSON.stringify({ campaign_id: 1, email: ONLY, time: '2026-12-07T08:00:00Z', message: 'Clicked Link', details: '' });
    expect((await app.inject({ method: 'POST', url: `/api/v1/engagements/${engA}/gophish`, headers: { 'content-type': 'application/json', 'x-gophish-signature': gophishSignature(creds.gophish.secret, body) }, payload: body })).statusCode).toBe(200);
    const after = await controllerView();
    for (const k of Object.keys(before)) expect(JSON.parse(JSON.stringify(after[k]?.startsWith('{') || after[k]?.startsWith('[') ? JSON.parse(after[k] as string) : after[k])), k).toEqual(JSON.parse(JSON.stringify(before[k]?.startsWith('{') || before[k]?.startsWith('[') ? JSON.parse(before[k] as string) : before[k])));
    // The file for a partner (consent transfers) holds the prospect, not the trainees.
    const transfer = await call('marketing', 'POST', '/api/v1/transfers', { partnerId });
    expect(transfer.status, transfer.text).toBeLessThan(300);
    const rows = transfer.text.trim().split(/\r?\n/);
    expect(rows).toHaveLength(2);
    expect(rows[1]).toContain(SHARED);
    const all = Object.values(after).join('\n') + transfer.text;
    for (const mark of MARKS) expect(all, mark).not.toContain(mark);
    // The exact address of a trainee finds no person.
    expect(after[`find-${ONLY}`]).toBe('[]');
    expect(after[`find-${SHARED}`]).toBe(JSON.stringify([prospectId]));
  });

  it('P1.5 a trainee id is no record id: read, change and delete through the record routes find nothing', async () => {
    const list = (await call('it', 'GET', `/api/v1/engagements/${engA}/trainees`)).body as unknown as Json[];
    for (const t of list) {
      expect((await call('manager', 'GET', `/api/v1/people/${String(t.id)}`)).status).toBe(404);
      expect((await call('manager', 'PATCH', `/api/v1/people/${String(t.id)}`, { lastName: 'X' })).status).toBe(404);
      expect((await call('manager', 'DELETE', `/api/v1/people/${String(t.id)}`)).status).toBe(404);
      const consents = await call('marketing', 'GET', `/api/v1/people/${String(t.id)}/prospecting-consents`);
      // Answered as for any unknown id: nothing about the trainee.
      if (consents.status === 200) expect(JSON.stringify(consents.body)).not.toMatch(/@|Formation|Seulement/);
      else expect(consents.status).toBe(404);
    }
  });

  it("P1.5 the controller's writes never reach a trainee: opposition, import with the same addresses, dedupe run, retention sweep, erasure of the prospect", async () => {
    const held = await trainees();
    expect((await call('marketing', 'POST', '/api/v1/opposition', { email: SHARED })).status).toBe(201);
    expect((await call('marketing', 'POST', '/api/v1/opposition', { email: ONLY })).status).toBe(201);
    // An import holding both addresses: the prospect merges, the trainee-only address becomes a new prospect; no trainee moves.
    const file = multipart({ source: 'Salon import iso' }, { name: 'p.csv', content: `nom;prenom;email\nMartin;Claire;${SHARED}\nSeulement;Olivia;${ONLY}\n` });
    const res = await app.inject({ method: 'POST', url: '/api/v1/imports', headers: { ...auth.prospecting, ...file.headers }, payload: file.payload });
    expect(res.statusCode, res.body).toBe(202);
    let job: Json = {};
    for (let i = 0; i < 100 && job.status !== 'done' && job.status !== 'failed'; i++) {
      await new Promise((r) => setTimeout(r, 100));
      job = (await call('prospecting', 'GET', `/api/v1/imports/${String(res.json().id)}`)).body;
    }
    expect(job).toMatchObject({ status: 'done', imported: 2, merged: 1 });
    const onlyPeople = await findPeopleByEmail(store().db, ONLY);
    expect(onlyPeople).toHaveLength(1);
    const traineeIds = ((await call('it', 'GET', `/api/v1/engagements/${engA}/trainees`)).body as unknown as Json[]).map((t) => t.id);
    expect(traineeIds).not.toContain(onlyPeople[0]);
    // The new prospect's export holds the imported values only, nothing of the trainee.
    const access = JSON.stringify(await buildAccessExport(store().db, policy, onlyPeople, { now: NOW, language: 'fr', actor: 'cli:test', role: null, audit: async () => undefined }));
    expect(access).not.toContain('Formation-Finance');
    const dedupe = await call('prospecting', 'POST', '/api/v1/dedupe/run');
    expect(dedupe.status, dedupe.text).toBeLessThan(300);
    const del = await call('manager', 'DELETE', `/api/v1/people/${prospectId}`);
    expect(del.status, del.text).toBeLessThan(300);
    await runRetention(store().db, policy, { at: new Date('2035-01-01T00:00:00Z'), actor: 'cli:tester', clock: () => NOW });
    expect(await trainees()).toBe(held);
    // The client's view is whole: its trainees and their result.
    const report = (await call('clientA', 'GET', `/api/v1/engagements/${engA}/report`)).body;
    expect((report.campaigns as unknown as Json[])[0]).toMatchObject({ clicked: 1 });
  });

  it("P1.5 a client's token reaches none of the controller's routes, and nothing of another client's engagement", async () => {
    for (const [m, u] of [['GET', '/api/v1/people'], ['GET', '/api/v1/organisations'], ['GET', '/api/v1/segments'], ['GET', '/api/v1/campaigns'], ['GET', '/api/v1/requests'], ['GET', '/api/v1/stats/prospecting'], ['GET', '/api/v1/dedupe/review'], ['GET', '/api/v1/opposition'], ['GET', '/api/v1/audit']] as const) {
      const r = await call('clientA', m, u);
      expect(r.status, `${m} ${u}`).toBe(403);
    }
    const bTrainee = ((await call('it', 'GET', `/api/v1/engagements/${engB}/trainees`)).body as unknown as Json[])[0] as Json;
    const aTrainee = ((await call('it', 'GET', `/api/v1/engagements/${engA}/trainees`)).body as unknown as Json[])[0] as Json;
    for (const [who, eng, other, t] of [['clientA', engA, engB, bTrainee], ['clientB', engB, engA, aTrainee]] as const) {
      expect((await call(who, 'GET', '/api/v1/engagements')).body.map((e) => e.id), who).toEqual([eng]);
      for (const u of [`/api/v1/engagements/${other}`, `/api/v1/engagements/${other}/trainees`, `/api/v1/engagements/${other}/report`, `/api/v1/engagements/${other}/report?format=csv`, `/api/v1/engagements/${other}/trainees/${String(t.id)}/export`, `/api/v1/engagements/${other}/package`, `/api/v1/engagements/${eng}/trainees/${String(t.id)}/export`]) {
        const r = await call(who, 'GET', u);
        expect(r.status, `${who} ${u}`).toBe(404);
        expect(r.text).not.toContain(String(t.email));
      }
      expect((await call(who, 'GET', `/api/v1/engagements/${eng}/trainees`)).text).not.toContain(String(t.email));
    }
  });
});
