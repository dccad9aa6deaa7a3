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

/**
 * Which case a case is compared with, on the same engine, and how: `time` divides the
 * case's median time by the baseline's (lower is better), `rate` divides its throughput
 * by the baseline's (higher is better).
 */
interface Comparison {
  readonly base: string;
  readonly kind: 'time' | 'rate';
}

function comparisonOf(id: string): Comparison | undefined {
  if (id === 'seed') return { base: 'seed-baseline', kind: 'time' };
  if (id === 'read-api') return { base: 'read-bare', kind: 'time' };
  if (id === 'read-gated' || id.startsWith('step-')) return { base: 'read-ungated', kind: 'time' };
  if (id === 'load-gated' || id.startsWith('load-step-')) return { base: 'load-ungated', kind: 'rate' };
  if (id.startsWith('audit-') && id !== 'audit-plain') return { base: 'audit-plain', kind: 'rate' };
  if (id === 'rights-export') return { base: 'rights-export-plain', kind: 'time' };
  if (id === 'rights-erase-vacuum') return { base: 'rights-erase', kind: 'time' };
  return undefined;
}

/** The tables of a run, by case id. */
const SECTIONS: readonly { readonly title: string | null; readonly ids: (id: string) => boolean }[] = [
  { title: null, ids: (id) => ['seed', 'seed-baseline', 'read-bare', 'read-api'].includes(id) },
  {
    title: 'Gate and audit (issue 3)',
    ids: (id) => ['read-ungated', 'read-gated', 'load-ungated', 'load-gated', 'audit-plain', 'audit-chain-tx', 'audit-chain-writer'].includes(id),
  },
  { title: 'Rights (issue 4)', ids: (id) => id.startsWith('rights-') },
  { title: 'Profile: where the gated read and the audit append spend their time', ids: (id) => /^(step-|load-step-|call-|audit-(plain-tx|queue-|writer-bg))/.test(id) },
];

function formatMs(ms: number): string {
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  if (ms >= 10) return `${ms.toFixed(1)} ms`;
  return `${ms.toFixed(3)} ms`;
}

function formatBytes(bytes: number): string {
  return bytes > 0 ? `${Math.round(bytes / 2 ** 20).toLocaleString('en')} MiB` : '–';
}

/** Units (rows, requests, …) per second at the median. */
function rate(c: CaseResult): number {
  return c.timings ? (c.rows ?? 1) / (c.timings.medianMs / 1000) : Number.NaN;
}

function throughput(c: CaseResult): string {
  if (!c.timings) return '–';
  const unit = c.unit ?? (c.rows === undefined ? 'reads' : 'rows');
  return `${Math.round(rate(c)).toLocaleString('en')} ${unit}/s`;
}

/** The ratio of a case to its baseline on the same engine, as a number (NaN when unknown). */
function ratioValue(c: CaseResult, all: readonly CaseResult[]): number {
  const cmp = comparisonOf(c.id);
  const base = cmp && all.find((b) => b.id === cmp.base && b.engine === c.engine);
  if (!cmp || !base?.timings || !c.timings) return Number.NaN;
  return cmp.kind === 'time' ? c.timings.medianMs / base.timings.medianMs : rate(c) / rate(base);
}

function ratio(c: CaseResult, all: readonly CaseResult[]): string {
  if (!c.timings) return '–';
  const cmp = comparisonOf(c.id);
  if (cmp === undefined) return all.some((o) => comparisonOf(o.id)?.base === c.id) ? '1 (baseline)' : '–';
  const value = ratioValue(c, all);
  if (Number.isNaN(value)) return '–';
  return cmp.kind === 'time' ? `${value.toFixed(2)}× ${cmp.base} (time)` : `${value.toFixed(2)}× ${cmp.base} (rate)`;
}

/** CPU time of the bench process per read (app.inject cases), when measured. */
function cpuPerOp(c: CaseResult): number | undefined {
  const v = c.extra?.nodeCpuMsPerOp;
  return typeof v === 'number' ? v : undefined;
}

function table(cases: readonly CaseResult[], all: readonly CaseResult[], withP99 = false): string {
  const withCpu = cases.some((c) => cpuPerOp(c) !== undefined);
  const p99 = (c: CaseResult): string[] => (withP99 ? [c.timings?.p99Ms === undefined ? '–' : formatMs(c.timings.p99Ms)] : []);
  const rows = cases.map((c) => [
    c.label,
    c.engine,
    c.timings ? String(c.timings.iterations) : '0',
    c.timings ? formatMs(c.timings.medianMs) : `skipped: ${c.skipped ?? 'unknown'}`,
    c.timings ? formatMs(c.timings.p95Ms) : '–',
    ...p99(c),
    throughput(c),
    ratio(c, all),
    formatBytes(c.peakRssBytes),
    formatBytes(c.peakHeapBytes),
    ...(withCpu ? [cpuPerOp(c) === undefined ? '–' : formatMs(cpuPerOp(c) ?? 0)] : []),
  ]);
  const headers = ['Case', 'Engine', 'Runs', 'Median', 'p95', ...(withP99 ? ['p99'] : []), 'Throughput (median)', 'Ratio (median)', 'Peak RSS', 'Peak JS heap'];
  return markdownTable(withCpu ? [...headers, 'Node CPU per read'] : headers, rows);
}

/** `{ select: 4, insert: 3 }` as `7 (4 select, 3 insert)`: statements sent through Kysely, BEGIN and COMMIT aside. */
function statements(counts: unknown): string {
  if (counts === null || typeof counts !== 'object') return '?';
  const entries = Object.entries(counts as Record<string, number>).sort((a, b) => b[1] - a[1]);
  const total = entries.reduce((sum, [, n]) => sum + n, 0);
  const round = (n: number): string => (Math.round(n * 10) / 10).toString();
  return `${round(total)} (${entries.map(([k, n]) => `${round(n)} ${k}`).join(', ')})`;
}

/** Issue 3's goals, each met or missed, per engine, from the cases of a run. */
export function goals(all: readonly CaseResult[]): string[] {
  const out: string[] = [];
  const find = (id: string, engine: string): CaseResult | undefined => all.find((c) => c.id === id && c.engine === engine && c.timings);
  for (const engine of ['pglite', 'postgres'] as const) {
    const verdict = (ok: boolean): string => (ok ? '**met**' : '**missed**');
    const gated = find('read-gated', engine);
    if (gated) {
      const r = ratioValue(gated, all);
      const ungated = find('read-ungated', engine);
      const cpu = ungated && cpuPerOp(gated) !== undefined && cpuPerOp(ungated) !== undefined
        ? `; Node CPU per read ${formatMs(cpuPerOp(gated) ?? 0)} vs ${formatMs(cpuPerOp(ungated) ?? 0)}`
        : '';
      const st = (c: CaseResult | undefined): string => statements(c?.extra?.statementsPerRead);
      const stmts = ungated && gated.extra?.statementsPerRead ? `; statements per read ${st(gated)} vs ${st(ungated)}` : '';
      out.push(
        `${engine}: gated read latency ${r.toFixed(2)}× ungated, ${formatMs(gated.timings?.medianMs ?? 0)} vs ` +
          `${formatMs(ungated?.timings?.medianMs ?? Number.NaN)} (app.inject medians${cpu}${stmts}; goal ≤ 1.5): ${verdict(r <= 1.5)}.`,
      );
    }
    const load = find('load-gated', engine);
    if (load) {
      const r = ratioValue(load, all);
      const base = find('load-ungated', engine);
      out.push(
        `${engine}: gated throughput ${r.toFixed(2)}× ungated, ${Math.round(rate(load)).toLocaleString('en')} vs ` +
          `${base ? Math.round(rate(base)).toLocaleString('en') : '?'} req/s over a socket, 32 clients (goal ≥ 0.7): ${verdict(r >= 0.7)}.`,
      );
    }
    const plain = find('audit-plain', engine);
    for (const id of ['audit-chain-tx', 'audit-chain-writer']) {
      const c = find(id, engine);
      if (!c || !plain) continue;
      const r = ratioValue(c, all);
      const how = id === 'audit-chain-tx' ? 'appendInTransaction per event + chainer' : 'AuditWriter.append per event';
      const writers = Number(c.extra?.writers ?? 0);
      const head = `${engine}: chained audit appends (${how}, ${writers} writer${writers === 1 ? '' : 's'}) ${Math.round(rate(c)).toLocaleString('en')} entries/s, ${r.toFixed(2)}× plain inserts (${Math.round(rate(plain)).toLocaleString('en')}/s)`;
      out.push(engine === 'postgres' ? `${head} (goal ≥ 0.7): ${verdict(r >= 0.7)}.` : `${head} (single-writer rate, no goal).`);
    }
  }
  return out;
}

/** Issue 4's goal and figures, per engine. */
export function rightsGoals(all: readonly CaseResult[]): string[] {
  const out: string[] = [];
  for (const engine of ['pglite', 'postgres'] as const) {
    const find = (id: string): CaseResult | undefined => all.find((c) => c.id === id && c.engine === engine && c.timings);
    const exp = find('rights-export');
    const plain = find('rights-export-plain');
    const people = Number(exp?.extra?.people ?? find('rights-erase')?.extra?.people ?? 0).toLocaleString('en');
    if (exp?.timings && plain?.timings) {
      const r = ratioValue(exp, all);
      out.push(
        `${engine} (${people} people): access export ${r.toFixed(2)}× the plain reads, ${formatMs(exp.timings.medianMs)} vs ` +
          `${formatMs(plain.timings.medianMs)} (medians; p95 ${formatMs(exp.timings.p95Ms)} vs ${formatMs(plain.timings.p95Ms)}; ` +
          `${String(plain.extra?.rowsPerPerson ?? '?')} rows per person; goal ≤ 3): ${r <= 3 ? '**met**' : '**missed**'}.`,
      );
    }
    const erase = find('rights-erase');
    const vac = find('rights-erase-vacuum');
    if (erase?.timings) {
      const p99 = erase.timings.p99Ms === undefined ? '?' : formatMs(erase.timings.p99Ms);
      const withVacuum = vac?.timings ? `; one erasure with the default vacuum ${formatMs(vac.timings.medianMs)} (${ratioValue(vac, all).toFixed(1)}× the median)` : '';
      out.push(
        `${engine} (${people} people): erasure of one person ${formatMs(erase.timings.medianMs)} median, ${p99} p99 over ${erase.timings.iterations} people, ` +
          `vacuum none (${String(erase.extra?.rowsDeletedOrUnlinkedPerPerson ?? '?')} rows deleted or unlinked per person)${withVacuum}; no goal.`,
      );
    }
  }
  return out;
}

/** The Markdown that goes between a size's markers in BENCHMARKS.md. */
export function renderRun(run: BenchRun): string {
  const m = run.machine;
  const counts = run.cases.find((c) => c.id === 'seed')?.extra?.counts;
  const load = m.loadAverage ? `, load average ${m.loadAverage.map((l) => l.toFixed(1)).join(' / ')} at the start` : '';
  const parts: string[] = [
    `Measured ${m.date.slice(0, 16).replace('T', ' ')} UTC on ${m.cpu} (${m.cores} cores), ${m.memoryGiB} GiB RAM, ` +
      `Node ${m.node}, ${m.platform}${load}; size \`${run.size}\` (${run.people.toLocaleString('en')} people), ` +
      `${Math.round(run.durationSeconds)} s in all.`,
  ];
  for (const section of SECTIONS) {
    const cases = run.cases.filter((c) => section.ids(c.id));
    if (cases.length === 0) continue;
    if (section.title) parts.push(`**${section.title}**`);
    parts.push(table(cases, run.cases, section.title?.startsWith('Rights') ?? false));
    if (section.title === null && counts && typeof counts === 'object') {
      parts.push(`Rows per seeding run: ${Object.entries(counts).map(([t, n]) => `${t} ${Number(n).toLocaleString('en')}`).join(', ')}.`);
    }
    if (section.title?.startsWith('Gate')) {
      const g = goals(run.cases);
      if (g.length > 0) parts.push(g.map((line) => `- ${line}`).join('\n'));
    }
    if (section.title?.startsWith('Rights')) {
      const g = rightsGoals(run.cases);
      if (g.length > 0) parts.push(g.map((line) => `- ${line}`).join('\n'));
    }
  }
  if (run.notes.length > 0) parts.push(run.notes.map((n) => `- ${n}`).join('\n'));
  return parts.join('\n\n').trim();
}
