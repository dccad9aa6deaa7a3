import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachEngine } from '../../test/engines.js';
import { buildApp } from '../app.js';
import { loadPolicy } from '../policy/index.js';

/** GDPR Art. 32: every answer tells the browser not to frame, sniff, leak referrers or cache personal data. */
describeEachEngine('security headers', (store) => {
  let app: Awaited<ReturnType<typeof buildApp>>;
  const webRoot = mkdtempSync(join(tmpdir(), 'rempart-web-'));

  beforeAll(async () => {
    writeFileSync(join(webRoot, 'index.html'), '<!doctype html><title>web</title>');
    app = await buildApp({ store: store(), policy: await loadPolicy('policies/certilience.yaml'), webRoot });
  });
  afterAll(async () => {
    await app.close();
    rmSync(webRoot, { recursive: true, force: true });
  });

  const urls = ['/', '/index.html', '/people/123', '/notice', '/notice?format=md', '/healthz', '/api/v1/people', '/api/v1/nope', '/api/openapi.json', '/u/not-a-token', '/public.css'];

  it.each(urls)('Art. 32 %s carries CSP with frame-ancestors, nosniff, Referrer-Policy and X-Frame-Options', async (url) => {
    const res = await app.inject({ method: 'GET', url });
    expect(res.statusCode).toBeLessThan(500);
    expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(res.headers['content-security-policy']).toContain("script-src 'self'");
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
  });

  it('Art. 32 HTML pages carry the headers (the back office and the public notice)', async () => {
    for (const url of ['/', '/notice']) {
      const res = await app.inject({ method: 'GET', url });
      expect(res.statusCode).toBe(200);
      expect(String(res.headers['content-type'])).toMatch(/^text\/html/);
      expect(res.headers['content-security-policy']).toBeDefined();
    }
  });

  it('Art. 32 API answers are never cached (no-store), whatever their status; pages are', async () => {
    for (const [method, url] of [['GET', '/api/v1/people'], ['POST', '/api/v1/session'], ['GET', '/api/v1/nope'], ['GET', '/api/openapi.json']] as const) {
      const res = await app.inject({ method, url, ...(method === 'POST' ? { payload: { email: 'x@y.fr', password: 'nope' } } : {}) });
      expect(res.headers['cache-control'], `${method} ${url}`).toBe('no-store');
    }
    expect((await app.inject({ method: 'GET', url: '/notice' })).headers['cache-control']).not.toBe('no-store');
  });

  it('Art. 32 no HSTS over plain HTTP, and X-Forwarded-Proto is ignored without a trusted proxy', async () => {
    expect((await app.inject({ method: 'GET', url: '/' })).headers['strict-transport-security']).toBeUndefined();
    const forged = await app.inject({ method: 'GET', url: '/', headers: { 'x-forwarded-proto': 'https' } });
    expect(forged.headers['strict-transport-security']).toBeUndefined();
  });
});
