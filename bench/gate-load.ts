/**
 * The load test of issue 18 (item 8): `rempart serve` processes on one PostgreSQL
 * database, loaded by autocannon in a child process on the main read and write routes
 * at 8, 32 and 128 connections, one instance then two (connections split between them);
 * then beyond design load, where the server must shed with 429 and Retry-After.
 * `runLoadTable` is called by bench/gate-perf.ts; `runLoadSmoke` by src/http/load.test.ts.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { createToken } from '../src/access/auth/index.js';
import type { Store } from '../src/db/database.js';
import { seedDemo } from '../src/demo/seed.js';
import { loadPolicy } from '../src/policy/index.js';
import { sharedKeys, startServer, type ServerProcess } from '../test/server-process.js';

const SCRIPT = fileURLToPath(import.meta.url);
const POLICY = fileURLToPath(new URL('../policies/certilience.yaml', import.meta.url));

/** One route of the load, as the child process builds its requests. */
export interface RouteSpec {
  readonly name: string;
  readonly method: 'GET' | 'POST' | 'PATCH';
  /** `:id` is replaced by a random id of `ids` on each request. */
  readonly path: string;
  readonly body?: Readonly<Record<string, unknown>>;
  /** `{n}` in a string body value is replaced by a per-request counter (unique e-mails). */
  readonly headers: Readonly<Record<string, string>>;
}

/** One measured row. */
export interface LoadRow {
  readonly route: string;
  readonly instances: number;
  readonly connections: number;
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  readonly errors: number;
  readonly non2xx: number;
  readonly status429: number;
  readonly total: number;
}

interface ChildSpec {
  readonly urls: readonly string[];
  readonly connections: number;
  readonly seconds: number;
  readonly route: RouteSpec;
  readonly ids: readonly string[];
}

function fill(value: unknown, n: number): unknown {
  if (typeof value === 'string') return value.replace('{n}', String(n));
  if (value && typeof value === 'object' && !Array.isArray(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fill(v, n)]));
  return value;
}

/** In the child: one autocannon per instance, connections split, results merged. */
async function child(spec: ChildSpec): Promise<Omit<LoadRow, 'route' | 'instances' | 'connections'>> {
  let counter = 0;
  const per = Math.max(1, Math.floor(spec.connections / spec.urls.length));
  const runs = spec.urls.map(
    (url) =>
      new Promise<autocannon.Result>((resolve, reject) => {
        let status429 = 0;
        const instance = autocannon(
          {
            url,
            connections: per,
            duration: spec.seconds,
            requests: [
              {
                method: spec.route.method,
                setupRequest: (req) => {
                  const id = spec.ids[Math.floor(Math.random() * spec.ids.length)] ?? '';
                  counter += 1;
                  return {
                    ...req,
                    path: spec.route.path.replace(':id', id),
                    headers: { ...spec.route.headers, ...(spec.route.body ? { 'content-type': 'application/json' } : {}) },
                    ...(spec.route.body ? { body: JSON.stringify(fill(spec.route.body, counter)) } : {}),
                  };
                },
              },
            ],
          },
          (err, result) => (err ? reject(err) : resolve(Object.assign(result, { status429 }))),
        );
        instance.on('response', (_client, statusCode) => {
          if (statusCode === 429) status429 += 1;
        });
      }),
  );
  const results = (await Promise.all(runs)) as (autocannon.Result & { status429: number })[];
  return {
    rps: results.reduce((n, r) => n + r.requests.average, 0),
    p50: Math.max(...results.map((r) => r.latency.p50)),
    p99: Math.max(...results.map((r) => r.latency.p99)),
    errors: results.reduce((n, r) => n + r.errors + r.timeouts, 0),
    non2xx: results.reduce((n, r) => n + r.non2xx, 0),
    status429: results.reduce((n, r) => n + r.status429, 0),
    total: results.reduce((n, r) => n + r['2xx'] + r.non2xx, 0),
  };
}

/** Runs the load of one route in a child process (so the client's CPU is not the servers'). */
export function loadInChild(spec: ChildSpec): Promise<Omit<LoadRow, 'route' | 'instances' | 'connections'>> {
  return new Promise((resolve, reject) => {
    const c = spawn(process.execPath, ['--import', 'tsx', SCRIPT, '--child'], { stdio: ['pipe', 'pipe', 'inherit'] });
    let out = '';
    c.stdout.on('data', (d: Buffer) => (out += d.toString()));
    c.on('error', reject);
    c.on('exit', (code) => {
      const line = out.split('\n').find((l) => l.startsWith('@@load '));
      if (code !== 0 || !line) return reject(new Error(`the load child exited ${code}`));
      resolve(JSON.parse(line.slice(7)) as Omit<LoadRow, 'route' | 'instances' | 'connections'>);
    });
    c.stdin.end(JSON.stringify(spec));
  });
}

/** The routes of the load, with tokens of the roles that hold their grants. */
async function routes(store: Store, base: string): Promise<{ list: RouteSpec[]; ids: string[]; consentIds: string[] }> {
  const policy = await loadPolicy(POLICY);
  const manager = `Bearer ${(await createToken(store.db, policy, { role: 'manager', name: 'load' })).token}`;
  const marketing = `Bearer ${(await createToken(store.db, policy, { role: 'marketing', name: 'load' })).token}`;
  const ids = (await store.db.selectFrom('people').select('id').execute()).map((r) => r.id);
  // Prospects (what marketing reaches) with a consent to e-mail prospecting, so that a withdrawal has something to withdraw.
  const consentIds = (await store.db.selectFrom('people').select('id').where('relation', '=', 'prospect').limit(200).execute()).map((r) => r.id);
  for (const id of consentIds) {
    const res = await fetch(`${base}/api/v1/people/${id}/prospecting-consents`, {
      method: 'POST',
      headers: { authorization: marketing, 'content-type': 'application/json' },
      body: JSON.stringify({ scope: 'email_prospecting', state: 'given', channel: 'web_form', evidence: 'bench form' }),
    });
    if (res.status >= 300) throw new Error(`recording a consent answered ${res.status}: ${(await res.text()).slice(0, 200)}`);
  }
  return {
    ids,
    consentIds,
    list: [
      { name: 'read a person (GET /people/:id)', method: 'GET', path: '/api/v1/people/:id', headers: { authorization: manager } },
      { name: 'list people, filtered (GET /people?relation=prospect&limit=20)', method: 'GET', path: '/api/v1/people?relation=prospect&limit=20', headers: { authorization: manager } },
      { name: 'create a contact (POST /people)', method: 'POST', path: '/api/v1/people', body: { lastName: 'Charge', firstName: 'N{n}', email: 'charge.{n}@example.fr', relation: 'prospect' }, headers: { authorization: manager } },
      { name: 'update a contact (PATCH /people/:id)', method: 'PATCH', path: '/api/v1/people/:id', body: { jobTitle: 'DAF {n}' }, headers: { authorization: manager } },
      { name: 'access request (POST /requests, public)', method: 'POST', path: '/api/v1/requests', body: { type: 'access', email: 'demandeur.{n}@example.fr', language: 'fr' }, headers: {} },
      { name: 'consent withdrawal (POST /people/:id/prospecting-consents/email_prospecting/withdraw)', method: 'POST', path: '/api/v1/people/:id/prospecting-consents/email_prospecting/withdraw', headers: { authorization: marketing } },
    ],
  };
}

/** Starts `n` instances on the database, sharing their keys. */
async function instances(url: string, n: number, env: Record<string, string> = {}): Promise<ServerProcess[]> {
  const keys = sharedKeys();
  // The daily jobs would run at start (retention deletes old seeded prospects mid-load): put them late in the day.
  return Promise.all(Array.from({ length: n }, () => startServer(url, { ...keys, REMPART_DAILY_HOUR: '23', ...env })));
}

/** The full table: every route at 8, 32 and 128 connections on one and two instances, then the shedding. */
export async function runLoadTable(say: (s: string) => void, seconds: number, levels: readonly number[] = [8, 32, 128]): Promise<LoadRow[]> {
  const { openFreshStore } = await import('./engines.js');
  const store = await openFreshStore('postgres', 'load');
  const rows: LoadRow[] = [];
  try {
    await seedDemo(store.db, { people: 2000, seed: 42, now: new Date() });
    for (const count of [1, 2]) {
      const servers = await instances(store.url ?? '', count);
      try {
        const { list, ids, consentIds } = await routes(store, servers[0]!.baseUrl);
        for (const route of list) {
          for (const connections of levels) {
            const r = await loadInChild({ urls: servers.map((s) => s.baseUrl), connections, seconds, route, ids: route.name.startsWith('consent') ? consentIds : ids });
            const row = { route: route.name, instances: count, connections, ...r };
            rows.push(row);
            console.log(JSON.stringify(row));
          }
        }
      } finally {
        for (const s of servers) await s.stop();
      }
    }
    say(`\n#### Load: rempart serve on PostgreSQL, autocannon in a child process, ${seconds} s per row (2,000 people seeded; batched audit)\n`);
    say('| Route | Instances | Connections | Throughput | p50 | p99 | Errors | non-2xx (of which 429) |');
    say('| --- | --- | --- | --- | --- | --- | --- | --- |');
    for (const r of rows) say(`| ${r.route} | ${r.instances} | ${r.connections} | ${Math.round(r.rps).toLocaleString('en')} req/s | ${r.p50} ms | ${r.p99} ms | ${r.errors} | ${r.non2xx} (${r.status429}) |`);
    // Beyond design load: an instance that serves at most 16 requests at once, 256 connections.
    const [shed] = await instances(store.url ?? '', 1, { REMPART_MAX_IN_FLIGHT: '16' });
    try {
      const { list, ids } = await routes(store, shed!.baseUrl);
      const r = await loadInChild({ urls: [shed!.baseUrl], connections: 256, seconds, route: list[0]!, ids });
      const probe = await Promise.all(Array.from({ length: 64 }, (_, i) => fetch(`${shed!.baseUrl}/api/v1/people/${ids[i]}`, { headers: list[0]!.headers })));
      const shedOne = probe.find((p) => p.status === 429);
      say(
        `\nBeyond design load (REMPART_MAX_IN_FLIGHT=16, 256 connections, read a person): ${Math.round(r.rps).toLocaleString('en')} req/s answered, p99 ${r.p99} ms, ${r.status429} answered 429 of ${r.total}, ${r.errors} errors or timeouts; a shed answer carries Retry-After: ${shedOne?.headers.get('retry-after') ?? '(none seen in a 64-request burst)'}.`,
      );
      rows.push({ route: 'shedding: read a person, max 16 in flight', instances: 1, connections: 256, ...r });
    } finally {
      await shed?.stop();
    }
  } finally {
    await store.close();
  }
  return rows;
}

/** The CI size: one route set at 8 connections on two instances for `seconds`; returns the rows. */
export async function runLoadSmoke(store: Store & { readonly url?: string }, seconds: number): Promise<LoadRow[]> {
  const servers = await instances(store.url ?? '', 2);
  const rows: LoadRow[] = [];
  try {
    const { list, ids, consentIds } = await routes(store, servers[0]!.baseUrl);
    for (const route of list.filter((r) => !r.name.startsWith('access request'))) {
      const r = await loadInChild({ urls: servers.map((s) => s.baseUrl), connections: 8, seconds, route, ids: route.name.startsWith('consent') ? consentIds : ids });
      rows.push({ route: route.name, instances: 2, connections: 8, ...r });
    }
  } finally {
    for (const s of servers) await s.stop();
  }
  return rows;
}

if (process.argv.includes('--child')) {
  let input = '';
  process.stdin.on('data', (d: Buffer) => (input += d.toString()));
  process.stdin.on('end', () => {
    child(JSON.parse(input) as ChildSpec)
      .then((r) => process.stdout.write(`\n@@load ${JSON.stringify(r)}\n`))
      .catch((e: unknown) => {
        console.error(e);
        process.exitCode = 1;
      });
  });
}
