/**
 * Normalisation micro-benchmark (issue 6): `normaliseProspectRow` over generated French B2B
 * rows (bench/dedupe-data.ts, seed 42, the file bench/import.ts writes), and each normaliser
 * alone on the same values. No database, no CSV: the values are those the CSV reader would
 * hand over (bench/import.ts quotes them losslessly; engine.ts drops blank cells).
 *
 * Every measurement runs in a fresh child process, so the caches (prospect-row.ts's and the
 * normalisers' own) start cold as in a real import, and the median of the runs is printed.
 *   npx tsx bench/normalise.ts                      (200,000 rows, 3 runs)
 *   npx tsx bench/normalise.ts --rows 1000000 --runs 5
 *   npx tsx bench/normalise.ts --only row,phone     (some of: row, names, email, phone, address, company, siret)
 * A CPU profile of one run: node --cpu-prof --import tsx bench/normalise.ts --child row --rows 200000
 *
 * The digest printed with the row figures is a SHA-256 of every row's outcome: equal before
 * and after a change to the normalisers means no result changed on these rows.
 */
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { fieldOfHeader, type ProspectField } from '../src/prospecting/import/mapping.js';
import { normaliseProspectRow, type RowValues } from '../src/prospecting/import/prospect-row.js';
import {
  communesOfPostcode,
  normaliseAddress,
  normaliseCompanyId,
  normaliseCompanyName,
  normaliseEmailAddress,
  normaliseName,
  normalisePhoneNumber,
} from '../src/prospecting/normalise/index.js';
import { FRENCH_COLUMNS, generateFrenchB2B } from './dedupe-data.js';
import { reportToParent, runInChild } from './harness.js';

const SCRIPT = fileURLToPath(import.meta.url);

/** bench/import.ts's header line, column by column (the generated columns after `id`). */
const HEADER: Readonly<Record<Exclude<(typeof FRENCH_COLUMNS)[number], 'id'>, string>> = {
  given_name: 'Prénom',
  surname: 'Nom',
  email: 'E-mail',
  phone: 'Téléphone',
  company: 'Société',
  siret: 'SIRET',
  address: 'Adresse',
  postcode: 'Code postal',
  city: 'Ville',
};

const MEASURES = ['row', 'names', 'email', 'phone', 'address', 'company', 'siret'] as const;
type Measure = (typeof MEASURES)[number];

/** What one child measured. */
interface Sample {
  readonly measure: Measure;
  readonly rows: number;
  readonly ms: number;
  /** CPU time of this process over the same span (user + system): less disturbed than wall time on a shared machine. */
  readonly cpuMs: number;
  /** Calls made to the normaliser (a row has two names; a row without the value makes none). */
  readonly calls: number;
  readonly digest: string;
}

/** The generated rows as the import's `rowValues` would give them (blank cells dropped). */
function rowsOf(n: number): RowValues[] {
  const data = generateFrenchB2B(n, 42);
  const fields = Object.entries(HEADER).map(([column, header]) => {
    const field = fieldOfHeader(header);
    if (field === null) throw new Error(`header "${header}" maps to no field`);
    return [data.columns[column as keyof typeof HEADER], field] as const;
  });
  const rows: RowValues[] = new Array<RowValues>(n);
  for (let i = 0; i < n; i++) {
    const out: Partial<Record<ProspectField, string[]>> = {};
    for (const [values, field] of fields) {
      const v = values[i];
      if (v === null || v === undefined || v.trim() === '') continue;
      (out[field] ??= []).push(v);
    }
    rows[i] = out;
  }
  return rows;
}

/** One measurement, in this (fresh) process. */
function measureOnce(measure: Measure, n: number): Sample {
  const rows = rowsOf(n);
  const now = new Date('2026-11-26T12:00:00Z');
  // The commune table loads on first use (a few tens of ms): not part of any row's cost.
  communesOfPostcode('75001');
  const hash = createHash('sha256');
  let calls = 0;
  let run: () => void;
  // Results are hashed after the clock stops (kept in an array meanwhile).
  const results: unknown[] = [];
  switch (measure) {
    case 'row':
      run = () => {
        for (let i = 0; i < n; i++) results.push(normaliseProspectRow(rows[i]!, { row: i + 1, line: i + 2 }, now));
        calls = n;
      };
      break;
    case 'names':
      run = () => {
        for (const r of rows) {
          for (const v of [r.firstName?.[0], r.lastName?.[0]]) {
            if (v === undefined) continue;
            results.push(normaliseName(v));
            calls++;
          }
        }
      };
      break;
    case 'address':
      // As prospect-row.ts does: an address is normalised when any of its parts is given.
      run = () => {
        for (const r of rows) {
          if (r.address === undefined && r.postcode === undefined && r.city === undefined) continue;
          results.push(normaliseAddress({ line1: r.address?.[0] ?? '', postcode: r.postcode?.[0] ?? '', city: r.city?.[0] ?? '', country: '' }));
          calls++;
        }
      };
      break;
    default: {
      const field = measure;
      const fn: (v: string) => unknown =
        measure === 'email' ? normaliseEmailAddress : measure === 'phone' ? (v) => normalisePhoneNumber(v) : measure === 'company' ? normaliseCompanyName : normaliseCompanyId;
      run = () => {
        for (const r of rows) {
          const v = r[field]?.[0];
          if (v === undefined) continue;
          results.push(fn(v));
          calls++;
        }
      };
    }
  }
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  run();
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  for (const r of results) hash.update(`${JSON.stringify(r)}\n`);
  return { measure, rows: n, ms, cpuMs: (cpu.user + cpu.system) / 1000, calls, digest: hash.digest('hex').slice(0, 16) };
}

const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)]!;
};

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { rows: { type: 'string', default: '200000' }, runs: { type: 'string', default: '3' }, only: { type: 'string' }, child: { type: 'string' } },
    strict: true,
  });
  const n = Number(values.rows);
  if (values.child !== undefined) {
    if (!(MEASURES as readonly string[]).includes(values.child)) throw new Error(`unknown measure "${values.child}"`);
    reportToParent<Sample>([measureOnce(values.child as Measure, n)]);
    return;
  }
  const only = values.only === undefined ? MEASURES : (values.only.split(',') as Measure[]);
  const runs = Number(values.runs);
  console.log(`normalise bench: ${n.toLocaleString('en')} rows, ${runs} runs per measure (each in a fresh process), Node ${process.version}`);
  for (const m of only) {
    const samples: Sample[] = [];
    for (let k = 0; k < runs; k++) samples.push(...(await runInChild<Sample>(SCRIPT, ['--child', m, '--rows', String(n)], `normalise ${m}`)));
    const ms = median(samples.map((s) => s.ms));
    const cpuMs = median(samples.map((s) => s.cpuMs));
    const calls = samples[0]!.calls;
    const digests = [...new Set(samples.map((s) => s.digest))].join(' ');
    const runsText = samples.map((s) => s.ms.toFixed(0)).join(', ');
    console.log(
      `${m.padEnd(8)} wall ${(ms / 1000).toFixed(2)} s median (runs ${runsText} ms) · ${((ms * 1000) / n).toFixed(2)} µs/row · ${((ms * 1000) / Math.max(calls, 1)).toFixed(2)} µs/call (${calls.toLocaleString('en')} calls) · ${Math.round((n / ms) * 1000).toLocaleString('en')} rows/s · CPU ${((cpuMs * 1000) / n).toFixed(2)} µs/row · digest ${digests}`,
    );
  }
}

await main();
