/**
 * `node --import tsx bench/gate-perf.ts [--part inject,socket,email,load] [--engines pglite,postgres]`
 * (issue 18): the gate's cost, side by side with its baseline in one run.
 * - inject: GET /api/v1/people/:id by app.inject, ungated (bench/apps.ts minimalApp) vs
 *   buildApp batched vs buildApp strict, interleaved A B C C B A; medians, CPU per read;
 * - socket: the same three over a socket, 32 autocannon connections in a child process;
 * - email: findPeopleByEmail among 1,000,000 people on PostgreSQL;
 * - load: the main routes against one and two `rempart serve` processes on PostgreSQL at
 *   8, 32 and 128 connections (bench/gate-load.ts), and the shedding beyond design load.
 * Prints markdown tables (pasted into BENCHMARKS.md) and writes bench/results/gate-perf.json.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { buildApp } from '../src/app.js';
import type { Engine } from '../src/db/database.js';
import { findPeopleByEmail } from '../src/rights/export/index.js';
import { interleaved } from './access-cases.js';
import { benchBearer, benchPolicy, minimalApp, type BenchApp } from './apps.js';
import { openSeededStore, SIZES } from './cases.js';
import { openFreshStore } from './engines.js';
import { BENCH_DIR, machineInfo, writeJson } from './harness.js';
import { runLoadTable, type LoadRow } from './gate-load.js';

const { values } = parseArgs({
  options: {
    part: { type: 'string', default: 'inject,socket,email,load' },
    engines: { type: 'string', default: 'pglite,postgres' },
    reads: { type: 'string', default: '1000' },
    seconds: { type: 'string', default: '5' },
    people: { type: 'string', default: '1000000' },
  },
});
const parts = new Set(values.part.split(','));
const engines = values.engines.split(',') as Engine[];
const out: Record<string, unknown> = { machine: machineInfo(), startedAt: new Date().toISOString() };
const lines: string[] = [];
const say = (s: string): void => {
  lines.push(s);
  console.log(s);
};
const ms = (v: number): string => `${v.toFixed(3)} ms`;

/** autocannon in a child process (its CPU is not the server's event loop), JSON summary back. */
export function autocannon(url: string, connections: number, seconds: number, headers: Record<string, string>): Promise<{ rps: number; p50: number; p99: number; errors: number; non2xx: number; total: number }> {
  const args = [join(BENCH_DIR, '..', 'node_modules', 'autocannon', 'autocannon.js'), '-c', String(connections), '-d', String(seconds), '-j'];
  for (const [k, v] of Object.entries(headers)) args.push('-H', `${k}=${v}`);
  args.push(url);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.on('error', reject);
    child.on('exit', () => {
      try {
        const r = JSON.parse(stdout) as { requests: { average: number }; latency: { p50: number; p99: number }; errors: number; non2xx: number; timeouts: number; requests_total?: number; '2xx': number };
        resolve({ rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, errors: r.errors + r.timeouts, non2xx: r.non2xx, total: r['2xx'] + r.non2xx });
      } catch (e) {
        reject(new Error(`autocannon gave no JSON: ${(e as Error).message}`));
      }
    });
  });
}

async function gatedApp(store: Parameters<typeof buildApp>[0]['store'], durability: 'batched' | 'strict'): Promise<BenchApp> {
  const policy = await benchPolicy();
  const app = await buildApp({ store, policy, logger: false, auditDurability: durability });
  const authorization = await benchBearer(store, policy);
  return { app, headers: { authorization }, close: () => app.close() };
}

for (const engine of engines) {
  if (!parts.has('inject') && !parts.has('socket')) break;
  const seeded = await openSeededStore(engine, SIZES.small, 'gateperf');
  const { store, ids } = seeded;
  const idAt = (i: number): string => ids[(i * 7919) % ids.length] ?? '';
  const policy = await benchPolicy();
  const apps = { ungated: await minimalApp(store, policy), batched: await gatedApp(store, 'batched'), strict: await gatedApp(store, 'strict') };
  try {
    if (parts.has('inject')) {
      const read = (a: BenchApp) => async (i: number) => {
        const r = await a.app.inject({ method: 'GET', url: `/api/v1/people/${idAt(i)}`, headers: a.headers });
        if (r.statusCode !== 200) throw new Error(`answered ${r.statusCode}`);
      };
      const n = Number(values.reads);
      const m = await interleaved({ ungated: read(apps.ungated), batched: read(apps.batched), strict: read(apps.strict) }, { iterations: n, warmup: 200, blocks: 4 });
      const base = m.ungated!;
      say(`\n#### ${engine}: one person by app.inject (${n} reads each, interleaved)\n`);
      say('| Case | Median | p95 | Ratio (median) | Node CPU per read | CPU ratio |');
      say('| --- | --- | --- | --- | --- | --- |');
      for (const [name, r] of Object.entries(m)) {
        say(`| ${name === 'ungated' ? 'no gate nor audit (minimal app)' : `token + gate + audit, ${name}`} | ${ms(r.timings.medianMs)} | ${ms(r.timings.p95Ms)} | ${(r.timings.medianMs / base.timings.medianMs).toFixed(2)}× | ${ms(r.extra.nodeCpuMsPerOp)} | ${(r.extra.nodeCpuMsPerOp / base.extra.nodeCpuMsPerOp).toFixed(2)}× |`);
      }
      out[`inject-${engine}`] = Object.fromEntries(Object.entries(m).map(([k, r]) => [k, { medianMs: r.timings.medianMs, p95Ms: r.timings.p95Ms, cpuMs: r.extra.nodeCpuMsPerOp }]));
    }
    if (parts.has('socket')) {
      const seconds = Number(values.seconds);
      const urls: Record<string, string> = {};
      for (const [name, a] of Object.entries(apps)) urls[name] = `${await a.app.listen({ port: 0, host: '127.0.0.1' })}/api/v1/people/${idAt(1)}`;
      const rates: Record<string, number[]> = { ungated: [], batched: [], strict: [] };
      const p99s: Record<string, number[]> = { ungated: [], batched: [], strict: [] };
      const errors: Record<string, number> = { ungated: 0, batched: 0, strict: 0 };
      for (const name of Object.keys(apps)) await autocannon(urls[name]!, 32, 1, apps[name as keyof typeof apps].headers); // warm
      for (let round = 0; round < 2; round++) {
        const order = round % 2 === 0 ? Object.keys(apps) : Object.keys(apps).reverse();
        for (const name of order) {
          const r = await autocannon(urls[name]!, 32, seconds, apps[name as keyof typeof apps].headers);
          rates[name]!.push(r.rps);
          p99s[name]!.push(r.p99);
          errors[name]! += r.errors + r.non2xx;
        }
      }
      const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
      say(`\n#### ${engine}: one person, 32 connections over a socket (autocannon, ${seconds} s × 2 rounds each, alternated)\n`);
      say('| Case | Throughput | Ratio | p99 | Errors + non-2xx |');
      say('| --- | --- | --- | --- | --- |');
      for (const name of Object.keys(apps)) {
        say(`| ${name === 'ungated' ? 'no gate nor audit' : `token + gate + audit, ${name}`} | ${Math.round(mean(rates[name]!)).toLocaleString('en')} req/s | ${(mean(rates[name]!) / mean(rates.ungated!)).toFixed(2)}× | ${Math.max(...p99s[name]!)} ms | ${errors[name]} |`);
      }
      out[`socket-${engine}`] = { rates, p99s, errors };
    }
  } finally {
    for (const a of Object.values(apps)) await a.close();
    await store.close();
  }
}

if (parts.has('email') && engines.includes('postgres')) {
  const people = Number(values.people);
  const store = await openFreshStore('postgres', 'email');
  try {
    const t0 = performance.now();
    // The people table alone is what the lookup reads: filled by generate_series, then ANALYZEd.
    await sql`insert into people (id, relation, last_name, first_name, email, source, collected_at)
      select gen_random_uuid(), 'prospect', 'Nom' || g, 'Prénom' || g, 'Person.' || g || '@Example.fr', 'bench', now()
      from generate_series(1, ${people}) g`.execute(store.db);
    await sql`analyze people`.execute(store.db);
    const seedS = (performance.now() - t0) / 1000;
    const samples: number[] = [];
    for (let i = 0; i < 220; i++) {
      const n = 1 + ((i * 104729) % people);
      const s = performance.now();
      const found = await findPeopleByEmail(store.db, ` person.${n}@example.FR `);
      if (i >= 20) samples.push(performance.now() - s);
      if (found.length !== 1) throw new Error(`found ${found.length} people for one email`);
    }
    samples.sort((a, b) => a - b);
    const median = samples[Math.floor(samples.length / 2)] ?? 0;
    const plan = await sql<{ 'QUERY PLAN': string }>`explain select id from people where lower(btrim(email)) = 'person.5@example.fr'`.execute(store.db);
    say(`\n#### postgres: findPeopleByEmail among ${people.toLocaleString('en')} people (200 lookups after 20 warm-up; seeded in ${seedS.toFixed(0)} s)\n`);
    say(`median ${ms(median)}, p95 ${ms(samples[Math.floor(samples.length * 0.95)] ?? 0)}; plan: ${plan.rows.map((r) => r['QUERY PLAN'].trim()).join(' / ')}`);
    out.email = { people, medianMs: median };
  } finally {
    await store.close();
  }
}

if (parts.has('load')) {
  const rows: LoadRow[] = await runLoadTable(say, Number(values.seconds));
  out.load = rows;
}

out.finishedAt = new Date().toISOString();
writeJson(join(BENCH_DIR, 'results', 'gate-perf.json'), { ...out, markdown: lines.join('\n') });
