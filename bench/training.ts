/**
 * Training bench (issue 19): the platforms' ingestion through the HTTP endpoints beside
 * plain INSERTs of the same rows, and the close of a large engagement (time, peak RSS).
 *   npm run bench -- --size small --only training     (smoke: 2,000 events, close of 200 trainees / 4,000 events)
 *   npm run bench -- --size full --only training      (1,000,000 events; close of 50,000 trainees / 2,000,000 events)
 *   BENCH_TRAINING_EVENTS=…, BENCH_TRAINING_CLOSE_EVENTS=…, BENCH_TRAINING_CLOSE_TRAINEES=…  (other sizes)
 * Each case runs in a child process of its own, on PostgreSQL when a server answers (else
 * PGlite), so the peak RSS is the case's own.
 *
 * Ingestion: half Gophish webhook events (one event a request, signed, as Gophish sends
 * them), half xAPI statements (POSTed 100 to a request, as LRS clients batch them), over
 * real HTTP (the app listening on 127.0.0.1, 16 requests in flight). The baseline writes
 * the same rows with plain INSERTs on the same pool, batched the same way (one event a
 * statement, 100 statements a statement), 16 in flight. Figures are the whole run's and
 * the median of ten equal slices.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql, type Kysely } from 'kysely';
import type { AddressInfo } from 'node:net';
import { cliActor } from '../src/access/actor.js';
import { createAccessRuntime } from '../src/access/runtime.js';
import { buildApp } from '../src/app.js';
import type { Engine } from '../src/db/database.js';
import { newId } from '../src/db/ids.js';
import type { Database } from '../src/db/schema.js';
import { loadPolicy } from '../src/policy/index.js';
import { closeEngagement, credentialsOf, gophishSignature } from '../src/training/index.js';
import { actorKey } from '../src/training/xapi.js';
import { processCpuMs } from './baseline-trgm.js';
import { openFreshStore, postgresUnavailable } from './engines.js';
import { BENCH_DIR, machineInfo, markdownTable, peakRssBytes, reportToParent, runInChild, updateMarkdownSection, writeJson } from './harness.js';

/** What one training case measured. */
export interface TrainingCaseResult {
  readonly id: 'ingest-http' | 'ingest-plain' | 'close';
  readonly engine: Engine;
  readonly events: number;
  readonly trainees: number;
  readonly wallMs: number;
  /** CPU of this Node process (the app and its HTTP clients, or the INSERT loop). */
  readonly cpuMs: number;
  /** CPU of the PostgreSQL backends of the case's database (from /proc). */
  readonly dbCpuMs?: number;
  readonly peakRssBytes: number;
  /** Events per second over the whole run, and the median of ten slices. */
  readonly rate?: number;
  readonly medianSliceRate?: number;
  readonly packageBytes?: number;
  readonly phases?: Readonly<Record<string, number>>;
  readonly loadAverage: readonly number[];
}

const SERVER_KEY = Buffer.alloc(32, 3);
const IN_FLIGHT = 16;
const XAPI_BATCH = 100;
const CAMPAIGNS = 20;
const KINDS = ['Email Sent', 'Email Opened', 'Clicked Link', 'Submitted Data', 'Email Reported'] as const;
const KIND_OF: Record<(typeof KINDS)[number], 'sent' | 'opened' | 'clicked' | 'submitted' | 'reported'> = { 'Email Sent': 'sent', 'Email Opened': 'opened', 'Clicked Link': 'clicked', 'Submitted Data': 'submitted', 'Email Reported': 'reported' };
const T0 = Date.parse('2027-01-04T08:00:00Z');

function sizes(size: 'small' | 'full'): { events: number; ingestTrainees: number; closeTrainees: number; closeEvents: number } {
  const env = (k: string, d: number) => Number(process.env[k] ?? d);
  return size === 'full'
    ? { events: env('BENCH_TRAINING_EVENTS', 1_000_000), ingestTrainees: 10_000, closeTrainees: env('BENCH_TRAINING_CLOSE_TRAINEES', 50_000), closeEvents: env('BENCH_TRAINING_CLOSE_EVENTS', 2_000_000) }
    : { events: env('BENCH_TRAINING_EVENTS', 2_000), ingestTrainees: 200, closeTrainees: env('BENCH_TRAINING_CLOSE_TRAINEES', 200), closeEvents: env('BENCH_TRAINING_CLOSE_EVENTS', 4_000) };
}

async function backendCpuMs(db: Kysely<Database>): Promise<number> {
  const pids = (await sql<{ pid: number }>`select pid from pg_stat_activity where datname = current_database()`.execute(db)).rows.map((r) => r.pid);
  return pids.reduce((sum, pid) => sum + processCpuMs(pid), 0);
}

const email = (i: number): string => `trainee${i}@client.example`;

/** The i-th Gophish event of the run, as Gophish sends it. */
function gophishEvent(i: number, trainees: number): string {
  return JSON.stringify({ campaign_id: 1 + (i % CAMPAIGNS), email: email(i % trainees), time: new Date(T0 + i * 1000).toISOString(), message: KINDS[i % KINDS.length], details: '' });
}

/** The i-th xAPI statement of the run. */
function statement(i: number, trainees: number): Record<string, unknown> {
  return {
    id: uuidOf(i),
    actor: { objectType: 'Agent', mbox: `mailto:${email(i % trainees)}` },
    verb: { id: i % 3 === 0 ? 'http://adlnet.gov/expapi/verbs/failed' : 'http://adlnet.gov/expapi/verbs/passed' },
    object: { id: `https://lms.client.example/courses/${1 + (i % 8)}`, objectType: 'Activity' },
    result: { success: i % 3 !== 0, completion: true, score: { scaled: (i % 100) / 100 } },
    timestamp: new Date(T0 + i * 1000).toISOString(),
  };
}

/** A stable UUID per index (version 4 layout), so the baseline writes the very same ids. */
function uuidOf(i: number): string {
  const h = createHash('sha256').update(`stmt:${i}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** Runs `jobs` jobs, `IN_FLIGHT` at a time; returns the time each tenth of them finished. */
async function pool(jobs: number, job: (j: number) => Promise<void>): Promise<number[]> {
  let next = 0;
  const marks: number[] = [];
  let done = 0;
  const tenth = Math.max(1, Math.floor(jobs / 10));
  const worker = async () => {
    for (;;) {
      const j = next++;
      if (j >= jobs) return;
      await job(j);
      done++;
      if (done % tenth === 0) marks.push(performance.now());
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  return marks;
}

/** The order requests arrive in: one xAPI batch among every hundred-odd Gophish events, as two platforms would interleave. */
function interleave(half: number, batches: number): ('g' | 'x')[] {
  const order: ('g' | 'x')[] = [];
  const every = Math.max(1, Math.floor(half / batches));
  let g = 0;
  let b = 0;
  while (g < half || b < batches) {
    if (g < half && (b >= batches || g < (b + 1) * every)) {
      order.push('g');
      g++;
    } else {
      order.push('x');
      b++;
    }
  }
  return order;
}

function medianSliceRate(t0: number, marks: readonly number[], perSlice: number): number {
  const spans = marks.map((m, k) => m - (k === 0 ? t0 : (marks[k - 1] as number))).sort((a, b) => a - b);
  const mid = spans[Math.floor(spans.length / 2)] ?? 1;
  return perSlice / (mid / 1000);
}

async function setupEngagement(db: Kysely<Database>, trainees: number): Promise<string> {
  const org = newId();
  await db.insertInto('organisations').values({ id: org, name: 'Client Bench SA', siret: null, vatNumber: null, sector: null, headcount: null, addresses: JSON.stringify([]) }).execute();
  const id = newId();
  await db
    .insertInto('trainingEngagements')
    .values({ id, clientOrganisationId: org, contractId: null, name: 'Bench', startsOn: '2027-01-01', endsOn: '2027-12-31', platforms: JSON.stringify(['phishing', 'elearning']), instructions: JSON.stringify([]), subProcessors: JSON.stringify([]), endChoice: 'return_then_destroy', status: 'active', createdAt: new Date(), closedAt: null })
    .execute();
  await sql`insert into training_trainees (id, engagement_id, email, first_name, last_name, department, job_title, created_at, updated_at)
    select gen_random_uuid(), ${id}, 'trainee' || (g - 1) || '@client.example', 'Prénom' || g, 'Nom' || g, 'Service ' || (g % 12), 'Poste', now(), now()
    from generate_series(1, ${trainees}) g`.execute(db);
  return id;
}

async function ingestHttp(engine: Engine, events: number, trainees: number): Promise<TrainingCaseResult> {
  const store = await openFreshStore(engine, 'training-http');
  try {
    const policy = await loadPolicy('policies/certilience.yaml');
    const dataDir = mkdtempSync(join(tmpdir(), 'rempart-bench-training-'));
    const app = await buildApp({ store, policy, logger: false, serverKey: SERVER_KEY, publicUrl: 'http://127.0.0.1', dataDir });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    const id = await setupEngagement(store.db, trainees);
    const creds = credentialsOf({ serverKey: SERVER_KEY, publicUrl: base }, id);
    const basic = `Basic ${Buffer.from(`${creds.xapi.key}:${creds.xapi.secret}`).toString('base64')}`;
    const half = Math.floor(events / 2);
    const batches = Math.ceil(half / XAPI_BATCH);
    const order = interleave(half, batches);
    const jobs = order.length;
    let gi = 0;
    let xi = 0;
    const db0 = engine === 'postgres' ? await backendCpuMs(store.db) : 0;
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const marks = await pool(jobs, async (j) => {
      if (order[j] === 'g') {
        const body = gophishEvent(gi++, trainees);
        const res = await fetch(`${base}/api/v1/engagements/${id}/gophish`, { method: 'POST', body, headers: { 'content-type': 'application/json', 'x-gophish-signature': gophishSignature(creds.gophish.secret, body) } });
        if (res.status !== 200) throw new Error(`gophish answered ${res.status}: ${await res.text()}`);
        await res.arrayBuffer();
      } else {
        const start = xi++ * XAPI_BATCH;
        const list = Array.from({ length: Math.min(XAPI_BATCH, half - start) }, (_, k) => statement(start + k, trainees));
        const res = await fetch(`${base}/api/v1/engagements/${id}/xapi/statements`, { method: 'POST', body: JSON.stringify(list), headers: { authorization: basic, 'x-experience-api-version': '1.0.3', 'content-type': 'application/json' } });
        if (res.status !== 200) throw new Error(`xapi answered ${res.status}: ${await res.text()}`);
        await res.arrayBuffer();
      }
    });
    const wallMs = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    const dbCpuMs = engine === 'postgres' ? (await backendCpuMs(store.db)) - db0 : undefined;
    const written = await sql<{ n: string }>`select (select count(*) from training_phishing_events) + (select count(*) from training_statements) as n`.execute(store.db);
    if (Number(written.rows[0]?.n) !== half * 2) throw new Error(`expected ${half * 2} rows, found ${written.rows[0]?.n}`);
    await app.close();
    rmSync(dataDir, { recursive: true, force: true });
    // A slice is a tenth of the requests: about a tenth of the events.
    return { id: 'ingest-http', engine, events: half * 2, trainees, wallMs, cpuMs: (cpu.user + cpu.system) / 1000, ...(dbCpuMs !== undefined ? { dbCpuMs } : {}), peakRssBytes: peakRssBytes(), rate: (half * 2) / (wallMs / 1000), medianSliceRate: medianSliceRate(t0, marks, (half * 2) / 10), loadAverage: machineInfo().loadAverage ?? [] };
  } finally {
    await store.close();
  }
}

async function ingestPlain(engine: Engine, events: number, trainees: number): Promise<TrainingCaseResult> {
  const store = await openFreshStore(engine, 'training-plain');
  try {
    const db = store.db;
    const id = await setupEngagement(db, trainees);
    const traineeIds = new Map((await db.selectFrom('trainingTrainees').select(['id', 'email']).where('engagementId', '=', id).execute()).map((t) => [t.email, t.id]));
    const campaignIds: string[] = [];
    for (let c = 1; c <= CAMPAIGNS; c++) {
      const cid = newId();
      await db.insertInto('trainingCampaigns').values({ id: cid, engagementId: id, gophishCampaignId: c, firstSeenAt: new Date() }).execute();
      campaignIds.push(cid);
    }
    const half = Math.floor(events / 2);
    const batches = Math.ceil(half / XAPI_BATCH);
    const order = interleave(half, batches);
    const jobs = order.length;
    let gi = 0;
    let xi = 0;
    const db0 = engine === 'postgres' ? await backendCpuMs(db) : 0;
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const marks = await pool(jobs, async (j) => {
      const now = new Date();
      if (order[j] === 'g') {
        const i = gi++;
        const e = JSON.parse(gophishEvent(i, trainees)) as { campaign_id: number; email: string; time: string; message: (typeof KINDS)[number] };
        const replayKey = createHash('sha256').update(`${e.campaign_id}\n${e.email}\n${e.message}\n${e.time}`).digest('hex');
        await db
          .insertInto('trainingPhishingEvents')
          .values({ id: newId(now.getTime()), engagementId: id, campaignId: campaignIds[e.campaign_id - 1] as string, traineeId: traineeIds.get(e.email) as string, kind: KIND_OF[e.message], occurredAt: new Date(e.time), receivedAt: now, replayKey })
          .execute();
      } else {
        const start = xi++ * XAPI_BATCH;
        const rows = Array.from({ length: Math.min(XAPI_BATCH, half - start) }, (_, k) => {
          const s = statement(start + k, trainees);
          const raw = JSON.stringify(s);
          const actor = s.actor as Record<string, unknown>;
          return {
            engagementId: id,
            id: String(s.id),
            traineeId: traineeIds.get(String(actor.mbox).slice(7)) ?? null,
            actorKey: actorKey(actor),
            verbId: String((s.verb as Record<string, unknown>).id),
            objectId: String((s.object as Record<string, unknown>).id),
            statement: JSON.stringify({ ...s, stored: now.toISOString(), version: '1.0.0' }),
            raw,
            storedAt: now,
          };
        });
        await db.insertInto('trainingStatements').values(rows).execute();
      }
    });
    const wallMs = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    const dbCpuMs = engine === 'postgres' ? (await backendCpuMs(db)) - db0 : undefined;
    const written = await sql<{ n: string }>`select (select count(*) from training_phishing_events) + (select count(*) from training_statements) as n`.execute(db);
    if (Number(written.rows[0]?.n) !== half * 2) throw new Error(`plain: expected ${half * 2} rows, found ${written.rows[0]?.n}`);
    return { id: 'ingest-plain', engine, events: half * 2, trainees, wallMs, cpuMs: (cpu.user + cpu.system) / 1000, ...(dbCpuMs !== undefined ? { dbCpuMs } : {}), peakRssBytes: peakRssBytes(), rate: (half * 2) / (wallMs / 1000), medianSliceRate: medianSliceRate(t0, marks, (half * 2) / 10), loadAverage: machineInfo().loadAverage ?? [] };
  } finally {
    await store.close();
  }
}

/** Seeds an engagement of `trainees` trainees and `events` events (half Gophish, half xAPI) server-side, then closes it. */
async function closeCase(engine: Engine, trainees: number, events: number): Promise<TrainingCaseResult> {
  const store = await openFreshStore(engine, 'training-close');
  const dir = mkdtempSync(join(tmpdir(), 'rempart-bench-close-'));
  try {
    const db = store.db;
    const policy = await loadPolicy('policies/certilience.yaml');
    const s0 = performance.now();
    const id = await setupEngagement(db, trainees);
    for (let c = 1; c <= CAMPAIGNS; c++) await db.insertInto('trainingCampaigns').values({ id: newId(), engagementId: id, gophishCampaignId: c, firstSeenAt: new Date() }).execute();
    const half = Math.floor(events / 2);
    const chunk = 250_000;
    for (let from = 0; from < half; from += chunk) {
      const to = Math.min(half, from + chunk) - 1;
      await sql`with t as (select id, row_number() over (order by id) - 1 as rn from training_trainees where engagement_id = ${id}),
          c as (select id, row_number() over (order by id) - 1 as rn from training_campaigns where engagement_id = ${id})
        insert into training_phishing_events (id, engagement_id, campaign_id, trainee_id, kind, occurred_at, received_at, replay_key)
        select gen_random_uuid(), ${id}, c.id, t.id, (array['sent','opened','clicked','submitted','reported'])[1 + g % 5],
          timestamptz '2027-01-04 08:00:00+00' + g * interval '1 second', now(), md5(g::text)
        from generate_series(${from}::int, ${to}::int) g join t on t.rn = g % ${trainees} join c on c.rn = g % ${CAMPAIGNS}`.execute(db);
      await sql`with t as (select id, email, row_number() over (order by id) - 1 as rn from training_trainees where engagement_id = ${id}),
          s as (select g, t.id as tid, t.email, json_build_object('id', gen_random_uuid(), 'actor', json_build_object('objectType', 'Agent', 'mbox', 'mailto:' || t.email),
            'verb', json_build_object('id', 'http://adlnet.gov/expapi/verbs/passed'), 'object', json_build_object('id', 'https://lms.client.example/courses/' || (g % 8), 'objectType', 'Activity'),
            'result', json_build_object('success', true, 'completion', true, 'score', json_build_object('scaled', (g % 100) / 100.0)),
            'timestamp', to_char(timestamptz '2027-01-04 08:00:00+00' + g * interval '1 second', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'))::text as raw
            from generate_series(${from}::int, ${to}::int) g join t on t.rn = g % ${trainees})
        insert into training_statements (engagement_id, id, trainee_id, actor_key, verb_id, object_id, statement, raw, stored_at)
        select ${id}, (raw::jsonb ->> 'id')::uuid, tid, 'mbox:mailto:' || email, 'http://adlnet.gov/expapi/verbs/passed', raw::jsonb -> 'object' ->> 'id', raw::jsonb, raw, now() from s`.execute(db);
    }
    const seedMs = performance.now() - s0;
    if (engine === 'postgres') await sql`analyze`.execute(db);
    const access = createAccessRuntime({ db, policy, now: () => new Date(), chainer: false });
    const deps = { db, now: () => new Date(), serverKey: SERVER_KEY, publicUrl: 'http://127.0.0.1' };
    const out = join(dir, 'close.zip');
    const db0 = engine === 'postgres' ? await backendCpuMs(db) : 0;
    const rss0 = process.memoryUsage().rss;
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const done = await closeEngagement(deps, access.gate.for(cliActor()), id, { out });
    const wallMs = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    const dbCpuMs = engine === 'postgres' ? (await backendCpuMs(db)) - db0 : undefined;
    await access.close();
    const c = done.certificate.certificate.destroyed;
    if (c.trainees !== trainees || (c.phishingEvents ?? 0) + (c.statements ?? 0) !== half * 2) throw new Error(`close destroyed ${JSON.stringify(c)}`);
    return {
      id: 'close', engine, events: half * 2, trainees, wallMs, cpuMs: (cpu.user + cpu.system) / 1000, ...(dbCpuMs !== undefined ? { dbCpuMs } : {}),
      peakRssBytes: peakRssBytes(), packageBytes: done.certificate.certificate.package.bytes, phases: { seedMs, rssBeforeCloseBytes: rss0 }, loadAverage: machineInfo().loadAverage ?? [],
    };
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The child's entry point: `training:<case>:<engine>`. */
export async function trainingChild(name: string, size: 'small' | 'full'): Promise<void> {
  const [, which, engine] = name.split(':') as [string, string, Engine];
  const z = sizes(size);
  const r = which === 'ingest-http' ? await ingestHttp(engine, z.events, z.ingestTrainees) : which === 'ingest-plain' ? await ingestPlain(engine, z.events, z.ingestTrainees) : await closeCase(engine, z.closeTrainees, z.closeEvents);
  reportToParent([r]);
}

const s = (ms: number | undefined): string => (ms === undefined || Number.isNaN(ms) || ms < 0 ? '–' : `${(ms / 1000).toFixed(1)} s`);
const mib = (b: number): string => `${Math.round(b / 2 ** 20)} MiB`;
const bytes = (b: number): string => (b >= 2 ** 20 ? mib(b) : `${Math.round(b / 1024)} KiB`);
const n = (x: number | undefined): string => (x === undefined ? '–' : Math.round(x).toLocaleString('en'));

/** The training section of BENCHMARKS.md from the results of one run. */
export function renderTraining(results: readonly TrainingCaseResult[], size: 'small' | 'full'): string {
  const m = machineInfo();
  const lines = [`Run of ${m.date} on ${m.cpu}, ${m.cores} cores, Node ${m.node} (\`npm run bench -- --size ${size} --only training\`); load average at the end of each case in the last column.`, ''];
  const ingest = results.filter((r) => r.id !== 'close');
  lines.push(
    markdownTable(
      ['case', 'engine', 'events', 'wall', 'events/s', 'median of 10 slices, events/s', 'Node CPU', 'PostgreSQL CPU', 'peak RSS', 'load'],
      ingest.map((r) => [r.id === 'ingest-http' ? 'HTTP endpoints (Gophish webhook + xAPI LRS)' : 'plain INSERTs of the same rows', r.engine, n(r.events), s(r.wallMs), n(r.rate), n(r.medianSliceRate), s(r.cpuMs), s(r.dbCpuMs), mib(r.peakRssBytes), r.loadAverage.map((x) => x.toFixed(1)).join(' ')]),
    ),
  );
  for (const engine of new Set(ingest.map((r) => r.engine))) {
    const h = ingest.find((r) => r.engine === engine && r.id === 'ingest-http');
    const p = ingest.find((r) => r.engine === engine && r.id === 'ingest-plain');
    if (h?.rate && p?.rate) lines.push('', `${engine}: HTTP / plain = **${(h.rate / p.rate).toFixed(2)}×** over the whole run, ${((h.medianSliceRate ?? 0) / (p.medianSliceRate ?? 1)).toFixed(2)}× on the median slices (goal ≥ 0.5×).`);
  }
  lines.push('');
  lines.push(
    markdownTable(
      ['close', 'engine', 'trainees', 'events', 'wall', 'Node CPU', 'PostgreSQL CPU', 'package', 'peak RSS', 'load'],
      results.filter((r) => r.id === 'close').map((r) => ['package + check + destroy + certificate', r.engine, n(r.trainees), n(r.events), s(r.wallMs), s(r.cpuMs), s(r.dbCpuMs), bytes(r.packageBytes ?? 0), mib(r.peakRssBytes), r.loadAverage.map((x) => x.toFixed(1)).join(' ')]),
    ),
  );
  return lines.join('\n');
}

/** Runs the training cases (each in a child process) and writes its section of BENCHMARKS.md. */
export async function runTrainingBench(script: string, size: 'small' | 'full'): Promise<TrainingCaseResult[]> {
  const engines: Engine[] = (await postgresUnavailable()) === null ? ['postgres'] : ['pglite'];
  const only = process.env.BENCH_TRAINING_CASES?.split(',');
  const results: TrainingCaseResult[] = [];
  for (const engine of engines) {
    for (const which of ['ingest-plain', 'ingest-http', 'close'] as const) {
      if (only && !only.includes(which)) continue;
      console.log(`[training] ${which} ${engine}`);
      for (const r of await runInChild<TrainingCaseResult>(script, ['--child', `training:${which}:${engine}`, '--size', size], `training ${which}`)) {
        console.log(`  ${r.id} ${r.events} events: ${s(r.wallMs)} wall, ${n(r.rate)} events/s, ${s(r.cpuMs)} CPU, ${s(r.dbCpuMs)} PostgreSQL CPU, peak RSS ${mib(r.peakRssBytes)}`);
        results.push(r);
      }
      writeJson(join(BENCH_DIR, 'results', `training-${size}.json`), results);
    }
  }
  if (!only) updateMarkdownSection(join(BENCH_DIR, '..', 'BENCHMARKS.md'), `training-${size}`, renderTraining(results, size));
  return results;
}
