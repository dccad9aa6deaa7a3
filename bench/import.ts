/**
 * Import bench (issue 6): `importProspects` on generated French B2B CSV files with known
 * truth (bench/dedupe-data.ts): read + normalise + exact match + write + the record-linkage
 * pass, per phase, peak RSS, and pairwise F1 of the resulting base against the truth.
 * Beside it, the baseline a user might pick instead (bench/baseline-trgm.ts): the same file
 * loaded raw into PostgreSQL and deduplicated by a pg_trgm similarity self-join (`trgm-ROWS`
 * at threshold 0.5, `trgm7-ROWS` at 0.7), scored with the same truth and the same function.
 * Each case runs in a child process of its own (the file is written by another child, so
 * the importing process's peak RSS is the import's own, not the generator's).
 *   npm run bench -- --size small --only import     (2k rows, PGlite and PostgreSQL, pg_trgm)
 *   npm run bench -- --size full --only import      (100k PGlite; 100k and 1M PostgreSQL; 10k PostgreSQL
 *                                                    and pg_trgm; pg_trgm 100k within its budget)
 *   BENCH_IMPORT_CASES=postgres-5000000 …           (any list of ENGINE-ROWS or trgm[7]-ROWS cases)
 *   BENCH_TRGM_BUDGET_S=900, BENCH_TRGM_PROBES=200  (the pg_trgm join's time budget; past it, the
 *                                                    probes whose join time is extrapolated)
 */
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse';
import { sql, type Kysely } from 'kysely';
import { cliActor } from '../src/access/actor.js';
import type { Database } from '../src/db/schema.js';
import type { Engine } from '../src/db/database.js';
import { pairwiseQuality } from '../src/prospecting/dedupe/index.js';
import { emptyImportTimings, importProspects, type ImportTimings } from '../src/prospecting/import/engine.js';
import { processCpuMs, trigramProbeSample, trigramSelfJoin, withScratchDatabase, type Scratch } from './baseline-trgm.js';
import { generateFrenchB2B } from './dedupe-data.js';
import { benchDatabaseUrl, openFreshStore, postgresUnavailable } from './engines.js';
import { BENCH_DIR, machineInfo, markdownTable, peakRssBytes, reportToParent, runInChild, updateMarkdownSection, writeJson } from './harness.js';

/** What one import case measured. */
export interface ImportCaseResult {
  readonly id: string;
  readonly engine: Engine;
  readonly rows: number;
  readonly wallMs: number;
  readonly cpuMs: number;
  /** CPU of the PostgreSQL backends serving the import (from /proc; the machine is shared, so CPU says more than wall). */
  readonly dbCpuMs?: number;
  readonly peakRssBytes: number;
  readonly phases?: ImportTimings;
  readonly imported?: number;
  readonly created?: number;
  readonly merged?: number;
  readonly fuzzyMerged?: number;
  readonly rejected?: number;
  readonly queuedForReview?: number;
  readonly precision?: number;
  readonly recall?: number;
  readonly f1?: number;
  readonly loadAverage?: readonly number[];
  readonly skipped?: string;
  /** Set on the pg_trgm baseline: its figures (its wallMs is index + join, dbCpuMs over the same span). */
  readonly trigram?: TrigramFigures;
}

/** What the pg_trgm baseline measured besides wall, CPU and quality. */
export interface TrigramFigures {
  readonly threshold: number;
  /** CSV read and batched INSERT of the raw rows, ms. */
  readonly loadMs: number;
  /** The raw rows folded into one string each (`lower(unaccent(concat_ws(…)))`), ms. */
  readonly foldMs: number;
  readonly indexMs: number;
  readonly joinMs: number;
  /** Pairs at or above the threshold (absent when the join ran out of budget). */
  readonly pairs?: number;
  /** The budget the join ran out of, ms. */
  readonly timedOutAfterMs?: number;
  /** When it ran out: the join of every (rows/probes)-th row against the whole index, and rows/probes times it. */
  readonly probeSample?: { readonly probes: number; readonly wallMs: number; readonly dbCpuMs: number; readonly estimatedJoinMs: number; readonly estimatedJoinCpuMs: number };
}

// One folder per bench run (children inherit it): a run that ends removes its own files, never those
// another run is still reading.
process.env.BENCH_IMPORT_DIR ??= join(tmpdir(), `rempart-bench-import-${process.pid}`);
const DATA_DIR = process.env.BENCH_IMPORT_DIR;
const HEADER = ['Prénom', 'Nom', 'E-mail', 'Téléphone', 'Société', 'SIRET', 'Adresse', 'Code postal', 'Ville'];
const COLUMNS = ['given_name', 'surname', 'email', 'phone', 'company', 'siret', 'address', 'postcode', 'city'] as const;

const fileOf = (rows: number) => join(DATA_DIR, `french-${rows}.csv`);
const truthOf = (rows: number) => join(DATA_DIR, `french-${rows}.truth`);

function quote(v: string | null): string {
  if (v === null) return '';
  return /[",;\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/** Writes the generated file and its truth (one Int32 per data row), unless they are there already. */
async function generate(rows: number): Promise<void> {
  if (existsSync(fileOf(rows)) && existsSync(truthOf(rows))) return;
  mkdirSync(DATA_DIR, { recursive: true });
  const data = generateFrenchB2B(rows, 42);
  const out = createWriteStream(`${fileOf(rows)}.tmp`);
  const write = (s: string) => (out.write(s) ? Promise.resolve() : new Promise<void>((r) => out.once('drain', () => r())));
  await write(`${HEADER.join(',')}\n`);
  let chunk = '';
  for (let i = 0; i < rows; i++) {
    chunk += `${COLUMNS.map((c) => quote(data.columns[c][i] ?? null)).join(',')}\n`;
    if (chunk.length > 1 << 20) {
      await write(chunk);
      chunk = '';
    }
  }
  await write(chunk);
  await new Promise<void>((resolve, reject) => out.end((e?: Error | null) => (e ? reject(e) : resolve())));
  writeFileSync(truthOf(rows), Buffer.from(data.truth.buffer, data.truth.byteOffset, data.truth.byteLength));
  renameSync(`${fileOf(rows)}.tmp`, fileOf(rows));
}

/** User + system CPU of the PostgreSQL backends connected to this store's database, from /proc (ms; NaN on a remote server). */
async function backendCpuMs(db: Kysely<Database>): Promise<number> {
  const pids = (await sql<{ pid: number }>`select pid from pg_stat_activity where datname = current_database()`.execute(db)).rows.map((r) => r.pid);
  return pids.reduce((sum, pid) => sum + processCpuMs(pid), 0);
}

/** The generated file's rows, raw (blank → null, as COPY … CSV reads them), in `raw(id, <COLUMNS>)`, 20,000 a statement. */
async function loadRaw(client: Scratch['client'], rows: number): Promise<void> {
  await client.query(`create table raw (id int primary key, ${COLUMNS.map((c) => `${c} text`).join(', ')})`);
  const insert = `insert into raw select * from unnest($1::int[], ${COLUMNS.map((_, i) => `$${i + 2}::text[]`).join(', ')})`;
  let batch: (string | null)[][] = COLUMNS.map(() => []);
  let ids: number[] = [];
  let id = 0;
  const flush = async () => {
    if (ids.length > 0) await client.query(insert, [ids, ...batch]);
    batch = COLUMNS.map(() => []);
    ids = [];
  };
  let header = true;
  for await (const record of createReadStream(fileOf(rows)).pipe(parse({ bom: true, relax_column_count: true })) as AsyncIterable<string[]>) {
    if (header) {
      header = false;
      continue;
    }
    ids.push(id++);
    COLUMNS.forEach((_, i) => batch[i]!.push(record[i] ? record[i]! : null));
    if (ids.length === 20_000) await flush();
  }
  await flush();
  if (id !== rows) throw new Error(`${fileOf(rows)}: ${id} rows read, ${rows} expected`);
}

/**
 * The pg_trgm baseline on the file the import cases read: raw rows loaded (timed apart), folded
 * into `t(id, txt)`, then index + self-join + clusters (bench/baseline-trgm.ts, the dedupe
 * bench's code), scored against the same truth with the same function as the import.
 */
async function trigramCase(id: string, threshold: number, rows: number): Promise<ImportCaseResult> {
  const url = benchDatabaseUrl();
  const why = await postgresUnavailable(url);
  if (why !== null) return { id, engine: 'postgres', rows, wallMs: Number.NaN, cpuMs: Number.NaN, peakRssBytes: 0, skipped: why };
  const budgetMs = Number(process.env.BENCH_TRGM_BUDGET_S ?? 900) * 1000;
  const probes = Number(process.env.BENCH_TRGM_PROBES ?? 200);
  return withScratchDatabase(url, `import_${rows}`, async (scratch) => {
    const t0 = performance.now();
    await loadRaw(scratch.client, rows);
    const loadMs = performance.now() - t0;
    const t1 = performance.now();
    await scratch.client.query('create table t (id int primary key, txt text not null)');
    await scratch.client.query(`insert into t select id, lower(unaccent(concat_ws(' ', ${COLUMNS.join(', ')}))) from raw`);
    const foldMs = performance.now() - t1;
    const cpu0 = process.cpuUsage();
    const join = await trigramSelfJoin(scratch, rows, threshold, { timeoutMs: budgetMs });
    const cpu = process.cpuUsage(cpu0);
    const base = {
      id, engine: 'postgres' as const, rows, wallMs: join.indexMs + join.joinMs, cpuMs: (cpu.user + cpu.system) / 1000, dbCpuMs: join.dbCpuMs, peakRssBytes: peakRssBytes(),
    };
    const figures = { threshold, loadMs, foldMs, indexMs: join.indexMs, joinMs: join.joinMs };
    if (join.clusters === undefined) {
      const sample = await trigramProbeSample(scratch, rows, probes, threshold);
      const scale = rows / sample.probes;
      const probeSample = { ...sample, estimatedJoinMs: sample.wallMs * scale, estimatedJoinCpuMs: sample.dbCpuMs * scale };
      return { ...base, loadAverage: machineInfo().loadAverage ?? [], trigram: { ...figures, timedOutAfterMs: join.joinMs, probeSample } };
    }
    const truth = new Int32Array(readFileSync(truthOf(rows)).buffer.slice(0));
    const q = pairwiseQuality(join.clusters, truth);
    return {
      ...base, precision: q.precision, recall: q.recall, f1: q.f1, loadAverage: machineInfo().loadAverage ?? [],
      trigram: { ...figures, ...(join.pairs !== undefined ? { pairs: join.pairs } : {}) },
    };
  });
}

async function importCase(id: string): Promise<ImportCaseResult> {
  const t = /^trgm(\d)?-(\d+)$/.exec(id);
  if (t) return trigramCase(id, Number(t[1] ?? 5) / 10, Number(t[2]));
  const m = /^(pglite|postgres)-(\d+)$/.exec(id);
  if (!m) throw new Error(`unknown import case "${id}"`);
  const engine = m[1] as Engine;
  const rows = Number(m[2]);
  if (engine === 'postgres') {
    const why = await postgresUnavailable();
    if (why !== null) return { id, engine, rows, wallMs: Number.NaN, cpuMs: Number.NaN, peakRssBytes: 0, skipped: why };
  }
  const store = await openFreshStore(engine, `import${rows}`);
  try {
    // Row → the person it ended in (Int32 labels over a string table: the bench's bookkeeping, not the import's).
    const personOf = new Int32Array(rows).fill(-1);
    const ids = new Map<string, number>();
    const idList: string[] = [];
    const label = (personId: string) => {
      let k = ids.get(personId);
      if (k === undefined) {
        k = idList.length;
        ids.set(personId, k);
        idList.push(personId);
      }
      return k;
    };
    let mergedInto: ReadonlyMap<string, string> = new Map();
    const phases = emptyImportTimings();
    const dbCpu0 = engine === 'postgres' ? await backendCpuMs(store.db) : 0;
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const report = await importProspects(store.db, fileOf(rows), {
      source: 'Bench salon 2026',
      actor: cliActor(),
      key: randomBytes(32),
      now: new Date('2026-11-26T12:00:00Z'),
      timings: phases,
      onPlaced: (row, personId) => {
        personOf[row - 1] = label(personId);
      },
      onFuzzyMerged: (m) => {
        mergedInto = m;
      },
      // A line per tenth of the file: a long run that fails or is stopped still tells its pace.
      onProgress: (p) => {
        if (p.phase !== 'import' || p.rowsTotal === null || p.rowsTotal < 100_000) return;
        const step = Math.ceil(p.rowsTotal / 10);
        if (p.rowsDone > 0 && Math.floor(p.rowsDone / step) !== Math.floor((p.rowsDone - (process.env.BENCH_IMPORT_BATCH ? Number(process.env.BENCH_IMPORT_BATCH) : 1000)) / step)) {
          console.log(`${id}: ${p.rowsDone.toLocaleString('en')} of ${p.rowsTotal.toLocaleString('en')} rows after ${((performance.now() - t0) / 1000).toFixed(0)} s, peak RSS ${Math.round(peakRssBytes() / 2 ** 20)} MiB`);
        }
      },
      ...(process.env.BENCH_IMPORT_BATCH ? { batchSize: Number(process.env.BENCH_IMPORT_BATCH) } : {}),
    });
    const wallMs = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    const dbCpuMs = engine === 'postgres' ? (await backendCpuMs(store.db)) - dbCpu0 : undefined;
    const rss = peakRssBytes();
    // Rows that were rejected stand alone (a cluster of their own).
    const final = idList.map((pid) => {
      let p = pid;
      for (let hops = 0; hops < 100 && mergedInto.has(p); hops++) p = mergedInto.get(p)!;
      return label(p);
    });
    const truth = new Int32Array(readFileSync(truthOf(rows)).buffer.slice(0));
    let lone = idList.length + 1_000_000;
    const clusters = Int32Array.from(personOf, (k) => (k < 0 ? lone++ : final[k]!));
    const q = pairwiseQuality(clusters, truth);
    return {
      id, engine, rows, wallMs, cpuMs: (cpu.user + cpu.system) / 1000, ...(dbCpuMs !== undefined ? { dbCpuMs } : {}), peakRssBytes: rss, phases,
      imported: report.imported, created: report.created, merged: report.merged, fuzzyMerged: report.fuzzyMerged, rejected: report.rejected.length,
      queuedForReview: report.queuedForReview, precision: q.precision, recall: q.recall, f1: q.f1, loadAverage: machineInfo().loadAverage ?? [],
    };
  } finally {
    await store.close();
  }
}

/** Entry point of an import child process: `--child import:<case>` or `--child import-gen:<rows>`. */
export async function importChild(name: string): Promise<void> {
  if (name.startsWith('import-gen:')) {
    await generate(Number(name.slice('import-gen:'.length)));
    reportToParent<ImportCaseResult>([]);
    return;
  }
  reportToParent<ImportCaseResult>([await importCase(name.slice('import:'.length))]);
}

/** The cases of a size (BENCH_IMPORT_CASES, a comma-separated list of ENGINE-ROWS, picks some). */
function casesOf(size: 'small' | 'full'): string[] {
  if (process.env.BENCH_IMPORT_CASES) return process.env.BENCH_IMPORT_CASES.split(',');
  if (size === 'small') return ['pglite-2000', 'postgres-2000', 'trgm-2000'];
  // The pg_trgm join grows with the square of the rows: each row's probe reads the posting lists
  // of all its trigrams (about 130 characters a row), and the common ones (cities, street words,
  // e-mail domains) list a share of all the rows. So it is measured in full at 10,000 beside our
  // import of the same file, and at 100,000 within its budget, past which its time is estimated.
  const baseline = ['postgres-10000', 'trgm-10000', 'trgm-100000'];
  return ['postgres-100000', 'pglite-100000', 'postgres-1000000', ...baseline, ...(process.env.BENCH_IMPORT_5M === '1' ? ['postgres-5000000'] : [])];
}

const s = (ms: number | undefined) => (ms === undefined || !Number.isFinite(ms) ? '–' : `${(ms / 1000).toFixed(1)} s`);
const q4 = (x: number | undefined) => (x === undefined ? '–' : x.toFixed(4));
/** Wall time; a pg_trgm join cancelled past its budget took more than that. */
const wallText = (r: ImportCaseResult) => `${r.trigram?.timedOutAfterMs !== undefined ? '> ' : ''}${s(r.wallMs)}`;
/** The table's name of a case: the engine, or the pg_trgm baseline and its threshold (from the id, so a skipped one is named too). */
function caseName(r: ImportCaseResult): string {
  const t = /^trgm(\d)?-/.exec(r.id);
  return t ? `pg_trgm ≥ ${Number(t[1] ?? 5) / 10} (index + join)` : r.engine;
}

/** The pg_trgm join's time: measured, or past its budget with the probe sample's estimate. */
function trigramJoinText(t: TrigramFigures): string {
  if (t.timedOutAfterMs === undefined) return s(t.joinMs);
  const p = t.probeSample;
  const h = (ms: number) => (ms >= 3_600_000 ? `${(ms / 3_600_000).toFixed(1)} h` : s(ms));
  return `> ${s(t.timedOutAfterMs)} (cancelled)${p ? `; about ${h(p.estimatedJoinMs)} wall, ${h(p.estimatedJoinCpuMs)} CPU (${p.probes.toLocaleString('en')} probes: ${s(p.wallMs)} wall, ${s(p.dbCpuMs)} CPU)` : ''}`;
}

/** The BENCHMARKS.md section of a run. */
export function renderImport(results: readonly ImportCaseResult[], size: string): string {
  const m = machineInfo();
  const head = `Measured ${m.date.slice(0, 16).replace('T', ' ')} UTC on ${m.cpu} (${m.cores} cores, shared), ${m.memoryGiB} GiB RAM, Node ${m.node}; size \`${size}\`; load average (1 min) given per case, taken when it ended.`;
  const table = markdownTable(
    ['case', 'rows', 'wall', 'CPU (Node)', 'CPU (PostgreSQL)', 'peak RSS', 'created', 'merged (of which fuzzy)', 'rejected', 'review', 'precision', 'recall', 'F1', 'load'],
    results.map((r) => [
      r.skipped ? `${caseName(r)} (skipped: ${r.skipped})` : caseName(r),
      r.rows.toLocaleString('en'),
      wallText(r),
      s(r.cpuMs),
      s(r.dbCpuMs),
      r.peakRssBytes > 0 ? `${Math.round(r.peakRssBytes / 2 ** 20).toLocaleString('en')} MiB` : '–',
      r.created?.toLocaleString('en') ?? '–',
      r.merged === undefined ? '–' : `${r.merged.toLocaleString('en')} (${(r.fuzzyMerged ?? 0).toLocaleString('en')})`,
      r.rejected?.toLocaleString('en') ?? '–',
      r.queuedForReview?.toLocaleString('en') ?? '–',
      q4(r.precision), q4(r.recall), q4(r.f1),
      r.loadAverage?.[0]?.toFixed(1) ?? '–',
    ]),
  );
  const phases = markdownTable(
    ['case', 'scan', 'read', 'normalise', 'match', 'write', 'fuzzy: read', 'fuzzy: model', 'fuzzy: merge', 'total'],
    results.filter((r) => r.phases).map((r) => {
      const p = r.phases!;
      return [`${r.engine} ${r.rows.toLocaleString('en')}`, s(p.scan), s(p.read), s(p.normalise), s(p.match), s(p.write), s(p.fuzzyRead), s(p.fuzzyModel), s(p.fuzzyMerge), s(r.wallMs)];
    }),
  );
  const trigram = results.filter((r) => r.trigram);
  const baseline = markdownTable(
    ['case', 'rows', 'load (CSV → raw table)', 'fold (one string a row)', 'index', 'join', 'pairs', 'CPU (PostgreSQL, index + join)', 'F1'],
    trigram.map((r) => {
      const t = r.trigram!;
      return [caseName(r), r.rows.toLocaleString('en'), s(t.loadMs), s(t.foldMs), s(t.indexMs), trigramJoinText(t), t.pairs?.toLocaleString('en') ?? '–', s(r.dbCpuMs), q4(r.f1)];
    }),
  );
  return `${head}\n\n${table}\n\nWhere the time goes (wall, per phase):\n\n${phases}${trigram.length > 0 ? `\n\nThe pg_trgm baseline on the same file (wall; its table line's wall is index + join):\n\n${baseline}` : ''}`;
}

/** Runs every import case of `size`, each in a child process, and writes the BENCHMARKS.md section. */
export async function runImportBench(script: string, size: 'small' | 'full'): Promise<ImportCaseResult[]> {
  const results: ImportCaseResult[] = [];
  const tag = process.env.BENCH_IMPORT_CASES ? `-${process.env.BENCH_IMPORT_CASES.replace(/[^a-z0-9]+/g, '_')}` : '';
  for (const c of casesOf(size)) {
    const rows = Number(/-(\d+)$/.exec(c)?.[1] ?? 0);
    await runInChild<ImportCaseResult>(script, ['--child', `import-gen:${rows}`, '--size', size], `import-gen ${rows}`);
    console.log(`[import] ${c}`);
    for (const r of await runInChild<ImportCaseResult>(script, ['--child', `import:${c}`, '--size', size], `import ${c}`)) {
      console.log(`  ${caseName(r)} ${r.rows}: ${wallText(r)} wall, ${s(r.cpuMs)} CPU, ${s(r.dbCpuMs)} PostgreSQL CPU, F1 ${q4(r.f1)}, peak RSS ${Math.round(r.peakRssBytes / 2 ** 20)} MiB ${r.skipped ? `(skipped: ${r.skipped})` : ''}`);
      if (r.phases) console.log(`  phases: ${Object.entries(r.phases).map(([k, v]) => `${k} ${s(v)}`).join(', ')}`);
      if (r.trigram) console.log(`  load ${s(r.trigram.loadMs)}, fold ${s(r.trigram.foldMs)}, index ${s(r.trigram.indexMs)}, join ${trigramJoinText(r.trigram)}, pairs ${r.trigram.pairs ?? '–'}`);
      results.push(r);
    }
    // After each case: a long run stopped half-way keeps what it measured.
    writeJson(join(BENCH_DIR, 'results', `import-${size}${tag}.json`), results);
  }
  if (process.env.BENCH_IMPORT_KEEP_FILES !== '1') rmSync(DATA_DIR, { recursive: true, force: true });
  if (process.env.BENCH_IMPORT_CASES === undefined) updateMarkdownSection(join(BENCH_DIR, '..', 'BENCHMARKS.md'), `import-${size}`, renderImport(results, size));
  return results;
}
