import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestStore } from '../../test/engines.js';
import { buildApp } from '../app.js';
import type { Store } from '../db/database.js';
import { createAccount } from '../access/auth/index.js';
import { loadPolicy } from '../policy/index.js';

// Headers do not depend on the engine: one store is enough.
describe('security headers on every answer (issue 20, item 7)', () => {
  let store: Store;
  let app: FastifyInstance;
  beforeAll(async () => {
    store = await createTestStore('pglite');
    // A built web app of our own: the test does not depend on `npm run build` having run.
    const webRoot = mkdtempSync(join(tmpdir(), 'rempart-web-'));
    mkdirSync(join(webRoot, 'assets'));
    writeFileSync(join(webRoot, 'index.html'), '<!doctype html><html><head><script type="module" src="/assets/app.js"></script></head><body></body></html>');
    writeFileSync(join(webRoot, 'assets', 'app.js'), 'export {};');
    app = await buildApp({ store, policy: await loadPolicy('policies/certilience.yaml'), webRoot });
  });
  afterAll(async () => {
    await app.close();
    await store.close();
  });

  const get = (url: string, headers: Record<string, string> = {}) => app.inject({ method: 'GET', url, headers });

  it('P2.1 every HTML answer carries a CSP with frame-ancestors, nosniff, Referrer-Policy and X-Frame-Options', async () => {
    for (const url of ['/', '/notice', '/organisations', '/people/some-id', '/u/not-a-token']) {
      const res = await get(url);
      if (!String(res.headers['content-type']).startsWith('text/html')) continue;
      expect(res.headers['content-security-policy'], url).toMatch(/frame-ancestors 'none'/);
      expect(res.headers['content-security-policy'], url).toMatch(/script-src 'self'/);
      expect(res.headers['x-content-type-options'], url).toBe('nosniff');
      expect(res.headers['referrer-policy'], url).toBe('no-referrer');
      expect(res.headers['x-frame-options'], url).toBe('DENY');
    }
    // The back office itself is framed by no one, and its pages may load their own scripts
    // (the SPA fallback sends index.html as a file, without a content type at onSend).
    for (const url of ['/', '/people/some-id']) {
      const page = await get(url);
      expect(page.headers['content-type'], url).toMatch(/text\/html/);
      expect(page.headers['content-security-policy'], url).toMatch(/frame-ancestors 'none'/);
      expect(page.headers['content-security-policy'], url).toMatch(/script-src 'self'/);
    }
  });

  it('P2.1 API answers (success, 401, 404, validation) carry nosniff, a no-script CSP and Cache-Control: no-store', async () => {
    for (const url of ['/healthz', '/api/v1/people', '/api/v1/nothing-here', '/api/openapi.json']) {
      const res = await get(url);
      expect(res.headers['x-content-type-options'], url).toBe('nosniff');
      expect(res.headers['content-security-policy'], url).toBe("default-src 'none'; frame-ancestors 'none'");
      expect(res.headers['cache-control'], url).toBe('no-store');
    }
    const bad = await app.inject({ method: 'POST', url: '/api/v1/session', payload: '{"broken' , headers: { 'content-type': 'application/json' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.headers['x-content-type-options']).toBe('nosniff');
  });

  it('static assets keep their own caching; HSTS only on HTTPS', async () => {
    const res = await get('/assets/app.js');
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).not.toBe('no-store');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    // Plain HTTP (and no trusted proxy): no HSTS, whatever a client claims in X-Forwarded-Proto.
    expect((await get('/healthz', { 'x-forwarded-proto': 'https' })).headers['strict-transport-security']).toBeUndefined();
  });
});

describe('behind a trusted TLS proxy (trustProxy)', () => {
  let store: Store;
  const apps: FastifyInstance[] = [];
  beforeAll(async () => {
    store = await createTestStore('pglite');
    const policy = await loadPolicy('policies/certilience.yaml');
    await createAccount(store.db, policy, { email: 'proxy@example.fr', role: 'sales', password: 'correct horse battery staple' });
  });
  afterAll(async () => {
    for (const a of apps) await a.close();
    await store.close();
  });
  const app = async (trustProxy?: string): Promise<FastifyInstance> => {
    const a = await buildApp({ store, policy: await loadPolicy('policies/certilience.yaml'), ...(trustProxy ? { trustProxy } : {}) });
    apps.push(a);
    return a;
  };
  const signIn = (a: FastifyInstance) =>
    a.inject({ method: 'POST', url: '/api/v1/session', headers: { 'x-forwarded-proto': 'https', 'x-forwarded-for': '203.0.113.9' }, payload: { email: 'proxy@example.fr', password: 'correct horse battery staple' } });

  it('P2.1 the session cookie is Secure and HSTS is sent when the trusted proxy says HTTPS; a client saying so directly changes nothing', async () => {
    // inject() connects from 127.0.0.1: the proxy.
    const trusted = await signIn(await app('127.0.0.1'));
    expect(trusted.statusCode).toBe(200);
    expect(String(trusted.headers['set-cookie'])).toMatch(/; Secure/);
    expect(trusted.headers['strict-transport-security']).toMatch(/max-age=\d+/);
    const untrusted = await signIn(await app());
    expect(untrusted.statusCode).toBe(200);
    expect(String(untrusted.headers['set-cookie'])).not.toMatch(/Secure/);
    expect(untrusted.headers['strict-transport-security']).toBeUndefined();
    // A proxy that is not the one configured is not believed either.
    const other = await signIn(await app('10.0.0.0/8'));
    expect(String(other.headers['set-cookie'])).not.toMatch(/Secure/);
  });
});
