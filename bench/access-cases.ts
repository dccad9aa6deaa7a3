import { randomBytes, randomUUID } from 'node:crypto';
import {
  type Kysely,
  type KyselyPlugin,
  type PluginTransformQueryArgs,
  type PluginTransformResultArgs,
  type QueryResult,
  type RootOperationNode,
  sql,
  type Transaction,
  type UnknownRow,
} from 'kysely';
import { AuditWriter, appendInTransaction, chainPending, verifyChain, type AuditEvent } from '../src/access/audit/index.js';
import { lookupToken } from '../src/access/auth/tokens.js';
import { recordConnection } from '../src/access/connection-logs/index.js';
import { getRecord } from '../src/crm/commands.js';
import { resource } from '../src/crm/resources.js';
import type { Engine, Store } from '../src/db/database.js';
import type { Database } from '../src/db/schema.js';
import type { LoadedPolicy } from '../src/policy/index.js';
import { benchBearer, benchPolicy, gatedApp, minimalApp, type BenchApp, type Layers } from './apps.js';
import type { SeededStore, SizeConfig } from './cases.js';
import { openFreshStore } from './engines.js';
import { HeapSampler, measureEach, peakRssBytes, summarise, type CaseResult, type Timings } from './harness.js';
import { loadInChild, type LoadTarget } from './load.js';

/** Concurrent HTTP clients of the socket load (issue 3). */
export const LOAD_CONCURRENCY = 32;
/** Concurrent audit writers on PostgreSQL (issue 3); PGlite has one connection, so one writer. */
export const AUDIT_WRITERS_PG = 8;

const PEOPLE_PATH = '/api/v1/people/';

/** The steps put back one at a time in the profile, in order (see minimalApp). */
const LADDER: readonly { readonly id: string; readonly label: string; readonly layers: Layers }[] = [
  { id: 'auth', label: '+ authentication (token lookup, connection-log row)', layers: { auth: true } },
  { id: 'gate', label: '+ gate checks and presenter, audit dropped', layers: { auth: true, gate: 'none' } },
  { id: 'queue', label: '+ durable audit insert (AuditWriter, no chaining)', layers: { auth: true, gate: 'queue' } },
  { id: 'chain', label: '+ chaining after each flush (AuditWriter as buildApp makes it)', layers: { auth: true, gate: 'chain' } },
  // An experiment, not a step: the same, with chaining left to the 200 ms timer only.
  { id: 'background', label: 'experiment: + durable audit insert, chained by the 200 ms timer only (not after each flush)', layers: { auth: true, gate: 'background' } },
];

/**
 * Samples each named operation in turn, in blocks ordered A B … then … B A (and so on),
 * so that a slow drift of the machine or of the database falls on every operation alike.
 * Each operation gets `iterations` timed samples after `warmup` untimed calls.
 */
export async function interleaved(
  ops: Readonly<Record<string, (i: number) => Promise<void>>>,
  options: { readonly iterations: number; readonly warmup: number; readonly blocks?: number },
): Promise<Record<string, { timings: Timings; peakHeapBytes: number; extra: { nodeCpuMsPerOp: number } }>> {
  const names = Object.keys(ops);
  const blocks = options.blocks ?? 2;
  const per = Math.ceil(options.iterations / blocks);
  const samples = new Map<string, number[]>(names.map((n) => [n, []]));
  const heaps = new Map<string, number>(names.map((n) => [n, 0]));
  // CPU time of this process (server and in-process client alike): less swayed than wall time by other work on the machine.
  const cpuMicros = new Map<string, number>(names.map((n) => [n, 0]));
  for (const name of names) await measureEach(ops[name] as (i: number) => Promise<void>, { iterations: options.warmup });
  for (let b = 0; b < blocks; b++) {
    const order = b % 2 === 0 ? names : [...names].reverse();
    for (const name of order) {
      const n = Math.min(per, options.iterations - b * per);
      if (n <= 0) continue;
      // Every operation reads the same ids in the same order (offset by block).
      const cpu0 = process.cpuUsage();
      const m = await measureEach((i) => (ops[name] as (i: number) => Promise<void>)(b * per + i), { iterations: n });
      const cpu = process.cpuUsage(cpu0);
      cpuMicros.set(name, (cpuMicros.get(name) ?? 0) + cpu.user + cpu.system);
      samples.get(name)?.push(...m.timings.samplesMs);
      heaps.set(name, Math.max(heaps.get(name) ?? 0, m.peakHeapBytes));
    }
  }
  return Object.fromEntries(
    names.map((n) => {
      const timings = summarise(samples.get(n) ?? []);
      const nodeCpuMsPerOp = (cpuMicros.get(n) ?? 0) / 1000 / Math.max(1, timings.iterations);
      return [n, { timings, peakHeapBytes: heaps.get(n) ?? 0, extra: { nodeCpuMsPerOp } }];
    }),
  );
}

/** A read of one person through `app.inject`, failing on anything but 200. */
function injectRead(a: BenchApp, idAt: (i: number) => string): (i: number) => Promise<void> {
  return async (i) => {
    const r = await a.app.inject({ method: 'GET', url: `${PEOPLE_PATH}${idAt(i)}`, headers: a.headers });
    if (r.statusCode !== 200) throw new Error(`GET ${PEOPLE_PATH}:id answered ${r.statusCode}: ${r.body.slice(0, 160)}`);
  };
}

/** Counts the statements Kysely sends, by kind (BEGIN and COMMIT of a transaction are not among them). */
class StatementCounter implements KyselyPlugin {
  readonly counts = new Map<string, number>();

  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    const kind = args.node.kind.replace(/QueryNode$|Node$/, '').toLowerCase();
    this.counts.set(kind, (this.counts.get(kind) ?? 0) + 1);
    return args.node;
  }

  transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return Promise.resolve(args.result);
  }
}

/** Statements per read, by kind, of the ungated and the gated app (sequential reads, background work included). */
async function statementsPerRead(
  store: Store,
  policy: LoadedPolicy,
  idAt: (i: number) => string,
): Promise<Record<'ungated' | 'gated', Record<string, number>>> {
  const reads = 200;
  const out: Partial<Record<'ungated' | 'gated', Record<string, number>>> = {};
  for (const side of ['ungated', 'gated'] as const) {
    const counter = new StatementCounter();
    const counted: Store = { ...store, db: store.db.withPlugin(counter) };
    const a = side === 'gated' ? await gatedApp(counted, policy) : await minimalApp(counted, policy);
    try {
      const read = injectRead(a, idAt);
      for (let i = 0; i < 20; i++) await read(i);
      // Let the warm-up's chaining finish, then count.
      await new Promise((r) => setTimeout(r, 50));
      counter.counts.clear();
      for (let i = 0; i < reads; i++) await read(i);
      await new Promise((r) => setTimeout(r, 50));
      out[side] = Object.fromEntries([...counter.counts].map(([k, n]) => [k, Math.round((n / reads) * 100) / 100]));
    } finally {
      await a.close();
    }
  }
  return { ungated: out.ungated ?? {}, gated: out.gated ?? {} };
}

/** Listens on an ephemeral port of 127.0.0.1 and names the target for the load child. */
async function listen(name: string, a: BenchApp): Promise<LoadTarget> {
  const address = await a.app.listen({ port: 0, host: '127.0.0.1' });
  return { name, url: `${address}${PEOPLE_PATH}`, headers: a.headers };
}

/** Runs the socket load against `targets`, sampling this (the server's) process heap meanwhile. */
async function socketLoad(
  targets: readonly LoadTarget[],
  ids: readonly string[],
  size: SizeConfig,
  rounds: number = size.loadRounds,
): Promise<{ timings: Record<string, Timings>; peakHeapBytes: number }> {
  const heap = new HeapSampler();
  heap.start();
  const timings = await loadInChild({
    targets,
    ids,
    concurrency: LOAD_CONCURRENCY,
    requests: size.loadRequests,
    warmup: size.loadWarmup,
    rounds,
  });
  return { timings, peakHeapBytes: heap.stop() };
}

/**
 * Issue 3, goal 1: `GET /api/v1/people/:id` through buildApp (authentication by bearer
 * token, gate, durable audit) beside the same read by a minimal app with neither gate
 * nor audit (bench/apps.ts), on the same store and ids: latency by `app.inject`, then
 * throughput of 32 concurrent clients over a real socket. Then the profile: the steps
 * of the gated path put back one at a time, and the database calls each step makes,
 * timed alone.
 */
export async function gateCase(engine: Engine, size: SizeConfig, seeded: SeededStore): Promise<CaseResult[]> {
  const { store, ids } = seeded;
  const results: CaseResult[] = [];
  const push = (
    id: string,
    label: string,
    m: { timings: Timings; peakHeapBytes: number; extra?: CaseResult['extra'] },
    more: Partial<CaseResult> = {},
  ): void => {
    results.push({ id, label, engine, ...m, peakRssBytes: peakRssBytes(), ...more });
  };
  const idAt = (i: number): string => ids[(i * 7919) % ids.length] ?? '';
  const policy = await benchPolicy();
  const reads = { iterations: size.gateReads, warmup: size.gateWarmup };
  const loadIds = Array.from({ length: size.loadWarmup + size.loadRounds * size.loadRequests }, (_, i) => idAt(i));

  // The pair: ungated and gated, interleaved.
  const ungated = await minimalApp(store, policy);
  const gated = await gatedApp(store, policy);
  try {
    for (const a of [ungated, gated]) {
      const probe = await a.app.inject({ method: 'GET', url: `${PEOPLE_PATH}${idAt(0)}`, headers: a.headers });
      if (probe.statusCode !== 200) throw new Error(`the probe read answered ${probe.statusCode}: ${probe.body.slice(0, 160)}`);
    }
    console.log(`gate ${engine}: ${reads.iterations} reads each by app.inject`);
    const m = await interleaved({ ungated: injectRead(ungated, idAt), gated: injectRead(gated, idAt) }, reads);
    const statements = await statementsPerRead(store, policy, idAt);
    console.log(`gate ${engine}: statements per read ${JSON.stringify(statements)}`);
    push('read-ungated', 'read one person, no gate nor audit (minimal app, app.inject)', {
      ...m.ungated!,
      extra: { ...m.ungated!.extra, statementsPerRead: statements.ungated },
    });
    push('read-gated', 'read one person, token + gate + audit (buildApp, app.inject)', {
      ...m.gated!,
      extra: { ...m.gated!.extra, statementsPerRead: statements.gated },
    });

    console.log(`gate ${engine}: ${LOAD_CONCURRENCY} clients over a socket, ${size.loadRounds} × ${size.loadRequests} requests each`);
    const targets = [await listen('ungated', ungated), await listen('gated', gated)];
    const load = await socketLoad(targets, loadIds, size);
    const unit = 'req';
    const label = (what: string): string => `${what}, ${LOAD_CONCURRENCY} clients over a socket`;
    push('load-ungated', label('read one person, no gate nor audit'), { timings: load.timings.ungated!, peakHeapBytes: load.peakHeapBytes }, { rows: size.loadRequests, unit });
    push('load-gated', label('read one person, token + gate + audit'), { timings: load.timings.gated!, peakHeapBytes: load.peakHeapBytes }, { rows: size.loadRequests, unit });
  } finally {
    await gated.close();
    await ungated.close();
  }

  // The profile: the minimal app with the steps of the gated path put back one by one.
  const ladder: Record<string, BenchApp> = { none: await minimalApp(store, policy) };
  try {
    for (const step of LADDER) ladder[step.id] = await minimalApp(store, policy, step.layers);
    console.log(`gate ${engine}: profile, ${size.ladderReads} reads per step by app.inject`);
    const ops = Object.fromEntries(Object.entries(ladder).map(([k, a]) => [k, injectRead(a, idAt)]));
    const m = await interleaved(ops, { iterations: size.ladderReads, warmup: Math.ceil(size.ladderReads / 3) });
    for (const step of LADDER) push(`step-${step.id}`, `profile ${step.label} (app.inject)`, m[step.id]!);
    if (size.ladderSocket) {
      console.log(`gate ${engine}: profile over a socket`);
      const targets = [];
      for (const [k, a] of Object.entries(ladder)) targets.push(await listen(k, a));
      const load = await socketLoad(targets, loadIds, size, Math.min(3, size.loadRounds));
      for (const step of LADDER) {
        push(`load-step-${step.id}`, `profile ${step.label}, ${LOAD_CONCURRENCY} clients over a socket`, {
          timings: load.timings[step.id]!,
          peakHeapBytes: load.peakHeapBytes,
        }, { rows: size.loadRequests, unit: 'req' });
      }
    }
  } finally {
    for (const a of Object.values(ladder)) await a.close();
  }

  // The database calls of each step, alone, one at a time.
  console.log(`gate ${engine}: profile, database calls alone`);
  results.push(...(await callsAlone(engine, store, ids, size)));

  // Everything the gated reads audited must still verify.
  await chainPending(store.db);
  const verified = await verifyChain(store.db);
  if (!verified.ok) throw new Error(`the audit chain does not verify after the gate case: ${verified.message}`);
  console.log(`gate ${engine}: audit chain verifies, ${verified.entries} entries`);
  return results;
}

/** A read event as the gate writes it for one person (field names only). */
function readEvent(personId: string): AuditEvent {
  return {
    at: new Date(),
    actor: `token:${randomUUID()}`,
    role: 'dpo',
    purpose: 'crm',
    action: 'read',
    resource: 'people',
    recordIds: [personId],
    personIds: [personId],
    fields: ['last_name', 'first_name', 'email', 'phones', 'postal_addresses', 'job_title', 'organisation_id', 'source', 'collected_at', 'last_contact_at'],
    reason: null,
  };
}

/** What one gated read asks of the database, each call timed alone (sequential medians). */
async function callsAlone(engine: Engine, store: Store, ids: readonly string[], size: SizeConfig): Promise<CaseResult[]> {
  const db = store.db;
  const policy = await benchPolicy();
  const token = (await benchBearer(store, policy)).slice('Bearer '.length);
  const key = randomBytes(32);
  const spec = resource('people');
  const idAt = (i: number): string => ids[(i * 7919) % ids.length] ?? '';
  const writer = new AuditWriter(db, { chain: false });
  const calls: Record<string, { label: string; op: (i: number) => Promise<void> }> = {
    'call-select1': { label: 'call: select 1 (a round trip)', op: async () => void (await sql`select 1`.execute(db)) },
    'call-getRecord': { label: 'call: getRecord (the read itself)', op: async (i) => void (await getRecord({ db, policy, now: () => new Date() }, spec, idAt(i))) },
    'call-lookupToken': { label: 'call: lookupToken (select by token hash)', op: async () => void (await lookupToken(db, token, new Date())) },
    'call-recordConnection': {
      label: 'call: recordConnection (insert, own commit)',
      op: async () =>
        recordConnection(
          db,
          { at: new Date(), service: 'api', event: 'token', accountId: ids[0] ?? null, sourceIp: '127.0.0.1', sourcePort: 40000, userAgent: 'bench', outcome: 'success', reason: null },
          key,
        ),
    },
    'call-auditAppend': { label: 'call: AuditWriter.append, one event, no chaining', op: (i) => writer.append([readEvent(idAt(i))]) },
    'call-chainOne': {
      label: 'call: chainPending with one event queued',
      op: async (i) => {
        await appendInTransaction(db, [readEvent(idAt(i))]);
        const t0 = performance.now();
        await chainPending(db);
        // Only the chaining is timed: the append above is subtracted.
        chainOnly.push(performance.now() - t0);
      },
    },
  };
  const chainOnly: number[] = [];
  await chainPending(db);
  const out: CaseResult[] = [];
  try {
    for (const [id, c] of Object.entries(calls)) {
      chainOnly.length = 0;
      const m = await measureEach(c.op, { iterations: size.callIterations, warmup: Math.ceil(size.callIterations / 5) });
      const timings = id === 'call-chainOne' ? summarise(chainOnly.slice(-size.callIterations)) : m.timings;
      out.push({ id, label: c.label, engine, timings, peakHeapBytes: m.peakHeapBytes, peakRssBytes: peakRssBytes(), unit: 'calls', rows: 1 });
    }
  } finally {
    await writer.close();
  }
  return out;
}

/** The plain table of the audit comparison: an audit entry's columns and index, without the chain links. */
async function createPlainTable(db: Kysely<Database>): Promise<void> {
  await sql`create table bench_audit_plain (
      seq bigserial primary key, at timestamptz not null, actor text not null, role text, purpose text,
      action text not null check (action in ('read','create','update','delete','export','denied')),
      resource text not null, record_ids text[] not null, person_ids text[] not null, fields text[] not null, reason text)`.execute(db);
  await sql`create index bench_audit_plain_person_ids_idx on bench_audit_plain using gin (person_ids)`.execute(db);
}

async function insertPlain(db: Kysely<Database> | Transaction<Database>, e: AuditEvent): Promise<void> {
  await sql`insert into bench_audit_plain (at, actor, role, purpose, action, resource, record_ids, person_ids, fields, reason)
    values (${e.at}, ${e.actor}, ${e.role}, ${e.purpose}, ${e.action}, ${e.resource},
            ${[...e.recordIds]}::text[], ${[...e.personIds]}::text[], ${[...e.fields]}::text[], ${e.reason ?? null})`.execute(db);
}

/** `writers` loops appending `total` events between them, one `append` call per event. */
async function writeAll(writers: number, total: number, append: (e: AuditEvent) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: writers }, async () => {
      for (let i = next++; i < total; i = next++) await append(readEvent(randomUUID()));
    }),
  );
}

/**
 * Issue 3, goal 2: audit events appended per second, each durable before the next, by
 * 8 concurrent writers on PostgreSQL (1 on PGlite), until every one is in the hash chain:
 * - `chain-tx`: the write path: appendInTransaction in a transaction of its own per
 *   event, while a chainer loop calls chainPending (what startChainer does, without
 *   its 200 ms pause: it waits 5 ms only when nothing was queued);
 * - `chain-writer`: the read path: AuditWriter.append per event (group commit, then
 *   chainPending after each flush, as buildApp makes it);
 * beside `plain`: the same events inserted into a plain table with an audit entry's
 * columns and index, one autocommitted insert each. The chain must verify at the end.
 */
export async function auditCase(engine: Engine, size: SizeConfig): Promise<CaseResult[]> {
  const store = await openFreshStore(engine, 'audit');
  const db = store.db;
  const writers = engine === 'postgres' ? AUDIT_WRITERS_PG : 1;
  const total = engine === 'postgres' ? size.auditEventsPg : size.auditEventsPglite;
  /** Runs `work` with a chainer loop beside it, until `work` is done and the queue is chained. */
  const withChainer = async (work: () => Promise<void>): Promise<void> => {
    let writing = true;
    const chainer = (async () => {
      for (;;) {
        const n = await chainPending(db);
        if (n === 0 && !writing) return;
        if (n === 0) await new Promise((r) => setTimeout(r, 5));
      }
    })();
    try {
      await work();
    } finally {
      writing = false;
      await chainer;
    }
  };
  try {
    await createPlainTable(db);
    const variants: Record<string, { label: string; run: () => Promise<void>; after?: () => Promise<void> }> = {
      'audit-plain': { label: 'plain insert into a table of the same columns', run: () => writeAll(writers, total, (e) => insertPlain(db, e)) },
      'audit-chain-tx': {
        label: 'appendInTransaction, a transaction per event, chainer loop beside',
        run: () => withChainer(() => writeAll(writers, total, (e) => db.transaction().execute((tx) => appendInTransaction(tx, [e])))),
      },
      // The profile: the same appends with one thing taken away at a time.
      'audit-plain-tx': {
        label: 'profile: plain insert, in a transaction of its own per event',
        run: () => writeAll(writers, total, (e) => db.transaction().execute((tx) => insertPlain(tx, e))),
      },
      'audit-queue-tx': {
        label: 'profile: appendInTransaction, a transaction per event, not chained (chained afterwards, untimed)',
        run: () => writeAll(writers, total, (e) => db.transaction().execute((tx) => appendInTransaction(tx, [e]))),
        after: async () => void (await chainPending(db)),
      },
      'audit-queue-writer': {
        label: 'profile: AuditWriter.append per event, not chained (chained afterwards, untimed)',
        run: async () => {
          const w = new AuditWriter(db, { chain: false });
          try {
            await writeAll(writers, total, (e) => w.append([e]));
          } finally {
            await w.close();
          }
        },
        after: async () => void (await chainPending(db)),
      },
      'audit-writer-bg': {
        label: 'experiment: AuditWriter.append per event, not chaining in its flush loop, chainer loop beside',
        run: async () => {
          const w = new AuditWriter(db, { chain: false });
          await withChainer(async () => {
            try {
              await writeAll(writers, total, (e) => w.append([e]));
            } finally {
              await w.close();
            }
          });
        },
      },
      'audit-chain-writer': {
        label: 'AuditWriter.append per event (group commit, chained after each flush)',
        run: async () => {
          const w = new AuditWriter(db);
          try {
            await writeAll(writers, total, (e) => w.append([e]));
          } finally {
            await w.close();
          }
        },
      },
    };
    const names = Object.keys(variants);
    const samples = new Map<string, number[]>(names.map((n) => [n, []]));
    const heap = new HeapSampler();
    for (let r = -1; r < size.auditRounds; r++) {
      // Round -1 warms up; rounds then alternate the order of the variants.
      const order = r % 2 === 0 ? names : [...names].reverse();
      for (const name of order) {
        if (r === 0 && name === order[0]) heap.start();
        const t0 = performance.now();
        const variant = variants[name] as { run: () => Promise<void>; after?: () => Promise<void> };
        await variant.run();
        const ms = performance.now() - t0;
        await variant.after?.();
        if (r >= 0) samples.get(name)?.push(ms);
        console.log(`audit ${engine} ${name} ${r < 0 ? 'warm-up' : `round ${r + 1}`}: ${Math.round(total / (ms / 1000))} events/s`);
      }
    }
    const peakHeapBytes = heap.stop();
    const queued = await db.selectFrom('auditQueue').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    if (Number(queued.n) !== 0) throw new Error(`${queued.n} audit events were left unchained`);
    const verified = await verifyChain(db);
    if (!verified.ok) throw new Error(`the audit chain does not verify: ${verified.message}`);
    const expected = (size.auditRounds + 1) * total * names.filter((n) => !n.includes('plain')).length;
    if (verified.entries !== expected) throw new Error(`the audit chain holds ${verified.entries} entries, ${expected} expected`);
    console.log(`audit ${engine}: chain verifies, ${verified.entries} entries`);
    const who = `${writers} writer${writers === 1 ? '' : 's'}`;
    return names.map((name) => ({
      id: name,
      label: `audit: ${(variants[name] as { label: string }).label}, ${who}`,
      engine,
      timings: summarise(samples.get(name) ?? []),
      peakRssBytes: peakRssBytes(),
      peakHeapBytes,
      rows: total,
      unit: 'entries',
      extra: { writers, verifiedEntries: verified.entries },
    }));
  } finally {
    await store.close();
  }
}
