import { mkdtempSync, readdirSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachEngine } from '../../test/engines.js';
import { createToken } from '../access/auth/index.js';
import { buildApp } from '../app.js';
import { loadPolicy } from '../policy/index.js';
import { MAX_DEPTH, MAX_STRING, jsonDepthExceeds } from './json-limits.js';

describeEachEngine('hostile JSON bodies get a clear 400 (issue 20, items 5 and 7)', (store) => {
  let app: FastifyInstance;
  let auth: Record<string, string>;
  let dataDir: string;
  beforeAll(async () => {
    const policy = await loadPolicy('policies/certilience.yaml');
    dataDir = mkdtempSync(join(tmpdir(), 'rempart-limits-'));
    app = await buildApp({ store: store(), policy, dataDir });
    const { token } = await createToken(store().db, policy, { role: 'manager', name: 'limits tests' });
    auth = { authorization: `Bearer ${token}` };
  });
  afterAll(async () => {
    await app.close();
  });

  const post = (url: string, payload: string, headers: Record<string, string> = {}) =>
    app.inject({ method: 'POST', url, payload, headers: { 'content-type': 'application/json', ...headers } });
  const requests = async () => (await store().db.selectFrom('rightsRequests').select('id').execute()).length;
  const mails = () => (existsSync(join(dataDir, 'outbox')) ? readdirSync(join(dataDir, 'outbox')).length : 0);

  it('P5.1 the public request form refuses 200,000 nested levels, a 900 KB string and a NUL, storing and mailing nothing', async () => {
    const before = { requests: await requests(), mails: mails() };
    const deep = `{"type":"access","email":"a@b.fr","details":{"x":${'['.repeat(200_000)}${']'.repeat(200_000)}}}`;
    const huge = JSON.stringify({ type: 'access', email: 'a@b.fr', details: { note: 'x'.repeat(900_000) } });
    const nul = JSON.stringify({ type: 'access', email: 'a@b.fr', details: { note: 'a\u0000b' } });
    for (const [payload, field, message] of [
      [deep, '(body)', `nested deeper than ${MAX_DEPTH}`],
      [huge, 'details.note', `longer than ${MAX_STRING}`],
      [nul, 'details.note', 'NUL'],
    ] as const) {
      const res = await post('/api/v1/requests', payload);
      expect(res.statusCode).toBe(400);
      const body = res.json<{ error: { code: string; message: string; details: { field: string; message: string }[] } }>();
      expect(body.error.code).toBe('MALFORMED_REQUEST');
      expect(body.error.details[0]).toMatchObject({ field });
      expect(body.error.message).toContain(message);
    }
    expect(await requests()).toBe(before.requests);
    expect(mails()).toBe(before.mails);
    // A well-formed request still passes.
    expect((await post('/api/v1/requests', JSON.stringify({ type: 'access', email: 'limits@client.fr', details: { note: 'ok' } }))).statusCode).toBe(202);
  });

  it('authenticated creates, query strings and path parameters refuse a NUL with a 400, never a 500', async () => {
    const create = await post('/api/v1/people', JSON.stringify({ lastName: 'Du\u0000pont' }), auth);
    expect(create.statusCode).toBe(400);
    expect(create.json()).toMatchObject({ error: { code: 'MALFORMED_REQUEST', details: [{ field: 'lastName' }] } });
    const query = await app.inject({ method: 'GET', url: '/api/v1/people?q=a%00b', headers: auth });
    expect(query.statusCode).toBe(400);
    const param = await app.inject({ method: 'GET', url: '/api/v1/people/a%00b', headers: auth });
    expect(param.statusCode).toBe(400);
    // The message names the field, never the value.
    expect(create.body).not.toContain('pont');
  });

  it('the depth scan ignores brackets inside strings and escaped quotes', () => {
    expect(jsonDepthExceeds(JSON.stringify({ s: '['.repeat(100) }), 3)).toBe(false);
    expect(jsonDepthExceeds(JSON.stringify({ s: 'a\\"[[[[' }), 3)).toBe(false);
    expect(jsonDepthExceeds('[[[[]]]]', 3)).toBe(true);
    expect(jsonDepthExceeds('[[[]]]', 3)).toBe(false);
  });
});
