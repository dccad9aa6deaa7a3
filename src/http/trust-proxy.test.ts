import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeEachEngine } from '../../test/engines.js';
import { createAccount } from '../access/auth/index.js';
import { buildApp } from '../app.js';
import { loadConfig } from '../config.js';
import { RempartError } from '../errors.js';
import { loadPolicy } from '../policy/index.js';
import { fastifyTrustProxy, parseTrustProxy } from './trust-proxy.js';

describe('configuration: trustProxy', () => {
  it('Art. 32 defaults to no proxy; reads hop counts, addresses, CIDR ranges and range names', () => {
    expect(loadConfig({}, {}).trustProxy).toBe(false);
    expect(loadConfig({}, { REMPART_TRUST_PROXY: '1' }).trustProxy).toBe(1);
    expect(loadConfig({ trustProxy: '127.0.0.1, 10.0.0.0/8,::1,loopback' }, { REMPART_TRUST_PROXY: '2' }).trustProxy).toEqual(['127.0.0.1', '10.0.0.0/8', '::1', 'loopback']);
    expect(parseTrustProxy('false')).toEqual({ value: false });
    const oneHop = fastifyTrustProxy(1);
    expect(typeof oneHop === 'function' && oneHop('10.0.0.1', 0) && !oneHop('10.0.0.1', 1)).toBe(true);
  });

  it.each(['true', '*', '11', 'proxy.example', '10.0.0.0/33', '1.2.3.4/8/9', '127.0.0.1,,'])('Art. 32 fails fast on "%s", naming the setting', (raw) => {
    try {
      loadConfig({}, { REMPART_TRUST_PROXY: raw });
      expect.unreachable('accepted');
    } catch (e) {
      expect(e).toBeInstanceOf(RempartError);
      expect((e as RempartError).details.map((d) => d.field)).toContain('--trust-proxy / REMPART_TRUST_PROXY');
    }
  });
});

describeEachEngine('behind a TLS reverse proxy', (store) => {
  const PASSWORD = 'Remparts-de-Carcassonne-1247';
  let direct: Awaited<ReturnType<typeof buildApp>>;
  let proxied: Awaited<ReturnType<typeof buildApp>>;

  beforeAll(async () => {
    const policy = await loadPolicy('policies/certilience.yaml');
    const limits = { loginPerIp: 2, perAccount: 100, windowMs: 60_000 };
    direct = await buildApp({ store: store(), policy, authLimits: limits });
    // inject() comes from 127.0.0.1: that is the proxy.
    proxied = await buildApp({ store: store(), policy, authLimits: limits, trustProxy: ['127.0.0.1'] });
    await createAccount(store().db, policy, { email: 'cr@rempart.example', role: 'customer_relations', password: PASSWORD });
  });
  afterAll(async () => {
    await direct.close();
    await proxied.close();
  });

  const signIn = (app: typeof direct, headers: Record<string, string>) =>
    app.inject({ method: 'POST', url: '/api/v1/session', headers, payload: { email: 'cr@rempart.example', password: PASSWORD } });
  const cookieOf = (res: Awaited<ReturnType<typeof signIn>>) => res.cookies.find((c) => c.name === 'rempart_session');

  it('Art. 32 the session cookie is Secure when the trusted proxy says the request came over HTTPS, with HSTS', async () => {
    const res = await signIn(proxied, { 'x-forwarded-proto': 'https', 'x-forwarded-for': '203.0.113.7' });
    expect(res.statusCode).toBe(200);
    expect(cookieOf(res)?.secure).toBe(true);
    expect(cookieOf(res)?.httpOnly).toBe(true);
    expect(res.headers['strict-transport-security']).toMatch(/^max-age=\d+/);
    // Plain HTTP through the same proxy: no Secure flag (the browser would drop the cookie), no HSTS.
    const plain = await signIn(proxied, { 'x-forwarded-proto': 'http', 'x-forwarded-for': '203.0.113.8' });
    expect(cookieOf(plain)?.secure).toBeFalsy();
    expect(plain.headers['strict-transport-security']).toBeUndefined();
  });

  it('Art. 32 without a trusted proxy, a client forging X-Forwarded-Proto gets neither Secure nor HSTS', async () => {
    const res = await signIn(direct, { 'x-forwarded-proto': 'https' });
    expect(res.statusCode).toBe(200);
    expect(cookieOf(res)?.secure).toBeFalsy();
    expect(res.headers['strict-transport-security']).toBeUndefined();
  });

  it('P1.7 per-client limits count the real client behind the proxy, and a forged X-Forwarded-For helps nobody without one', async () => {
    const wrong = (app: typeof direct, ip: string) =>
      app.inject({ method: 'POST', url: '/api/v1/session', headers: { 'x-forwarded-for': ip }, payload: { email: 'nobody@rempart.example', password: 'wrong-password-1' } });
    // Behind the proxy: each client has its own budget of 2.
    expect((await wrong(proxied, '198.51.100.1')).statusCode).toBe(401);
    expect((await wrong(proxied, '198.51.100.1')).statusCode).toBe(401);
    expect((await wrong(proxied, '198.51.100.1')).statusCode).toBe(429);
    expect((await wrong(proxied, '198.51.100.2')).statusCode).toBe(401);
    // The connection log names the real client, not the proxy (P1.7).
    const logged = await store().db.selectFrom('connectionLogs').select('sourceIp').where('sourceIp', '=', '198.51.100.2').execute();
    expect(logged.length).toBeGreaterThan(0);
    // Directly: the socket is the client, whatever the header says.
    await wrong(direct, '192.0.2.1');
    await wrong(direct, '192.0.2.2');
    expect((await wrong(direct, '192.0.2.3')).statusCode).toBe(429);
  });
});
