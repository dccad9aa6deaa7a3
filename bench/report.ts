import type { CaseResult, MachineInfo } from './harness.js';
import { markdownTable } from './harness.js';

/** Everything one `npm run bench` measured; written to bench/results/. */
export interface BenchRun {
  readonly size: 'small' | 'full';
  readonly people: number;
  readonly machine: MachineInfo;
  readonly durationSeconds: number;
  /** Cases not run at all (e.g. no PostgreSQL server), and why. */
  readonly notes: readonly string[];
  readonly cases: readonly CaseResult[];
}

/** Which case a case is compared with, on the same engine. */
const BASELINE_OF: Readonly<Record<string, string>> = { seed: 'seed-baseline', 'read-api': 'read-bare' };

function formatMs(ms: number): string {
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  if (ms >= 10) return `${ms.toFixed(1)} ms`;
  return `${ms.toFixed(3)} ms`;
}

function formatBytes(bytes: number): string {
  return bytes > 0 ? `${Math.round(bytes / 2 ** 20).toLocaleString('en')} MiB` : '–';
}

function throughput(c: CaseResult): string {
  if (!c.timings) return '–';
  const perSecond = (c.rows ?? 1) / (c.timings.medianMs / 1000);
  return `${Math.round(perSecond).toLocaleString('en')} ${c.rows === undefined ? 'reads' : 'rows'}/s`;
}

function ratio(c: CaseResult, all: readonly CaseResult[]): string {
  if (!c.timings) return '–';
  const baselineId = BASELINE_OF[c.id];
  if (baselineId === undefined) return '1 (baseline)';
  const base = all.find((b) => b.id === baselineId && b.engine === c.engine)?.timings;
  return base ? `${(c.timings.medianMs / base.medianMs).toFixed(2)}× ${baselineId}` : '–';
}

/** The Markdown that goes between a size's markers in BENCHMARKS.md. */
export function renderRun(run: BenchRun): string {
  const m = run.machine;
  const rows = run.cases.map((c) => [
    c.label,
    c.engine,
    c.timings ? String(c.timings.iterations) : '0',
    c.timings ? formatMs(c.timings.medianMs) : `skipped: ${c.skipped ?? 'unknown'}`,
    c.timings ? formatMs(c.timings.p95Ms) : '–',
    throughput(c),
    ratio(c, run.cases),
    formatBytes(c.peakRssBytes),
    formatBytes(c.peakHeapBytes),
  ]);
  const counts = run.cases.find((c) => c.id === 'seed')?.extra?.counts;
  return [
    `Measured ${m.date.slice(0, 16).replace('T', ' ')} UTC on ${m.cpu} (${m.cores} cores), ${m.memoryGiB} GiB RAM, ` +
      `Node ${m.node}, ${m.platform}; size \`${run.size}\` (${run.people.toLocaleString('en')} people), ` +
      `${Math.round(run.durationSeconds)} s in all.`,
    '',
    markdownTable(['Case', 'Engine', 'Runs', 'Median', 'p95', 'Throughput (median)', 'Ratio (median)', 'Peak RSS', 'Peak JS heap'], rows),
    '',
    ...(counts && typeof counts === 'object'
      ? [`Rows per seeding run: ${Object.entries(counts).map(([t, n]) => `${t} ${Number(n).toLocaleString('en')}`).join(', ')}.`, '']
      : []),
    ...run.notes.map((n) => `- ${n}`),
  ]
    .join('\n')
    .trim();
}
