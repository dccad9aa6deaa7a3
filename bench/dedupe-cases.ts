/**
 * Deduplication bench (R-PROS-2, issue 6): quality (pairwise precision, recall, F1 against
 * the known truth) and speed of `dedupe` on FEBRL dataset3, dataset4a+4b and the generated
 * French B2B file, speed as the file grows (100k, 1M, and 5M with BENCH_DEDUPE_5M=1), and
 * beside it the baseline a user might pick: a PostgreSQL pg_trgm similarity self-join on
 * the same records. Each case runs in a child process of its own (its peak RSS is its own).
 */
import { dedupe, pairwiseQuality, readDedupeCsv, type DedupeField, type FieldKind, type PhaseTimings } from '../src/prospecting/dedupe/index.js';
import { loadFoldedTexts, trigramSelfJoin, withScratchDatabase } from './baseline-trgm.js';
import { generateFrenchB2B } from './dedupe-data.js';
import { benchDatabaseUrl, postgresUnavailable } from './engines.js';
import { markdownTable, peakRssBytes, reportToParent, runInChild, updateMarkdownSection, BENCH_DIR, machineInfo, writeJson } from './harness.js';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

// The FEBRL sets live outside the repository (../shared beside the checkout on this
// workplace's machines); a clone elsewhere runs the bench without them and says so.
const FEBRL_CANDIDATES = [
  process.env.FEBRL_DIR,
  join(BENCH_DIR, '..', '..', 'shared', 'data', 'linkage', 'febrl'),
  '/work/shared/data/linkage/febrl',
].filter((d): d is string => d !== undefined);
const FEBRL = FEBRL_CANDIDATES.find((d) => existsSync(join(d, 'dataset3.csv'))) ?? FEBRL_CANDIDATES[0]!;
const FEBRL_FOUND = existsSync(join(FEBRL, 'dataset3.csv'));
const FEBRL_FIELDS: readonly (readonly [string, FieldKind])[] = [
  ['given_name', 'given_name'], ['surname', 'surname'], ['street_number', 'id_number'], ['address_1', 'address'], ['address_2', 'address'],
  ['suburb', 'city'], ['postcode', 'postcode'], ['state', 'text'], ['date_of_birth', 'date'], ['soc_sec_id', 'id_number'],
];
const FRENCH_FIELDS: readonly (readonly [string, FieldKind])[] = [
  ['given_name', 'given_name'], ['surname', 'surname'], ['email', 'email'], ['phone', 'phone'], ['company', 'company'], ['siret', 'id_number'],
  ['address', 'address'], ['postcode', 'postcode'], ['city', 'city'],
];

/** What one dedupe case measured. */
export interface DedupeCaseResult {
  readonly id: string;
  readonly label: string;
  readonly records: number;
  /** Wall time of the linkage (data already in memory), ms. */
  readonly wallMs: number;
  /** CPU time of the process over the same span, ms (the machine is shared: compare with wall). */
  readonly cpuMs: number;
  readonly peakRssBytes: number;
  readonly pairsCompared?: number;
  readonly precision?: number;
  readonly recall?: number;
  readonly f1?: number;
  readonly phases?: PhaseTimings;
  readonly skipped?: string;
}

interface Labelled {
  readonly ids: readonly string[];
  readonly fields: DedupeField[];
  readonly truth: ArrayLike<number | string>;
}

async function febrl(files: readonly string[]): Promise<Labelled> {
  const ids: string[] = [];
  const cols = FEBRL_FIELDS.map(() => [] as (string | null)[]);
  for (const f of files) {
    const csv = await readDedupeCsv(join(FEBRL, f), 'rec_id', FEBRL_FIELDS.map(([c]) => c));
    ids.push(...csv.ids);
    FEBRL_FIELDS.forEach(([c], i) => cols[i]!.push(...csv.columns.get(c)!));
  }
  return {
    ids,
    fields: FEBRL_FIELDS.map(([name, kind], i) => ({ name, kind, values: cols[i]! })),
    truth: ids.map((id) => /^rec-(\d+)-/.exec(id)![1]!),
  };
}

function french(n: number): Labelled {
  const data = generateFrenchB2B(n, 42);
  const columns = data.columns as Readonly<Record<string, (string | null)[]>>;
  return { ids: data.columns.id as string[], fields: FRENCH_FIELDS.map(([name, kind]) => ({ name, kind, values: columns[name]! })), truth: data.truth };
}

async function dataFor(id: string): Promise<Labelled> {
  if (id.endsWith('febrl3')) return febrl(['dataset3.csv']);
  if (id.endsWith('febrl4')) return febrl(['dataset4a.csv', 'dataset4b.csv']);
  const m = /french-(\d+)$/.exec(id);
  if (m) return french(Number(m[1]));
  throw new Error(`unknown dedupe case "${id}"`);
}

function labelOf(id: string): string {
  if (id.endsWith('febrl3')) return 'FEBRL dataset3';
  if (id.endsWith('febrl4')) return 'FEBRL dataset4a+4b';
  const n = Number(/(\d+)$/.exec(id)?.[1] ?? 0);
  return `French B2B, ${n.toLocaleString('en')} rows`;
}

async function engineCase(id: string): Promise<DedupeCaseResult> {
  const data = await dataFor(id);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const result = dedupe({ fields: data.fields });
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const q = pairwiseQuality(result.clusters, data.truth);
  return {
    id, label: `dedupe: ${labelOf(id)}`, records: result.records, wallMs, cpuMs: (cpu.user + cpu.system) / 1000, peakRssBytes: peakRssBytes(),
    pairsCompared: result.pairsCompared, precision: q.precision, recall: q.recall, f1: q.f1, phases: result.timings,
  };
}

/**
 * The pg_trgm baseline: every record's fields folded into one string (lower, unaccent),
 * a GIN trigram index, and the self-join `a.txt % b.txt` at a similarity threshold; the
 * pairs found are clustered by connected components as ours are. Time = index + join.
 */
async function trigramCase(id: string, threshold: number): Promise<DedupeCaseResult> {
  const data = await dataFor(id);
  const label = `pg_trgm self-join ≥ ${threshold}: ${labelOf(id)}`;
  const url = benchDatabaseUrl();
  const why = await postgresUnavailable(url);
  if (why !== null) return { id, label, records: data.ids.length, wallMs: Number.NaN, cpuMs: Number.NaN, peakRssBytes: 0, skipped: why };
  const n = data.ids.length;
  const texts = Array.from({ length: n }, (_, i) => data.fields.map((f) => f.values[i] ?? '').join(' '));
  return withScratchDatabase(url, id, async (scratch) => {
    await loadFoldedTexts(scratch.client, texts);
    const join = await trigramSelfJoin(scratch, n, threshold);
    const q = pairwiseQuality(join.clusters!, data.truth);
    return { id, label, records: n, wallMs: join.indexMs + join.joinMs, cpuMs: Number.NaN, peakRssBytes: 0, pairsCompared: join.pairs, precision: q.precision, recall: q.recall, f1: q.f1 };
  });
}

/** Entry point of a dedupe child process: `--child dedupe:<case>`. */
export async function dedupeChild(name: string): Promise<void> {
  const id = name.slice('dedupe:'.length);
  const m = /^trgm(\d+)-(.*)$/.exec(id);
  const result = m ? { ...(await trigramCase(m[2]!, Number(m[1]) / 10)), id } : await engineCase(id);
  reportToParent<DedupeCaseResult>([result]);
}

/** The cases of a size (BENCH_DEDUPE_CASES, a comma-separated list, picks some). */
function casesOf(size: 'small' | 'full'): string[] {
  if (process.env.BENCH_DEDUPE_CASES) return process.env.BENCH_DEDUPE_CASES.split(',');
  // The small size is CI's smoke run: every kind of case once, on sizes that take seconds.
  if (size === 'small') return withFebrl(['febrl3', 'french-5000', 'trgm5-french-1000', 'french-1000']);
  const quality = ['febrl3', 'febrl4', 'french-100000'];
  const scale = ['french-1000000', ...(process.env.BENCH_DEDUPE_5M === '1' ? ['french-5000000'] : [])];
  const baseline = ['trgm5-febrl3', 'trgm7-febrl3', 'trgm5-french-10000', 'trgm7-french-10000', 'french-10000'];
  return withFebrl([...quality, ...scale, ...baseline]);
}

/** Drops the FEBRL cases, saying so, when the sets are not on this machine. */
function withFebrl(cases: string[]): string[] {
  if (FEBRL_FOUND) return cases;
  console.log(`[dedupe] FEBRL sets not found (tried ${FEBRL_CANDIDATES.join(', ')}; set FEBRL_DIR): their cases are left out`);
  return cases.filter((c) => !c.includes('febrl'));
}

function fmtS(ms: number): string {
  return Number.isFinite(ms) ? `${(ms / 1000).toFixed(2)} s` : '–';
}

function fmtQ(x: number | undefined): string {
  return x === undefined ? '–' : x.toFixed(4);
}

/** Renders the cases as the BENCHMARKS.md section. */
export function renderDedupe(results: readonly DedupeCaseResult[], size: string): string {
  const m = machineInfo();
  const head = `Measured ${m.date.slice(0, 16).replace('T', ' ')} UTC on ${m.cpu} (${m.cores} cores), ${m.memoryGiB} GiB RAM, Node ${m.node}; load average ${(m.loadAverage ?? []).map((l) => l.toFixed(1)).join(' / ')} at the end; size \`${size}\`.`;
  const table = markdownTable(
    ['case', 'records', 'pairs compared', 'precision', 'recall', 'F1', 'wall', 'CPU', 'peak RSS'],
    results.map((r) => [
      r.skipped ? `${r.label} (skipped: ${r.skipped})` : r.label,
      r.records.toLocaleString('en'),
      r.pairsCompared?.toLocaleString('en') ?? '–',
      fmtQ(r.precision), fmtQ(r.recall), fmtQ(r.f1),
      fmtS(r.wallMs), fmtS(r.cpuMs),
      r.peakRssBytes > 0 ? `${Math.round(r.peakRssBytes / 2 ** 20).toLocaleString('en')} MiB` : '–',
    ]),
  );
  const phases = markdownTable(
    ['case', 'prepare', 'blocking', 'comparing', 'EM', 'scoring', 'clustering', 'total'],
    results.filter((r) => r.phases).map((r) => {
      const p = r.phases!;
      return [r.label, fmtS(p.prepare), fmtS(p.blocking), fmtS(p.comparing), fmtS(p.estimating), fmtS(p.scoring), fmtS(p.clustering), fmtS(p.total)];
    }),
  );
  return `${head}\n\n${table}\n\nWhere the time goes (wall):\n\n${phases}`;
}

/** Runs every dedupe case of `size` in a child process each and writes the BENCHMARKS.md section. */
export async function runDedupeBench(script: string, size: 'small' | 'full'): Promise<DedupeCaseResult[]> {
  const results: DedupeCaseResult[] = [];
  for (const c of casesOf(size)) {
    console.log(`[dedupe] ${c}`);
    const out = await runInChild<DedupeCaseResult>(script, ['--child', `dedupe:${c}`, '--size', size], `dedupe ${c}`);
    for (const r of out) {
      console.log(`  ${r.label}: F1 ${fmtQ(r.f1)}, ${fmtS(r.wallMs)} wall, ${fmtS(r.cpuMs)} CPU`);
      results.push(r);
    }
  }
  writeJson(join(BENCH_DIR, 'results', `dedupe-${size}.json`), results);
  updateMarkdownSection(join(BENCH_DIR, '..', 'BENCHMARKS.md'), `dedupe-${size}`, renderDedupe(results, size));
  return results;
}
