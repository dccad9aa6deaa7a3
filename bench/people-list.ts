/**
 * People-list bench (issue 16, item 6): the back office's people list on a seeded base
 * (100,000 people at size `full`), through the real app (`buildApp`, bearer token, gate,
 * audit; `app.inject`, so no socket).
 *   - `joined`: the list as the back office reads it now, one request: GET /api/v1/people?limit=N,
 *     each row's organisation name joined in the same statement;
 *   - `n+1` (the baseline, measured in the same run): the same first page then one
 *     GET /api/v1/organisations/:id per row, in parallel as the table's cells sent them;
 *     `n+1-cached`: once per distinct organisation of the page, as the old back office's name
 *     cache did (seedDemo puts colleagues side by side, so a page spans few organisations);
 *   - the list statement alone with and without the join (listRecords, no HTTP), to show what the join costs;
 *   - a search (`q`) for a name and for an absent word (a scan of the table), and a deep page (keyset cursor).
 * Time to first row = the server's answer time to everything the page needs before its
 * first row is complete (for `n+1`: the page and the names).
 *   npm run bench -- --size small --only people-list      (2,000 people, PGlite and PostgreSQL)
 *   npm run bench -- --size full --only people-list       (100,000 people)
 *   BENCH_PEOPLE_LIST_ENGINES=postgres …                  (one engine only)
 */
import { join } from 'node:path';
import type { Engine } from '../src/db/database.js';
import { seedDemo } from '../src/demo/index.js';
import { listRecords } from '../src/crm/commands.js';
import { resource } from '../src/crm/resources.js';
import { benchBearer, benchPolicy, BENCH_ROLE } from './apps.js';
import { BENCH_NOW, BENCH_SEED, SIZES } from './cases.js';
import { benchDatabaseUrl, openFreshStore, postgresUnavailable } from './engines.js';
import { BENCH_DIR, machineInfo, markdownTable, peakRssBytes, reportToParent, runInChild, summarise, updateMarkdownSection, writeJson, type MachineInfo, type Timings } from './harness.js';

/** One measured operation of the people-list bench. */
export interface PeopleListResult {
  readonly id: string;
  readonly label: string;
  readonly engine: Engine;
  readonly people: number;
  readonly pageSize: number;
  readonly timings: Timings;
  /** HTTP requests the page needs (null for the statement alone). */
  readonly requestsPerPage: number | null;
  readonly rowsReturned: number;
  readonly peakRssBytes: number;
}

interface Run {
  readonly size: 'small' | 'full';
  readonly people: number;
  readonly machine: MachineInfo;
  readonly notes: readonly string[];
  readonly results: readonly PeopleListResult[];
}

const ITERATIONS = { small: 30, full: 150 } as const;
const WARMUP = { small: 5, full: 20 } as const;

type Op = () => Promise<{ requests: number | null; rows: number }>;

/**
 * Samples the operations in blocks, A B C … then … C B A, so that a drift of the shared
 * machine falls on every operation alike.
 */
async function interleave(ops: Readonly<Record<string, Op>>, iterations: number, warmup: number): Promise<Map<string, { samples: number[]; requests: number | null; rows: number }>> {
  const names = Object.keys(ops);
  const out = new Map(names.map((n) => [n, { samples: [] as number[], requests: null as number | null, rows: 0 }]));
  for (const n of names) for (let i = 0; i < warmup; i++) await ops[n]?.();
  const blocks = 4;
  for (let b = 0; b < blocks; b++) {
    for (const n of b % 2 === 0 ? names : [...names].reverse()) {
      const entry = out.get(n);
      const op = ops[n];
      if (!entry || !op) continue;
      for (let i = 0; i < Math.ceil(iterations / blocks); i++) {
        const t0 = performance.now();
        const r = await op();
        entry.samples.push(performance.now() - t0);
        entry.requests = r.requests;
        entry.rows = r.rows;
      }
    }
  }
  return out;
}

/** The child: seeds a fresh store, builds the app, measures. */
export async function peopleListChild(name: string): Promise<void> {
  const [, engineName, sizeName] = name.split(':');
  const engine = engineName as Engine;
  const size = SIZES[sizeName === 'full' ? 'full' : 'small'];
  const store = await openFreshStore(engine, 'people_list');
  const results: PeopleListResult[] = [];
  try {
    const t0 = performance.now();
    await seedDemo(store.db, { people: size.people, seed: BENCH_SEED, now: BENCH_NOW });
    console.log(`seeded ${size.people.toLocaleString('en')} people on ${engine} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    const policy = await benchPolicy();
    const { buildApp } = await import('../src/app.js');
    const app = await buildApp({ store, policy, logger: false });
    const headers = { authorization: await benchBearer(store, policy) };
    const get = async (url: string): Promise<{ items?: Record<string, unknown>[] } & Record<string, unknown>> => {
      const r = await app.inject({ method: 'GET', url, headers });
      if (r.statusCode !== 200) throw new Error(`GET ${url.replace(/\?.*/, '')} answered ${r.statusCode}`);
      return r.json();
    };
    const people = resource('people');
    const ctx = { db: store.db, policy, now: () => new Date() };
    const organisations = { purposes: ['crm', 'prospecting'] };
    // A name and a deep cursor taken from the data: the same on every run.
    const middle = await store.db.selectFrom('people').select(['id', 'lastName']).orderBy('id').offset(Math.floor(size.people / 2)).limit(1).executeTakeFirstOrThrow();
    const deep = await store.db.selectFrom('people').select('id').orderBy('id').offset(Math.max(0, size.people - 200)).limit(1).executeTakeFirstOrThrow();
    const deepCursor = Buffer.from(deep.id, 'utf8').toString('base64url');
    try {
      for (const pageSize of [25, 100]) {
        const list = `/api/v1/people?limit=${pageSize}`;
        const ops: Record<string, Op> = {
          joined: async () => {
            const page = await get(list);
            const items = page.items ?? [];
            if (items.some((p) => typeof p.organisationId === 'string' && typeof p.organisationName !== 'string')) throw new Error('a listed person has no organisation name');
            return { requests: 1, rows: items.length };
          },
          'n+1': async () => {
            const page = await get(list);
            const ids = (page.items ?? []).map((p) => p.organisationId).filter((id): id is string => typeof id === 'string');
            await Promise.all(ids.map((id) => get(`/api/v1/organisations/${id}`)));
            return { requests: 1 + ids.length, rows: page.items?.length ?? 0 };
          },
          'n+1-cached': async () => {
            const page = await get(list);
            const ids = [...new Set((page.items ?? []).map((p) => p.organisationId).filter((id): id is string => typeof id === 'string'))];
            await Promise.all(ids.map((id) => get(`/api/v1/organisations/${id}`)));
            return { requests: 1 + ids.length, rows: page.items?.length ?? 0 };
          },
          'query-joined': async () => ({ requests: null, rows: (await listRecords({ ...ctx, organisationNames: organisations }, people, { limit: pageSize })).items.length }),
          'query-plain': async () => ({ requests: null, rows: (await listRecords(ctx, people, { limit: pageSize })).items.length }),
        };
        if (pageSize === 25) {
          ops['search-name'] = async () => ({ requests: 1, rows: (await get(`${list}&q=${encodeURIComponent(String(middle.lastName))}`)).items?.length ?? 0 });
          ops['search-absent'] = async () => ({ requests: 1, rows: (await get(`${list}&q=zzzz-absent`)).items?.length ?? 0 });
          ops['deep-page'] = async () => ({ requests: 1, rows: (await get(`${list}&cursor=${deepCursor}`)).items?.length ?? 0 });
        }
        const measured = await interleave(ops, ITERATIONS[size.name], WARMUP[size.name]);
        for (const [id, m] of measured) {
          results.push({ id, label: LABELS[id] ?? id, engine, people: size.people, pageSize, timings: summarise(m.samples), requestsPerPage: m.requests, rowsReturned: m.rows, peakRssBytes: peakRssBytes() });
          console.log(`  ${engine} ${id} ×${pageSize}: median ${summarise(m.samples).medianMs.toFixed(2)} ms, ${m.requests ?? '–'} request(s), ${m.rows} rows`);
        }
      }
    } finally {
      await app.close();
    }
  } finally {
    await store.close();
  }
  reportToParent(results);
}

const LABELS: Readonly<Record<string, string>> = {
  joined: 'first page, names joined (GET /api/v1/people)',
  'n+1': 'baseline: first page, then GET /organisations/:id per row',
  'n+1-cached': 'baseline as the old back office ran it: per distinct organisation of the page (its name cache)',
  'query-joined': 'the list statement alone, with the join (listRecords)',
  'query-plain': 'the list statement alone, without the join',
  'search-name': 'first page of a search for a last name (q)',
  'search-absent': 'a search that finds nobody (q, whole table)',
  'deep-page': 'a page near the end (keyset cursor)',
};

const ms = (v: number): string => (v < 10 ? v.toFixed(2) : v.toFixed(1));

function render(run: Run): string {
  const m = run.machine;
  const rows = run.results.map((r) => {
    const joined = run.results.find((o) => o.engine === r.engine && o.pageSize === r.pageSize && o.id === 'joined');
    const ratio = r.id.startsWith('n+1') && joined ? `${(r.timings.medianMs / joined.timings.medianMs).toFixed(2)}× joined` : r.id === 'joined' ? '1' : '';
    return [r.label, r.engine, String(r.pageSize), String(r.rowsReturned), r.requestsPerPage === null ? '–' : String(r.requestsPerPage), `${ms(r.timings.medianMs)} ms`, `${ms(r.timings.p95Ms)} ms`, ratio];
  });
  return [
    `Measured ${m.date.slice(0, 16).replace('T', ' ')} UTC on ${m.cpu} (${m.cores} cores), ${m.memoryGiB} GiB RAM, Node ${m.node}, ${m.platform}, load average ${(m.loadAverage ?? []).join(' / ')} at the start; ${run.people.toLocaleString('en')} people (seedDemo), role \`${BENCH_ROLE}\` by bearer token, \`app.inject\`, ${ITERATIONS[run.size]} timed runs per line, interleaved.`,
    '',
    markdownTable(['Case', 'Engine', 'Page size', 'Rows', 'API requests per page', 'Time to first row (median)', 'p95', 'vs joined'], rows),
    ...(run.notes.length > 0 ? ['', ...run.notes] : []),
  ].join('\n');
}

/** Runs the cases in a child per engine and writes the `people-list-<size>` section of BENCHMARKS.md. */
export async function runPeopleListBench(script: string, sizeName: 'small' | 'full'): Promise<PeopleListResult[]> {
  const machine = machineInfo();
  const notes: string[] = [];
  let engines: Engine[] = ['pglite', 'postgres'];
  const only = process.env.BENCH_PEOPLE_LIST_ENGINES;
  if (only) engines = engines.filter((e) => only.split(',').includes(e));
  if (engines.includes('postgres')) {
    const why = await postgresUnavailable(benchDatabaseUrl());
    if (why !== null) {
      engines = engines.filter((e) => e !== 'postgres');
      notes.push(`PostgreSQL skipped: no server answered (${why}).`);
    }
  }
  const results: PeopleListResult[] = [];
  for (const engine of engines) {
    console.log(`[people-list] ${engine}`);
    results.push(...(await runInChild<PeopleListResult>(script, ['--child', `people-list:${engine}:${sizeName}`, '--size', sizeName], `people-list ${engine}`)));
  }
  const run: Run = { size: sizeName, people: SIZES[sizeName].people, machine, notes, results };
  writeJson(join(BENCH_DIR, 'results', `people-list-${sizeName}.json`), run);
  updateMarkdownSection(join(BENCH_DIR, '..', 'BENCHMARKS.md'), `people-list-${sizeName}`, render(run));
  return results;
}
