import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import iconv from 'iconv-lite';
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

function multipart(fields: Record<string, string>, file: { name: string; content: string | Buffer }): { payload: Buffer; headers: Record<string, string> } {
  const boundary = '----rempart-test-boundary';
  const parts: Buffer[] = Object.entries(fields).map(([k, v]) => Buffer.from(`--${boundary}\r\ncontent-disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`, 'utf8'));
  parts.push(Buffer.from(`--${boundary}\r\ncontent-disposition: form-data; name="file"; filename="${file.name}"\r\ncontent-type: text/csv\r\n\r\n`, 'utf8'));
  parts.push(typeof file.content === 'string' ? Buffer.from(file.content, 'utf8') : Buffer.from(file.content));
  parts.push(Buffer.from(`\r\n--${boundary}--\r\n`, 'utf8'));
  return { payload: Buffer.concat(parts), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
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
    expect((job.report as Json).rejected).toEqual([{ row: 3, line: 4, field: 'email', code: 'no_contact_point', reason: 'no usable contact point: no valid email, phone or postal address' }]);
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
    expect(accepted.body).toEqual({ status: 'accepted', survivorId: ids.Rousseau, chosen: [] });
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

    expect((await call('prospecting', 'POST', `/api/v1/dedupe/review/${items[1]?.id}`, { decision: 'reject' })).body).toEqual({ status: 'rejected', survivorId: null, chosen: [] });
    expect(await store().db.selectFrom('people').select('id').where('lastName', '=', 'Faure').execute()).toHaveLength(2);
    expect((await call('prospecting', 'POST', `/api/v1/dedupe/review/${items[1]?.id}`, { decision: 'accept' })).status).toBe(409);
    expect((await call('prospecting', 'GET', '/api/v1/dedupe/review')).body).toEqual({ items: [] });
  });

  it('R-PROS-1 POST /imports/preview shows a Windows-1252 `;` file as the import would take it, writes nothing, and takes corrections', async () => {
    const csv = 'Nom;Prénom;Courriel;Téléphone;Ville natale\nLefèvre;Hélène;helene.lefevre@exemple.fr;;Sète\n;;pas-une-adresse;;\nMoreau;Loïc;;06 12 34 56 78;\n';
    const bytes = iconv.encode(csv, 'win1252');
    const peopleBefore = (await store().db.selectFrom('people').select('id').execute()).length;
    const jobsBefore = (await store().db.selectFrom('importJobs').select('id').execute()).length;
    const preview = async (role: string, fields: Record<string, string>) => {
      const body = multipart(fields, { name: 'salon.csv', content: bytes });
      const res = await app.inject({ method: 'POST', url: '/api/v1/imports/preview', headers: { ...auth[role], ...body.headers }, payload: body.payload });
      return { status: res.statusCode, body: res.json<Json>() };
    };
    const seen = await preview('marketing', {});
    expect(seen.status, JSON.stringify(seen.body)).toBe(200);
    expect(seen.body).toMatchObject({ format: 'csv', encoding: 'windows-1252', delimiter: ';', importable: true });
    expect(seen.body.columns).toEqual([
      { header: 'Nom', field: 'lastName' },
      { header: 'Prénom', field: 'firstName' },
      { header: 'Courriel', field: 'email' },
      { header: 'Téléphone', field: 'phone' },
      { header: 'Ville natale', field: null },
    ]);
    const rows = seen.body.rows as { row: number; line: number; values: string[]; rejected: Json | null; warnings: Json[] }[];
    expect(rows.map((r) => [r.row, r.line, r.rejected?.code ?? null])).toEqual([
      [1, 2, null],
      [2, 3, 'no_name_or_email'],
      [3, 4, null],
    ]);
    expect(rows[0]?.values).toEqual(['Lefèvre', 'Hélène', 'helene.lefevre@exemple.fr', '', 'Sète']);
    expect(rows[1]?.rejected).toMatchObject({ field: 'email', code: 'no_name_or_email' });
    // Nothing stored: no person, no job; the upload is gone.
    expect((await store().db.selectFrom('people').select('id').execute()).length).toBe(peopleBefore);
    expect((await store().db.selectFrom('importJobs').select('id').execute()).length).toBe(jobsBefore);

    // The person corrects the detection and maps a column; a wrong separator shows one column.
    const mapped = await preview('marketing', { columns: JSON.stringify({ 'Ville natale': 'city', Téléphone: 'ignore' }) });
    expect((mapped.body.columns as Json[]).slice(3)).toEqual([
      { header: 'Téléphone', field: 'ignore' },
      { header: 'Ville natale', field: 'city' },
    ]);
    const comma = await preview('marketing', { delimiter: ',' });
    expect(comma.body).toMatchObject({ delimiter: ',', importable: false });
    expect(comma.body.columns as Json[]).toHaveLength(1);
    const utf8 = await preview('marketing', { encoding: 'utf-8' });
    expect((utf8.body.columns as { header: string }[])[1]?.header).not.toBe('Prénom');

    // Bad corrections name their field; the right to import is needed.
    const bad = await preview('marketing', { encoding: 'ebcdic', delimiter: '#' });
    expect(bad.status).toBe(400);
    expect(((bad.body.error as Json).details as Json[]).map((d) => d.field)).toEqual(['encoding', 'delimiter']);
    const badColumns = await preview('marketing', { columns: JSON.stringify({ Nom: 'surname' }) });
    expect(badColumns.status).toBe(400);
    expect((badColumns.body.error as Json).details).toEqual([{ field: 'Nom', message: expect.stringContaining('must be one of') }]);
    expect((await preview('sales', {})).status).toBe(403);
    expect((await preview('logistics', {})).status).toBe(403);
  });

  it('R-PROS-2 a reviewer merging a pair chooses, field by field, which value survives; the other goes to history with its source', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rempart-choice-'));
    const first = join(dir, 'a.csv');
    writeFileSync(first, 'nom;prenom;email;fonction\nGarnier;Sophie;sophie.garnier@exemple.fr;Acheteuse\n');
    await importProspects(store().db, first, { source: 'Salon 2025', actor: systemActor('test'), key: serverKey, now: new Date('2025-03-01T00:00:00Z') });
    const older = await store().db.selectFrom('people').select('id').where('email', '=', 'sophie.garnier@exemple.fr').executeTakeFirstOrThrow();
    const unsure: Matcher = {
      async match(_db, candidates) {
        return candidates.map(() => ({ kind: 'review' as const, personId: older.id, score: 0.64, comparison: { lastName: 'similar', firstName: 'exact', email: 'different' } }));
      },
    };
    const second = join(dir, 'b.csv');
    writeFileSync(second, 'nom;prenom;email;fonction\nGarnier-Roux;Sophie;s.garnier-roux@exemple.fr;Directrice achats\n');
    await importProspects(store().db, second, { source: 'Webinaire 2026', actor: systemActor('test'), key: serverKey, now: new Date('2026-06-01T00:00:00Z'), matcher: unsure });
    const pending = (await call('marketing', 'GET', '/api/v1/dedupe/review')).body.items as { id: string; left: Json; right: Json }[];
    const pair = pending.find((p) => p.left.id === older.id || p.right.id === older.id);
    expect(pair).toBeDefined();
    const side = pair?.left.id === older.id ? 'left' : 'right';

    expect((await call('marketing', 'POST', `/api/v1/dedupe/review/${pair?.id}`, { decision: 'accept', keep: { surname: side } })).status).toBe(400);
    const done = await call('marketing', 'POST', `/api/v1/dedupe/review/${pair?.id}`, { decision: 'accept', keep: { lastName: side } });
    expect(done.body, JSON.stringify(done.body)).toEqual({ status: 'accepted', survivorId: older.id, chosen: ['lastName'] });
    const survivor = await store().db.selectFrom('people').selectAll().where('id', '=', older.id).executeTakeFirstOrThrow();
    // The older surname, chosen; the rest by the rules (the most recent job title).
    expect(survivor).toMatchObject({ lastName: 'Garnier', jobTitle: 'Directrice achats' });
    const history = await store().db.selectFrom('personFieldHistory').select(['field', 'value', 'source', 'reason']).where('personId', '=', older.id).where('field', '=', 'lastName').execute();
    expect(history).toEqual([{ field: 'lastName', value: 'Garnier-Roux', source: 'Webinaire 2026', reason: 'reviewer_choice' }]);
    const prov = await store().db.selectFrom('prospectFieldProvenance').select(['source', 'chosen']).where('personId', '=', older.id).where('field', '=', 'lastName').orderBy('source').execute();
    expect(prov).toEqual([
      { source: 'Salon 2025', chosen: true },
      { source: 'Webinaire 2026', chosen: false },
    ]);
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
