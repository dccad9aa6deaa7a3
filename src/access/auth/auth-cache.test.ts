import type { FastifyInstance } from 'fastify';
import type { KyselyPlugin, PluginTransformQueryArgs, PluginTransformResultArgs, QueryResult, RootOperationNode, UnknownRow } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachEngine } from '../../../test/engines.js';
import { buildApp } from '../../app.js';
import { loadPolicy, type LoadedPolicy } from '../../policy/index.js';
import { AUTH_REVOCATION_BOUND_MS } from './auth-cache.js';
import { createAccount, createToken, disableAccount, revokeToken, SESSION_COOKIE } from './index.js';

const PASSWORD = 'correct horse battery staple';

/** Counts the statements sent, by kind and table, so a test can say "no database call per request". */
class Counter implements KyselyPlugin {
  readonly seen: string[] = [];
  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    const node = args.node as unknown as { kind: string; from?: { froms?: { table?: { identifier?: { name?: string } } }[] }; table?: { table?: { identifier?: { name?: string } } }; into?: { table?: { identifier?: { name?: string } } } };
    const table = node.from?.froms?.[0]?.table?.identifier?.name ?? node.into?.table?.identifier?.name ?? node.table?.table?.identifier?.name ?? '?';
    this.seen.push(`${node.kind}:${table}`);
    return args.node;
  }
  transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return Promise.resolve(args.result);
  }
}

/** Polls `probe` until it answers `status`; returns the milliseconds it took. */
async function until(probe: () => Promise<number>, status: number, limitMs = 5_000): Promise<number> {
  const t0 = performance.now();
  for (;;) {
    if ((await probe()) === status) return performance.now() - t0;
    if (performance.now() - t0 > limitMs) throw new Error(`still not ${status} after ${limitMs} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describeEachEngine('authentication from memory, two instances on one database', (store) => {
  let policy: LoadedPolicy;
  let clock = new Date();
  const counter = new Counter();
  let a: FastifyInstance;
  let b: FastifyInstance;

  beforeAll(async () => {
    policy = await loadPolicy('policies/certilience.yaml');
    // Two app objects over one database: on PostgreSQL what two server processes are; the
    // test with two real processes is src/access/two-instances.test.ts.
    a = await buildApp({ store: { ...store(), db: store().db.withPlugin(counter) }, policy, now: () => clock, auditDurability: 'batched' });
    b = await buildApp({ store: store(), policy, now: () => clock, auditDurability: 'batched' });
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
  });

  const people = (app: FastifyInstance, headers: Record<string, string>) => async () => (await app.inject({ method: 'GET', url: '/api/v1/people?limit=1', headers })).statusCode;

  it('P1.7 P2.1 a known token is read from the database once, then served from memory: no token read and no write per request', async () => {
    const { token } = await createToken(store().db, policy, { role: 'manager', name: 'cache' });
    const auth = { authorization: `Bearer ${token}` };
    expect(await people(a, auth)()).toBe(200);
    counter.seen.length = 0;
    for (let i = 0; i < 20; i++) expect(await people(a, auth)()).toBe(200);
    // Let the batched writer commit what the 20 requests queued.
    await new Promise((r) => setTimeout(r, 100));
    const tokenReads = counter.seen.filter((s) => s.endsWith(':apiTokens'));
    expect(tokenReads).toEqual([]);
    // Every token use is still logged (P1.7), grouped: far fewer inserts than requests.
    const inserts = counter.seen.filter((s) => s.startsWith('InsertQueryNode'));
    expect(inserts.length).toBeGreaterThan(0);
    expect(inserts.length).toBeLessThan(20);
    const logged = await store().db.selectFrom('connectionLogs').select('id').where('event', '=', 'token').execute();
    expect(logged.length).toBeGreaterThanOrEqual(21);
  });

  it(`P2.1 a revoked token stops working on both instances within ${AUTH_REVOCATION_BOUND_MS} ms`, async () => {
    const { token, summary } = await createToken(store().db, policy, { role: 'manager', name: 'revoke' });
    const auth = { authorization: `Bearer ${token}` };
    expect(await people(a, auth)()).toBe(200);
    expect(await people(b, auth)()).toBe(200);
    const t0 = performance.now();
    await revokeToken(store().db, summary.id);
    const [ta, tb] = await Promise.all([until(people(a, auth), 401), until(people(b, auth), 401)]);
    expect(Math.max(ta, tb)).toBeLessThanOrEqual(AUTH_REVOCATION_BOUND_MS);
    expect(performance.now() - t0).toBeLessThanOrEqual(AUTH_REVOCATION_BOUND_MS + 100);
    // And stays refused.
    expect(await people(a, auth)()).toBe(401);
  });

  it('P2.1 an expired token is refused at once on both instances, cached or not', async () => {
    const expiresAt = new Date(clock.getTime() + 60 * 60_000);
    const { token } = await createToken(store().db, policy, { role: 'manager', name: 'expiry', expiresAt }, clock);
    const auth = { authorization: `Bearer ${token}` };
    expect(await people(a, auth)()).toBe(200);
    expect(await people(b, auth)()).toBe(200);
    const before = clock;
    clock = new Date(expiresAt.getTime() + 1);
    try {
      expect(await people(a, auth)()).toBe(401);
      expect(await people(b, auth)()).toBe(401);
    } finally {
      clock = before;
    }
  });

  it(`P2.1 a disabled account's session and a logged-out session stop on both instances within ${AUTH_REVOCATION_BOUND_MS} ms; the instance that logged out at once`, async () => {
    const email = `cache-${Math.random().toString(36).slice(2)}@example.fr`;
    const { account } = await createAccount(store().db, policy, { email, role: 'sales', password: PASSWORD });
    const signIn = async () => {
      const res = await a.inject({ method: 'POST', url: '/api/v1/session', payload: { email, password: PASSWORD } });
      expect(res.statusCode).toBe(200);
      const cookie = res.cookies.find((c) => c.name === SESSION_COOKIE)?.value ?? '';
      return { cookie: `${SESSION_COOKIE}=${cookie}`, csrf: (res.json() as { csrfToken: string }).csrfToken };
    };

    const s1 = await signIn();
    expect(await people(a, { cookie: s1.cookie })()).toBe(200);
    expect(await people(b, { cookie: s1.cookie })()).toBe(200);
    const out = await a.inject({ method: 'DELETE', url: '/api/v1/session', headers: { cookie: s1.cookie, 'x-csrf-token': s1.csrf } });
    expect(out.statusCode).toBe(204);
    expect(await people(a, { cookie: s1.cookie })()).toBe(401);
    expect(await until(people(b, { cookie: s1.cookie }), 401)).toBeLessThanOrEqual(AUTH_REVOCATION_BOUND_MS);

    const s2 = await signIn();
    expect(await people(a, { cookie: s2.cookie })()).toBe(200);
    expect(await people(b, { cookie: s2.cookie })()).toBe(200);
    await disableAccount(store().db, account.id);
    const [ta, tb] = await Promise.all([until(people(a, { cookie: s2.cookie }), 401), until(people(b, { cookie: s2.cookie }), 401)]);
    expect(Math.max(ta, tb)).toBeLessThanOrEqual(AUTH_REVOCATION_BOUND_MS);
  });
});
