import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { strFromU8, strToU8, unzipSync, Zip, ZipPassThrough, zipSync } from 'fflate';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachEngine } from '../../test/engines.js';
import { cliActor } from '../access/actor.js';
import { createToken } from '../access/auth/index.js';
import { createAccessRuntime } from '../access/runtime.js';
import { buildApp } from '../app.js';
import { configureOutgoingUrls } from '../http/outgoing-url.js';
import { loadPolicy, type LoadedPolicy } from '../policy/index.js';
import { checkPackage, closeEngagement, credentialsOf, gophishSignature, verifyCertificate, certificatePublicKeyPem } from './index.js';

type Json = Record<string, unknown>;
const NOW = new Date('2026-12-07T10:00:00Z');
const SERVER_KEY = Buffer.alloc(32, 5);
const PUBLIC_URL = 'http://rempart.test';

describeEachEngine('P4.3 restitution package: delivered once or uploaded, checked entry by entry before destruction', (store) => {
  let app: FastifyInstance;
  let policy: LoadedPolicy;
  let dataDir: string;
  let it_: Record<string, string>;
  let org = '';
  let server: Server;
  let serverUrl = '';
  let answer = 200;
  const received: { method: string; sha: string; header: string; bytes: number }[] = [];

  const call = async (method: 'GET' | 'POST', url: string, payload?: unknown) => {
    const res = await app.inject({ method, url, headers: it_, ...(payload === undefined ? {} : { payload: payload as Json }) });
    return { status: res.statusCode, body: (res.headers['content-type']?.toString().includes('json') ? res.json() : res.body) as Json, raw: res };
  };
  /** An engagement with two trainees, a Gophish event and an xAPI statement. */
  const engagement = async (name: string): Promise<string> => {
    const id = String((await call('POST', '/api/v1/engagements', { clientOrganisationId: org, name, startsOn: '2026-01-01', endsOn: '2026-06-30' })).body.id);
    await call('POST', `/api/v1/engagements/${id}/trainees`, [{ email: 'anne@client.fr', department: 'RH' }, { email: 'marc@client.fr', department: 'IT' }]);
    const creds = credentialsOf({ serverKey: SERVER_KEY, publicUrl: PUBLIC_URL }, id);
    const body = JSON.stringify({ campaign_id: 1, email: 'anne@client.fr', time: '2026-03-01T08:00:00Z', message: 'Email Sent', details: '' });
    const g = await app.inject({ method: 'POST', url: `/api/v1/engagements/${id}/gophish`, headers: { 'content-type': 'application/json', 'x-gophish-signature': gophishSignature(creds.gophish.secret, body) }, payload: body });
    expect(g.statusCode).toBe(200);
    const st = { actor: { mbox: 'mailto:marc@client.fr' }, verb: { id: 'http://adlnet.gov/expapi/verbs/completed' }, object: { id: 'https://lms.example/c/1' } };
    const x = await app.inject({ method: 'POST', url: `/api/v1/engagements/${id}/xapi/statements`, headers: { authorization: `Basic ${Buffer.from(`${creds.xapi.key}:${creds.xapi.secret}`).toString('base64')}`, 'x-experience-api-version': '1.0.3', 'content-type': 'application/json' }, payload: JSON.stringify(st) });
    expect(x.statusCode).toBe(200);
    return id;
  };
  const left = async (id: string): Promise<number> => (await store().db.selectFrom('trainingTrainees').select('id').where('engagementId', '=', id).execute()).length;

  beforeAll(async () => {
    configureOutgoingUrls(['loopback']);
    policy = await loadPolicy('policies/certilience.yaml');
    dataDir = mkdtempSync(join(tmpdir(), 'rempart-delivery-'));
    app = await buildApp({ store: store(), policy, now: () => NOW, serverKey: SERVER_KEY, publicUrl: PUBLIC_URL, dataDir });
    it_ = { authorization: `Bearer ${(await createToken(store().db, policy, { role: 'it', name: 'it' })).token}` };
    const manager = { authorization: `Bearer ${(await createToken(store().db, policy, { role: 'manager', name: 'm' })).token}` };
    org = String((await app.inject({ method: 'POST', url: '/api/v1/organisations', headers: manager, payload: { name: 'Client Delivery SA' } })).json().id);
    server = createServer((req, res) => {
      const hash = createHash('sha256');
      let bytes = 0;
      req.on('data', (c: Buffer) => {
        hash.update(c);
        bytes += c.length;
      });
      req.on('end', () => {
        received.push({ method: req.method ?? '', sha: hash.digest('hex'), header: String(req.headers['x-rempart-package-sha256']), bytes });
        res.statusCode = answer;
        res.end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    serverUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/upload/pkg.zip`;
  });
  afterAll(async () => {
    configureOutgoingUrls([]);
    await new Promise<void>((r) => server.close(() => r()));
    await app.close();
  });

  it('P4.3 download once: the API serves the package a single time, then refuses with a clear error', async () => {
    const id = await engagement('Download once');
    const closed = await call('POST', `/api/v1/engagements/${id}/close`);
    expect(closed.status, JSON.stringify(closed.body)).toBe(200);
    expect(closed.body.package).toBe(`/api/v1/engagements/${id}/package`);
    expect((closed.body.certificate as { certificate: Json }).certificate.delivery).toEqual({ method: 'download', to: null, at: null });
    const first = await call('GET', `/api/v1/engagements/${id}/package`);
    expect(first.status).toBe(200);
    const sha = createHash('sha256').update(first.raw.rawPayload).digest('hex');
    expect(sha).toBe(closed.body.packageSha256);
    expect(first.raw.headers['x-rempart-package-sha256']).toBe(sha);
    expect(Object.keys(unzipSync(first.raw.rawPayload))).toContain('trainees.csv');
    const second = await call('GET', `/api/v1/engagements/${id}/package`);
    expect(second.status).toBe(409);
    expect((second.body.error as Json).message).toMatch(/already downloaded once/);
    // The server keeps no copy once it is out.
    await new Promise((r) => setTimeout(r, 50));
    expect(existsSync(join(dataDir, 'training', `${id}.zip`))).toBe(false);
  });

  it("P4.3 upload to the client's URL: the package is PUT, acknowledged, then destroyed; a refusal destroys nothing and a retry resumes", async () => {
    const id = await engagement('Upload');
    answer = 503;
    const failed = await call('POST', `/api/v1/engagements/${id}/close`, { uploadUrl: serverUrl });
    expect(failed.status).toBe(409);
    expect((failed.body.error as Json).message).toMatch(/answered HTTP 503.*nothing was destroyed/);
    expect(await left(id)).toBe(2);
    answer = 200;
    received.length = 0;
    const done = await call('POST', `/api/v1/engagements/${id}/close`, { uploadUrl: serverUrl });
    expect(done.status, JSON.stringify(done.body)).toBe(200);
    expect(done.body.uploadedTo).toBe(serverUrl);
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({ method: 'PUT', sha: done.body.packageSha256, header: done.body.packageSha256 });
    const cert = done.body.certificate as { certificate: { delivery: Json } };
    expect(cert.certificate.delivery).toEqual({ method: 'upload', to: serverUrl, at: NOW.toISOString() });
    expect(verifyCertificate(JSON.stringify(done.body.certificate), certificatePublicKeyPem(SERVER_KEY))).toMatchObject({ ok: true });
    expect(await left(id)).toBe(0);
    expect(existsSync(join(dataDir, 'training', `${id}.zip`))).toBe(false);
    // An uploaded package is not also served for download.
    expect((await call('GET', `/api/v1/engagements/${id}/package`)).status).toBe(409);
    // The second close is a no-op: no second upload.
    expect((await call('POST', `/api/v1/engagements/${id}/close`, { uploadUrl: serverUrl })).status).toBe(200);
    expect(received).toHaveLength(1);
  });

  it('P4.3 an upload URL into our own network or without TLS is refused before anything is built or destroyed', async () => {
    configureOutgoingUrls([]);
    try {
      const id = await engagement('SSRF');
      for (const url of ['http://169.254.169.254/latest', serverUrl, 'http://client.example/pkg', 'ftp://client.example/x']) {
        const res = await call('POST', `/api/v1/engagements/${id}/close`, { uploadUrl: url });
        expect(res.status, url).toBe(400);
        expect(JSON.stringify(res.body), url).toContain('uploadUrl');
      }
      expect(await left(id)).toBe(2);
      expect(await store().db.selectFrom('trainingClosures').select('engagementId').where('engagementId', '=', id).execute()).toEqual([]);
    } finally {
      configureOutgoingUrls(['loopback']);
    }
  });

  it('P4.3 every entry is checked against the manifest: a package changed inside after the crash is rebuilt before anything is destroyed', async () => {
    const id = await engagement('Tampered');
    const access = createAccessRuntime({ db: store().db, policy, now: () => NOW, chainer: false });
    const deps = { db: store().db, now: () => NOW, serverKey: SERVER_KEY, publicUrl: PUBLIC_URL };
    const out = join(dataDir, 'tampered.zip');
    await expect(closeEngagement(deps, access.gate.for(cliActor()), id, { out, crashAt: 'after-package' })).rejects.toThrow(/Simulated crash/);
    expect(await checkPackage(out)).toMatchObject({ ok: true });
    // One entry changed, the manifest kept, and the journal made to agree with the new archive's checksum:
    // only the per-entry check can tell.
    const files = unzipSync(readFileSync(out));
    files['trainees.csv'] = strToU8(strFromU8(files['trainees.csv'] as Uint8Array).replace('anne@client.fr', 'anne@elsewhere.fr'));
    writeFileSync(out, zipSync(files));
    const tamperedSha = createHash('sha256').update(readFileSync(out)).digest('hex');
    await store().db.updateTable('trainingClosures').set({ packageSha256: tamperedSha }).where('engagementId', '=', id).execute();
    expect(await checkPackage(out)).toEqual({ ok: false, reason: 'entry trainees.csv does not match its SHA-256 in the manifest' });
    const done = await closeEngagement(deps, access.gate.for(cliActor()), id, { out });
    expect(done.packageSha256).not.toBe(tamperedSha);
    expect(await checkPackage(out)).toMatchObject({ ok: true, sha256: done.packageSha256 });
    expect(strFromU8(unzipSync(readFileSync(out))['trainees.csv'] as Uint8Array)).toContain('anne@client.fr');
    expect(await left(id)).toBe(0);
    await access.close();
  });

  it('P4.3 the package check names a missing entry, an unlisted one, and a missing manifest', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rempart-pkg-'));
    const sha = (s: string) => createHash('sha256').update(s).digest('hex');
    const manifest = (names: string[]) => strToU8(JSON.stringify({ files: names.map((n) => ({ name: n, sha256: sha('x'), bytes: 1 })) }));
    const cases: [Record<string, Uint8Array>, string][] = [
      [{ 'a.json': strToU8('x'), 'manifest.json': manifest(['a.json', 'b.json']) }, 'entry b.json listed in the manifest is missing'],
      [{ 'a.json': strToU8('x'), 'c.json': strToU8('x'), 'manifest.json': manifest(['a.json']) }, 'entry c.json is not in the manifest'],
      [{ 'a.json': strToU8('x') }, 'the archive has no manifest.json'],
    ];
    for (const [i, [files, reason]] of cases.entries()) {
      const p = join(dir, `${i}.zip`);
      writeFileSync(p, zipSync(files));
      expect(await checkPackage(p)).toEqual({ ok: false, reason });
    }
    const good = join(dir, 'good.zip');
    writeFileSync(good, zipSync({ 'a.json': strToU8('x'), 'manifest.json': manifest(['a.json']) }));
    expect(await checkPackage(good)).toMatchObject({ ok: true, entries: 2 });
  });

  it('P4.3 the package check reads entries through the central directory: bytes that look like ZIP signatures inside an entry do not cut it short', async () => {
    // A streaming reader that scans the data for signatures (fflate's Unzip with data descriptors) cuts such an
    // entry short: found at 2,000,000 events (BENCHMARKS.md). Stored entries make the bytes appear as they are.
    const body = Buffer.concat([Buffer.from('début '), Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x50, 0x4b, 0x07, 0x08, 0x50, 0x4b, 0x01, 0x02]), Buffer.from(' fin')]);
    const sha = createHash('sha256').update(body).digest('hex');
    const manifest = strToU8(JSON.stringify({ files: [{ name: 'data.bin', sha256: sha, bytes: body.length }] }));
    const chunks: Uint8Array[] = [];
    const zip = new Zip((err, chunk) => {
      if (err) throw err;
      chunks.push(chunk);
    });
    for (const [name, data] of [['data.bin', body], ['manifest.json', manifest]] as const) {
      const entry = new ZipPassThrough(name);
      zip.add(entry);
      entry.push(data, true);
    }
    zip.end();
    const p = join(mkdtempSync(join(tmpdir(), 'rempart-pkg-sig-')), 'p.zip');
    writeFileSync(p, Buffer.concat(chunks));
    expect(await checkPackage(p)).toMatchObject({ ok: true, entries: 2 });
  });
});
