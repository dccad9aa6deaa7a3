/**
 * The pg_trgm baseline shared by the dedupe and import benches (issue 6): what a user might do
 * in PostgreSQL instead of our engine. Every record's fields folded into one string (lower,
 * unaccent) in `t(id, txt)`, a GIN `gin_trgm_ops` index, and the self-join `a.txt % b.txt` at a
 * `pg_trgm.similarity_threshold`; the pairs found are clustered by connected components as ours
 * are. Each bench loads `t` its own way; the index, join and clustering are here.
 */
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { adminQuery } from './engines.js';
import { UnionFind, componentLabels } from '../src/prospecting/dedupe/cluster.js';

/** What the index + self-join measured. */
export interface TrigramJoin {
  /** Wall time of the index build (with ANALYZE), ms. */
  readonly indexMs: number;
  /** Wall time of the self-join, ms (when it timed out: the budget it used up). */
  readonly joinMs: number;
  /** CPU of the PostgreSQL backends (parallel workers included, sampled) over index + join, ms; NaN on a remote server. */
  readonly dbCpuMs: number;
  /** Pairs at or above the threshold; absent when the join ran out of time. */
  readonly pairs?: number;
  /** Cluster label per record (0 … n-1); absent when the join ran out of time. */
  readonly clusters?: Int32Array;
  /** Set when the join was cancelled by `timeoutMs`. */
  readonly timedOut?: true;
}

/** A scratch database: a client on it, and its URL (for a second connection). */
export interface Scratch {
  readonly client: pg.Client;
  readonly url: string;
}

/** User + system CPU of one process from /proc (ms); NaN when it is not on this machine or gone. */
export function processCpuMs(pid: number): number {
  try {
    // Fields 14 and 15 (utime, stime), counted after the command name, which may hold spaces.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) * 10;
  } catch {
    return Number.NaN;
  }
}

/**
 * Runs `body` on a client of a fresh scratch database (with pg_trgm and unaccent), dropped
 * afterwards. The name carries the pid, so two runs on one server do not meet.
 */
export async function withScratchDatabase<T>(url: string, label: string, body: (scratch: Scratch) => Promise<T>): Promise<T> {
  // Identifiers cannot be bound as parameters; this name is made of [a-z0-9_] only.
  const scratch = `rempart_bench_trgm_${label.replace(/[^a-z0-9]/g, '_')}_${process.pid}`;
  const admin = (text: string) => adminQuery(url, text);
  await admin(`drop database if exists ${scratch} with (force)`);
  await admin(`create database ${scratch}`);
  const dbUrl = new URL(url);
  dbUrl.pathname = `/${scratch}`;
  const client = new pg.Client({ connectionString: dbUrl.toString() });
  try {
    await client.connect();
    await client.query('create extension if not exists pg_trgm; create extension if not exists unaccent;');
    return await body({ client, url: dbUrl.toString() });
  } finally {
    await client.end().catch(() => undefined);
    await admin(`drop database if exists ${scratch} with (force)`);
  }
}

/** Inserts `texts[i]` folded (lower, unaccent) as row `i` of a new table `t(id, txt)`, 20,000 rows a statement. */
export async function loadFoldedTexts(client: pg.Client, texts: readonly string[]): Promise<void> {
  await client.query('create table t (id int primary key, txt text not null)');
  for (let from = 0; from < texts.length; from += 20_000) {
    const ids = Array.from({ length: Math.min(20_000, texts.length - from) }, (_, k) => from + k);
    await client.query('insert into t select i, lower(unaccent(x)) from unnest($1::int[], $2::text[]) as u(i, x)', [ids, ids.map((i) => texts[i])]);
  }
}

/**
 * CPU of every backend of the client's database but the sampler's own, parallel workers
 * included: they live only as long as a query, so they are read every 250 ms while it runs
 * (a worker's last 250 ms at most go uncounted).
 */
class BackendCpuSampler {
  readonly #first = new Map<number, number>();
  readonly #last = new Map<number, number>();
  #timer: NodeJS.Timeout | undefined;
  #busy = false;
  #remote = false;
  #stopped: number | undefined;
  readonly client: pg.Client;

  constructor(url: string) {
    this.client = new pg.Client({ connectionString: url });
  }

  async sample(): Promise<void> {
    if (this.#busy) return;
    this.#busy = true;
    try {
      const { rows } = await this.client.query<{ pid: number }>('select pid from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()');
      for (const { pid } of rows) {
        const ms = processCpuMs(pid);
        if (Number.isNaN(ms)) {
          if (!this.#first.has(pid)) this.#remote = true;
          continue;
        }
        if (!this.#first.has(pid)) this.#first.set(pid, this.#timer === undefined ? ms : 0);
        this.#last.set(pid, ms);
      }
    } finally {
      this.#busy = false;
    }
  }

  async start(): Promise<void> {
    await this.client.connect();
    await this.sample();
    this.#timer = setInterval(() => void this.sample().catch(() => undefined), 250);
  }

  /** Ends the sampling (and its connection); the CPU used since `start`, ms. */
  async stop(): Promise<number> {
    if (this.#stopped !== undefined) return this.#stopped;
    clearInterval(this.#timer);
    while (this.#busy) await new Promise((r) => setTimeout(r, 10));
    try {
      await this.sample();
    } finally {
      await this.client.end().catch(() => undefined);
    }
    let total = 0;
    for (const [pid, last] of this.#last) total += last - (this.#first.get(pid) ?? 0);
    this.#stopped = this.#remote ? Number.NaN : total;
    return this.#stopped;
  }
}

/**
 * Builds the trigram index on `t(txt)` of the client's database, runs the self-join at
 * `threshold` and clusters the `n` records (ids 0 … n-1) by connected components. With
 * `timeoutMs`, the join is cancelled past it (statement_timeout) and reported as timed out.
 */
export async function trigramSelfJoin({ client, url }: Scratch, n: number, threshold: number, options: { readonly timeoutMs?: number } = {}): Promise<TrigramJoin> {
  const sampler = new BackendCpuSampler(url);
  try {
    await sampler.start();
    const t0 = performance.now();
    await client.query('create index t_trgm on t using gin (txt gin_trgm_ops)');
    await client.query('analyze t');
    const indexMs = performance.now() - t0;
    await client.query(`set pg_trgm.similarity_threshold = ${threshold}`);
    if (options.timeoutMs !== undefined) await client.query(`set statement_timeout = ${Math.round(options.timeoutMs)}`);
    const t1 = performance.now();
    let rows: { a: number; b: number }[];
    try {
      rows = (await client.query<{ a: number; b: number }>('select a.id as a, b.id as b from t a join t b on a.txt % b.txt and a.id < b.id')).rows;
    } catch (e) {
      // 57014: query_canceled, here by statement_timeout.
      if ((e as { code?: string }).code !== '57014') throw e;
      const joinMs = performance.now() - t1;
      return { indexMs, joinMs, dbCpuMs: await sampler.stop(), timedOut: true };
    } finally {
      await client.query('reset statement_timeout');
    }
    const joinMs = performance.now() - t1;
    const dbCpuMs = await sampler.stop();
    const uf = new UnionFind(n);
    for (const r of rows) uf.union(r.a, r.b);
    return { indexMs, joinMs, dbCpuMs, pairs: rows.length, clusters: componentLabels(uf, n).labels };
  } finally {
    await sampler.stop().catch(() => undefined);
  }
}

/**
 * Wall time and backend CPU of the self-join for about `probes` of the `n` records only (every
 * n/probes-th, spread over the file), each against the whole index: each probe costs what it
 * costs in the full join, whose time is about n/probes times this. The estimate for files
 * whose full join does not finish in the budget.
 */
export async function trigramProbeSample({ client, url }: Scratch, n: number, probes: number, threshold: number): Promise<{ readonly probes: number; readonly wallMs: number; readonly dbCpuMs: number }> {
  const step = Math.max(1, Math.floor(n / probes));
  const sampler = new BackendCpuSampler(url);
  try {
    await client.query(`set pg_trgm.similarity_threshold = ${threshold}`);
    // The full join's plan is serial (a nested loop over a bitmap scan of the index); a sample this
    // small would get a parallel worker, whose wall time would not scale to it.
    await client.query('set max_parallel_workers_per_gather = 0');
    await sampler.start();
    const t0 = performance.now();
    // The full join's own condition (a.id < b.id): a probe costs here what it costs there, whatever the plan.
    await client.query('select count(*) from (select * from t where id % $1 = 0) a join t b on a.txt % b.txt and a.id < b.id', [step]);
    const wallMs = performance.now() - t0;
    return { probes: Math.ceil(n / step), wallMs, dbCpuMs: await sampler.stop() };
  } finally {
    await client.query('reset max_parallel_workers_per_gather');
    await sampler.stop().catch(() => undefined);
  }
}
