import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where each case's child process prints its result (stdout stays free for progress). */
const RESULT_PREFIX = '@@bench-result ';

/** The machine a run was measured on. */
export interface MachineInfo {
  readonly cpu: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly node: string;
  readonly platform: string;
  readonly date: string;
  /** os.loadavg() when the run started (1, 5, 15 minutes): other work on the machine skews the figures. */
  readonly loadAverage?: readonly number[];
}

/** Wall times of a case, in milliseconds, and their summary. */
export interface Timings {
  readonly iterations: number;
  readonly samplesMs: readonly number[];
  readonly medianMs: number;
  readonly p95Ms: number;
  /** Absent in results written before it was added. */
  readonly p99Ms?: number;
  readonly minMs: number;
  readonly maxMs: number;
}

/** What one case measured, as its child process reports it. */
export interface CaseResult {
  /** Stable key, e.g. `seed`, `seed-baseline`, `read-api`. */
  readonly id: string;
  /** What was measured, for the tables. */
  readonly label: string;
  readonly engine: 'pglite' | 'postgres';
  /** Null when the case was skipped. */
  readonly timings: Timings | null;
  /** Why the case was skipped. */
  readonly skipped?: string;
  /** Peak resident set of the process that ran the case (resourceUsage().maxRSS). */
  readonly peakRssBytes: number;
  /** Highest JS heap in use seen while the timed runs went on (sampled). */
  readonly peakHeapBytes: number;
  /** Rows written (or requests sent, entries appended: see `unit`) per timed run. */
  readonly rows?: number;
  /** What `rows` counts, for the throughput column (default `rows`; `reads` when `rows` is absent). */
  readonly unit?: string;
  /** Anything case-specific (row counts per table, …). */
  readonly extra?: Readonly<Record<string, unknown>>;
}

/** The machine this process runs on, and the date. */
export function machineInfo(now: Date = new Date()): MachineInfo {
  const cpu = cpus();
  return {
    cpu: cpu[0]?.model.trim() ?? 'unknown',
    cores: cpu.length,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    date: now.toISOString(),
    loadAverage: loadavg().map((l) => Math.round(l * 100) / 100),
  };
}

/** The value at quantile `q` (0–1) of `sorted`, by the nearest-rank method. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length)));
  return sorted[rank - 1] ?? Number.NaN;
}

/** Median (mean of the two middle values for an even count), p95, min and max of wall times. */
export function summarise(samplesMs: readonly number[]): Timings {
  const sorted = [...samplesMs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median =
    sorted.length === 0 ? Number.NaN : sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
  return {
    iterations: sorted.length,
    samplesMs: [...samplesMs],
    medianMs: median,
    p95Ms: quantile(sorted, 0.95),
    p99Ms: quantile(sorted, 0.99),
    minMs: sorted[0] ?? Number.NaN,
    maxMs: sorted[sorted.length - 1] ?? Number.NaN,
  };
}

/** Hooks of one measured case: `setup` and `teardown` run around each timed `run`, untimed. */
export interface CaseHooks<S> {
  readonly setup: (iteration: number) => Promise<S>;
  readonly run: (state: S, iteration: number) => Promise<void>;
  readonly teardown?: (state: S, iteration: number) => Promise<void>;
}

/** Peak of the JS heap while a measurement runs, sampled every few milliseconds. */
export class HeapSampler {
  #peak = 0;
  #timer: NodeJS.Timeout | undefined;

  start(): void {
    this.sample();
    this.#timer = setInterval(() => this.sample(), 5);
  }

  sample(): void {
    const used = process.memoryUsage().heapUsed;
    if (used > this.#peak) this.#peak = used;
  }

  stop(): number {
    if (this.#timer) clearInterval(this.#timer);
    this.sample();
    return this.#peak;
  }
}

/** Runs a case `iterations` times after `warmup` untimed runs and collects its wall times. */
export async function measure<S>(
  hooks: CaseHooks<S>,
  options: { readonly iterations: number; readonly warmup?: number },
): Promise<{ timings: Timings; peakHeapBytes: number }> {
  const samples: number[] = [];
  const heap = new HeapSampler();
  const total = (options.warmup ?? 0) + options.iterations;
  for (let i = 0; i < total; i++) {
    const state = await hooks.setup(i);
    const timed = i >= (options.warmup ?? 0);
    if (timed && samples.length === 0) heap.start();
    const t0 = performance.now();
    try {
      await hooks.run(state, i);
    } finally {
      const elapsed = performance.now() - t0;
      if (timed) samples.push(elapsed);
      await hooks.teardown?.(state, i);
    }
  }
  return { timings: summarise(samples), peakHeapBytes: heap.stop() };
}

/** Times many short operations in one loop (each sample is one operation). */
export async function measureEach(
  op: (i: number) => Promise<void>,
  options: { readonly iterations: number; readonly warmup?: number },
): Promise<{ timings: Timings; peakHeapBytes: number }> {
  for (let i = 0; i < (options.warmup ?? 0); i++) await op(i);
  const heap = new HeapSampler();
  heap.start();
  const samples = new Array<number>(options.iterations);
  for (let i = 0; i < options.iterations; i++) {
    const t0 = performance.now();
    await op(i);
    samples[i] = performance.now() - t0;
  }
  return { timings: summarise(samples), peakHeapBytes: heap.stop() };
}

/** The peak resident set of this process so far, in bytes. */
export function peakRssBytes(): number {
  // maxRSS is in kilobytes (resourceUsage, like getrusage(2)).
  return Math.max(process.resourceUsage().maxRSS * 1024, process.memoryUsage().rss);
}

/** Prints a child's results for the parent process (see runInChild); any JSON-shaped result type. */
export function reportToParent<T = CaseResult>(results: readonly T[]): void {
  process.stdout.write(`\n${RESULT_PREFIX}${JSON.stringify(results)}\n`);
}

/**
 * Runs `script args…` in a child Node process with this process's loader flags (tsx), so
 * each case has a process of its own and its peak RSS is its own: PGlite's WebAssembly
 * memory never shrinks, and would otherwise be charged to every later case.
 * Resolves with what the child reported.
 */
export function runInChild<T = CaseResult>(script: string, args: readonly string[], label: string): Promise<T[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...process.execArgv, script, ...args], {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: process.env,
    });
    let pending = '';
    let result: string | undefined;
    const onLine = (line: string): void => {
      // Progress lines go straight through; the result line is kept for the parent.
      if (line.startsWith(RESULT_PREFIX)) result = line.slice(RESULT_PREFIX.length);
      else if (line.trim() !== '') process.stdout.write(`  ${line}\n`);
    };
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (d: string) => {
      const lines = (pending + d).split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) onLine(line);
    });
    child.on('error', reject);
    child.on('close', (code) => {
      onLine(pending);
      if (code !== 0 || result === undefined) {
        reject(new Error(`bench case "${label}" failed (exit code ${code})`));
        return;
      }
      resolve(JSON.parse(result) as T[]);
    });
  });
}

/** Writes a JSON file atomically (write aside, then rename). */
export function writeJson(file: string, data: unknown): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(data, null, 2)}\n`);
  renameSync(tmp, file);
}

/** A Markdown table. */
export function markdownTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]): string => `| ${cells.join(' | ')} |`;
  return [line(headers), line(headers.map(() => '---')), ...rows.map(line)].join('\n');
}

/**
 * Replaces what lies between `<!-- bench:NAME:begin -->` and `<!-- bench:NAME:end -->`
 * in `text`, leaving everything outside the markers as it was written; appends the
 * marked section when it is missing.
 */
export function replaceBetweenMarkers(text: string, name: string, content: string): string {
  const begin = `<!-- bench:${name}:begin -->`;
  const end = `<!-- bench:${name}:end -->`;
  const block = `${begin}\n${content.trim()}\n${end}`;
  const i = text.indexOf(begin);
  const j = text.indexOf(end);
  if (i >= 0 && j > i) return text.slice(0, i) + block + text.slice(j + end.length);
  return `${text.trimEnd()}\n\n${block}\n`;
}

/** Rewrites the marked section `name` of a Markdown file, creating the file if needed. */
export function updateMarkdownSection(file: string, name: string, content: string): void {
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  writeFileSync(file, replaceBetweenMarkers(text, name, content));
}

/** This file's folder (bench/), for paths that must not depend on the working directory. */
export const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
