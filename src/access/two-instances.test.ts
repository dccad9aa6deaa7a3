import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestStoreWithUrl, testEngines } from '../../test/engines.js';
import { runCli, sharedKeys, startServer, type ServerProcess } from '../../test/server-process.js';
import type { Store } from '../db/database.js';
import { loadPolicy } from '../policy/index.js';
import { verifyChain } from './audit/index.js';
import { AUTH_REVOCATION_BOUND_MS } from './auth/auth-cache.js';
import { createToken, revokeToken } from './auth/index.js';

/*
 * Two real `rempart serve` processes on one PostgreSQL database (PGlite is one process,
 * its data dir held by one server at a time: nothing to share there).
 */
describe.runIf(testEngines().includes('postgres'))('two server processes on one PostgreSQL [postgres]', () => {
  let store: Store;
  let url: string;
  const servers: ServerProcess[] = [];
  const keys = sharedKeys();

  beforeAll(async () => {
    const made = await createTestStoreWithUrl('postgres');
    store = made.store;
    url = made.url ?? '';
    servers.push(...(await Promise.all([startServer(url, keys), startServer(url, keys)])));
  }, 120_000);
  afterAll(async () => {
    for (const s of servers) await s.kill();
    await store?.close();
  });

  it('P2.5 both instances serve writes and reads at once, and append to one unbroken chain: `rempart audit verify` ok', async () => {
    const policy = await loadPolicy('policies/certilience.yaml');
    const { token } = await createToken(store.db, policy, { role: 'manager', name: 'two instances' });
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const perInstance = 40;
    const work = servers.map(async (s, n) => {
      for (let i = 0; i < perInstance; i++) {
        const created = await fetch(`${s.baseUrl}/api/v1/people`, { method: 'POST', headers, body: JSON.stringify({ lastName: `Inst${n}`, firstName: `N${i}`, relation: 'prospect' }) });
        expect(created.status).toBe(201);
        const { id } = (await created.json()) as { id: string };
        const patched = await fetch(`${s.baseUrl}/api/v1/people/${id}`, { method: 'PATCH', headers, body: JSON.stringify({ jobTitle: 'DAF' }) });
        expect(patched.status).toBe(200);
        // Read it back on the other instance.
        const other = servers[(n + 1) % servers.length] as ServerProcess;
        expect((await fetch(`${other.baseUrl}/api/v1/people/${id}`, { headers })).status).toBe(200);
      }
    });
    await Promise.all(work);
    // A clean stop of both: each writer flushes, each chainer links what is queued.
    for (const s of servers.splice(0)) await s.stop();
    const result = await verifyChain(store.db);
    expect(result.ok).toBe(true);
    const entries = await store.db.selectFrom('auditEntries').select(['seq', 'action']).orderBy('seq').execute();
    // Nothing chained twice, no gap: seq runs 1..n, and every create, update and read is there.
    expect(entries.map((e) => Number(e.seq))).toEqual(entries.map((_, i) => i + 1));
    const count = (a: string) => entries.filter((e) => e.action === a).length;
    expect([count('create'), count('update'), count('read')]).toEqual([2 * perInstance, 2 * perInstance, 2 * perInstance]);
    expect(await store.db.selectFrom('auditQueue').select('id').execute()).toEqual([]);
    const cli = await runCli(['audit', 'verify', '--database-url', url], keys);
    expect(cli.stdout).toMatch(/^ok: \d+ entries/m);
    expect(cli.code).toBe(0);
    // Back up for the next test.
    servers.push(...(await Promise.all([startServer(url, keys), startServer(url, keys)])));
  }, 120_000);

  it(`P2.1 a token revoked from a third process (revokeToken, as rempart token revoke does) stops on both processes within ${AUTH_REVOCATION_BOUND_MS} ms`, async () => {
    const policy = await loadPolicy('policies/certilience.yaml');
    const { token, summary } = await createToken(store.db, policy, { role: 'manager', name: 'revoked' });
    const headers = { authorization: `Bearer ${token}` };
    const status = (s: ServerProcess) => async () => (await fetch(`${s.baseUrl}/api/v1/people?limit=1`, { headers })).status;
    for (const s of servers) expect(await status(s)()).toBe(200);
    await revokeToken(store.db, summary.id);
    const t0 = performance.now();
    const took = await Promise.all(
      servers.map(async (s) => {
        for (;;) {
          if ((await status(s)()) === 401) return performance.now() - t0;
          if (performance.now() - t0 > 5_000) throw new Error('never refused');
          await new Promise((r) => setTimeout(r, 10));
        }
      }),
    );
    expect(Math.max(...took)).toBeLessThanOrEqual(AUTH_REVOCATION_BOUND_MS);
  }, 60_000);
});
