import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachEngine } from '../../../test/engines.js';
import { systemActor } from '../../access/actor.js';
import { createToken } from '../../access/auth/index.js';
import { buildApp } from '../../app.js';
import { loadPolicy } from '../../policy/index.js';
import { importProspects, type Matcher } from './index.js';

type Json = Record<string, unknown>;
const now = new Date('2026-11-26T10:00:00Z');
const serverKey = Buffer.alloc(32, 7);

function multipart(fields: Record<string, string>, file: { name: string; content: string }): { payload: Buffer; headers: Record<string, string> } {
  const boundary = '----rempart-test-boundary';
  const parts = Object.entries(fields).map(([k, v]) => `--${boundary}\r\ncontent-disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`);
  parts.push(`--${boundary}\r\ncontent-disposition: form-data; name="file"; filename="${file.name}"\r\ncontent-type: text/csv\r\n\r\n${file.content}\r\n`);
  parts.push(`--${boundary}--\r\n`);
  return { payload: Buffer.from(parts.join(''), 'utf8'), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

describeEachEngine('prospecting API', (store) => {
  let app: FastifyInstance;
  const auth: Record<string, Record<string, string>> = {};
  const call = async (role: string, method: 'GET' | 'POST', url: string, payload?: Json) => {
    const res = await app.inject({ method, url, headers: auth[role], ...(payload === undefined ? {} : { payload }) });
    return { status: res.statusCode, body: (res.body ? res.json() : null) as Json };
  };

  beforeAll(async () => {
    const policy = await loadPolicy('policies/certilience.yaml');
    app = await buildApp({ store: store(), policy, now: () => now, serverKey, dataDir: mkdtempSync(join(tmpdir(), 'rempart-api-import-')) });
    for (const role of ['prospecting', 'sales', 'marketing', 'dpo', 'logistics']) {
      const { token } = await createToken(store().db, policy, { role, name: `${role} tests` });
      auth[role] = { authorization: `Bearer ${token}` };
    }
  });
  afterAll(async () => {
    await app.close();
  });

  it('P1.4 R-PROS-9 POST /imports runs the upload as a job; GET gives progress and the report', async () => {
    const body = multipart({ source: 'Salon API' }, { name: 'p.csv', content: 'nom;email\nApi;api.one@exemple.fr\n;\nVide;\n' });
    const res = await app.inject({ method: 'POST', url: '/api/v1/imports', headers: { ...auth.prospecting, ...body.headers }, payload: body.payload });
    expect(res.statusCode, res.body).toBe(202);
    const { id } = res.json() as { id: string };
    let job: Json = {};
    for (let i = 0; i < 100; i++) {
      job = (await call('prospecting', 'GET', `/api/v1/imports/${id}`)).body;
      if (job.status === 'done' || job.status === 'failed') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(job).toMatchObject({ status: 'done', rowsDone: 3, rowsTotal: 3, imported: 1, merged: 0, source: 'Salon API' });
    expect((job.report as Json).rejected).toEqual([{ row: 3, line: 4, field: 'email', reason: 'no usable contact point: no valid email, phone or postal address' }]);
    const p = await store().db.selectFrom('people').selectAll().where('email', '=', 'api.one@exemple.fr').executeTakeFirstOrThrow();
    expect(p).toMatchObject({ source: 'Salon API', relation: 'prospect' });
    // Another role's job is not theirs to read; sales may not import.
    expect((await call('marketing', 'GET', `/api/v1/imports/${id}`)).status).toBe(404);
    const sales = await app.inject({ method: 'POST', url: '/api/v1/imports', headers: { ...auth.sales, ...body.headers }, payload: body.payload });
    expect(sales.statusCode).toBe(403);
    const noSource = multipart({}, { name: 'p.csv', content: 'nom;email\nA;a@exemple.fr\n' });
    const bad = await app.inject({ method: 'POST', url: '/api/v1/imports', headers: { ...auth.prospecting, ...noSource.headers }, payload: noSource.payload });
    expect(bad.statusCode).toBe(400);
  });

  it('R-PROS-3 P5.6 opposition over HTTP: sales get yes/no only, marketing adds, the dpo lists and removes', async () => {
    expect((await call('marketing', 'POST', '/api/v1/opposition', { email: 'stop.api@exemple.fr' })).status).toBe(201);
    expect((await call('sales', 'POST', '/api/v1/opposition/check', { email: 'STOP.API@exemple.fr' })).body).toEqual({ opposed: true });
    expect((await call('sales', 'POST', '/api/v1/opposition/check', { phone: '06 00 00 00 01' })).body).toEqual({ opposed: false });
    for (const role of ['sales', 'marketing']) {
      const list = await call(role, 'GET', '/api/v1/opposition');
      expect(list.status).toBe(403);
      expect(JSON.stringify(list.body)).not.toContain('items');
      expect((await call(role, 'POST', '/api/v1/opposition/remove', { email: 'stop.api@exemple.fr', reason: 'x' })).status).toBe(403);
    }
    expect((await call('logistics', 'POST', '/api/v1/opposition/check', { email: 'stop.api@exemple.fr' })).status).toBe(403);
    const list = await call('dpo', 'GET', '/api/v1/opposition');
    expect(list.body).toMatchObject({ total: 1, items: [{ channel: 'all', hasEmail: true, hasPhone: false }] });
    expect((await call('dpo', 'POST', '/api/v1/opposition/remove', { email: 'stop.api@exemple.fr', reason: 'objection withdrawn by letter' })).body).toEqual({ removed: 1 });
    expect((await call('sales', 'POST', '/api/v1/opposition/check', { email: 'stop.api@exemple.fr' })).body).toEqual({ opposed: false });
    const bad = await call('marketing', 'POST', '/api/v1/opposition', { email: 'not an email' });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).not.toContain('not an email');
  });

  it('R-PROS-2 uncertain pairs wait in the review queue; accept merges with the most recent values, reject leaves both', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rempart-review-'));
    const first = join(dir, 'a.csv');
    writeFileSync(first, 'nom;prenom;email;fonction\nRousseau;Claire;claire.rousseau@exemple.fr;Acheteuse\nFaure;Jean;jean.faure@exemple.fr;\n');
    await importProspects(store().db, first, { source: 'Fichier 1', actor: systemActor('test'), key: serverKey, now: new Date('2026-01-01T00:00:00Z') });
    const ids = Object.fromEntries((await store().db.selectFrom('people').select(['id', 'lastName']).where('lastName', 'in', ['Rousseau', 'Faure']).execute()).map((r) => [r.lastName, r.id]));
    // A matcher that is unsure: every row is "maybe" the person of the same surname.
    const unsure: Matcher = {
      async match(_db, candidates) {
        return candidates.map((c) => ({ kind: 'review' as const, personId: ids[c.lastName?.display ?? ''] ?? '', score: 0.71, comparison: { lastName: 'exact', email: 'different' } }));
      },
    };
    const second = join(dir, 'b.csv');
    writeFileSync(second, 'nom;prenom;email;fonction\nRousseau;Claire;c.rousseau@exemple.fr;Directrice achats\nFaure;Jeanne;jeanne.faure@exemple.fr;\n');
    const report = await importProspects(store().db, second, { source: 'Fichier 2', actor: systemActor('test'), key: serverKey, now: new Date('2026-06-01T00:00:00Z'), matcher: unsure });
    expect(report).toMatchObject({ imported: 2, merged: 0, created: 2, queuedForReview: 2 });

    const list = await call('prospecting', 'GET', '/api/v1/dedupe/review');
    const items = list.body.items as { id: string; left: Json; right: Json; score: number }[];
    expect(items).toHaveLength(2);
    expect(items[0]).toMatchObject({ score: 0.71, left: { lastName: 'Rousseau', email: 'claire.rousseau@exemple.fr' }, right: { lastName: 'Rousseau', email: 'c.rousseau@exemple.fr' } });
    expect((await call('logistics', 'GET', '/api/v1/dedupe/review')).status).toBe(403);
    expect((await call('sales', 'POST', `/api/v1/dedupe/review/${items[0]?.id}`, { decision: 'accept' })).status).toBe(403);

    const accepted = await call('prospecting', 'POST', `/api/v1/dedupe/review/${items[0]?.id}`, { decision: 'accept' });
    expect(accepted.body).toEqual({ status: 'accepted', survivorId: ids.Rousseau });
    const claire = await store().db.selectFrom('people').selectAll().where('lastName', '=', 'Rousseau').execute();
    expect(claire).toHaveLength(1);
    // The held e-mail stays primary, the other one a secondary value with its source (survivorship.ts).
    expect(claire[0]).toMatchObject({ id: ids.Rousseau, email: 'claire.rousseau@exemple.fr', jobTitle: 'Directrice achats', source: 'Fichier 1' });
    const prov = await store().db.selectFrom('prospectFieldProvenance').select(['field', 'source', 'chosen']).where('personId', '=', ids.Rousseau ?? '').where('field', '=', 'email').orderBy('source').execute();
    expect(prov).toEqual([{ field: 'email', source: 'Fichier 1', chosen: true }, { field: 'email', source: 'Fichier 2', chosen: false }]);
    expect(await store().db.selectFrom('personFieldHistory').select(['field', 'value', 'source', 'reason']).where('personId', '=', ids.Rousseau ?? '').execute()).toEqual([
      { field: 'email', value: 'c.rousseau@exemple.fr', source: 'Fichier 2', reason: 'secondary' },
      { field: 'jobTitle', value: 'Acheteuse', source: 'Fichier 1', reason: 'older' },
    ]);

    expect((await call('prospecting', 'POST', `/api/v1/dedupe/review/${items[1]?.id}`, { decision: 'reject' })).body).toEqual({ status: 'rejected', survivorId: null });
    expect(await store().db.selectFrom('people').select('id').where('lastName', '=', 'Faure').execute()).toHaveLength(2);
    expect((await call('prospecting', 'POST', `/api/v1/dedupe/review/${items[1]?.id}`, { decision: 'accept' })).status).toBe(409);
    expect((await call('prospecting', 'GET', '/api/v1/dedupe/review')).body).toEqual({ items: [] });
  });

  it('R-PROS-2 POST /dedupe/run runs the whole-base pass for a role that may update and delete prospects; others are refused', async () => {
    expect((await call('logistics', 'POST', '/api/v1/dedupe/run')).status).toBe(403);
    expect((await call('sales', 'POST', '/api/v1/dedupe/run')).status).toBe(403);
    const before = (await store().db.selectFrom('people').select('id').where('relation', '=', 'prospect').execute()).length;
    const run = await call('prospecting', 'POST', '/api/v1/dedupe/run');
    expect(run.status).toBe(200);
    expect(run.body).toMatchObject({ prospects: before });
    expect(Object.keys(run.body).sort()).toEqual(['flaggedOpposed', 'merged', 'pairsCompared', 'prospects', 'queuedForReview', 'skippedRejected', 'skippedRestricted', 'vetoed']);
    // The pair rejected above (the two Faure) is not queued again.
    expect((await call('prospecting', 'GET', '/api/v1/dedupe/review')).body).toEqual({ items: [] });
  });
});
