import { sql } from 'kysely';
import type { Engine, Store } from '../src/db/database.js';
import { seedDemo, type DemoCounts } from '../src/demo/index.js';
import { insertBaseline } from './baseline.js';
import { openFreshStore } from './engines.js';
import { measure, measureEach, peakRssBytes, type CaseResult } from './harness.js';

/** How big a run is. */
export interface SizeConfig {
  readonly name: 'small' | 'full';
  /** People seeded per run (with their organisations, contracts, invoices, …). */
  readonly people: number;
  readonly seedIterations: number;
  /** Untimed runs first, so the JIT is warm for the timed ones. */
  readonly seedWarmup: number;
  readonly reads: number;
  readonly readWarmup: number;
  /** Gated vs ungated reads by app.inject, per side (issue 3). */
  readonly gateReads: number;
  readonly gateWarmup: number;
  /** Socket load: requests per timed round, rounds per side (3 for the profile's steps), untimed requests first. */
  readonly loadRequests: number;
  readonly loadRounds: number;
  readonly loadWarmup: number;
  /** Reads per step of the profile (app.inject), and whether the steps are also loaded over a socket. */
  readonly ladderReads: number;
  readonly ladderSocket: boolean;
  /** Calls per database call timed alone in the profile. */
  readonly callIterations: number;
  /** Audit events per timed round (8 writers on PostgreSQL, 1 on PGlite), and rounds per variant. */
  readonly auditEventsPg: number;
  readonly auditEventsPglite: number;
  readonly auditRounds: number;
  /** Rights (issue 4): people of the rights store per engine, access exports and erasures timed. */
  readonly rightsPeoplePglite: number;
  readonly rightsPeoplePg: number;
  readonly rightsExports: number;
  readonly rightsErasures: number;
}

/** The two sizes: `small` stays under about 90 s in all (CI runs it); `full` is the 100,000-people data set (rights on PostgreSQL: 1,000,000 people). */
export const SIZES: Readonly<Record<'small' | 'full', SizeConfig>> = Object.freeze({
  small: {
    name: 'small', people: 2_000, seedIterations: 3, seedWarmup: 1, reads: 500, readWarmup: 100,
    gateReads: 500, gateWarmup: 300, loadRequests: 500, loadRounds: 3, loadWarmup: 100, ladderReads: 300, ladderSocket: false,
    callIterations: 200, auditEventsPg: 400, auditEventsPglite: 200, auditRounds: 3,
    rightsPeoplePglite: 2_000, rightsPeoplePg: 2_000, rightsExports: 100, rightsErasures: 20,
  },
  full: {
    name: 'full', people: 100_000, seedIterations: 3, seedWarmup: 0, reads: 2_000, readWarmup: 200,
    gateReads: 2_000, gateWarmup: 1_000, loadRequests: 3_000, loadRounds: 5, loadWarmup: 500, ladderReads: 1_000, ladderSocket: true,
    callIterations: 2_000, auditEventsPg: 8_000, auditEventsPglite: 2_000, auditRounds: 5,
    rightsPeoplePglite: 100_000, rightsPeoplePg: Number(process.env.BENCH_RIGHTS_PEOPLE_PG ?? 1_000_000), rightsExports: 100, rightsErasures: 100,
  },
});

/** The seed and clock of every bench run: the same data set each time. */
export const BENCH_SEED = 42;
export const BENCH_NOW = new Date('2026-11-26T10:00:00Z');

const totalRows = (counts: DemoCounts): number => Object.values(counts).reduce((a, b) => a + b, 0);

/** Seeds `size.people` people with seedDemo into a fresh store per run. */
export async function seedCase(engine: Engine, size: SizeConfig): Promise<CaseResult[]> {
  let counts: DemoCounts | undefined;
  const { timings, peakHeapBytes } = await measure<Store>(
    {
      setup: () => openFreshStore(engine, 'seed'),
      run: async (store, i) => {
        const t0 = performance.now();
        counts = await seedDemo(store.db, { people: size.people, seed: BENCH_SEED, now: BENCH_NOW });
        console.log(`seedDemo ${engine} run ${i + 1}: ${((performance.now() - t0) / 1000).toFixed(2)} s`);
      },
      teardown: (store) => store.close(),
    },
    { iterations: size.seedIterations, warmup: size.seedWarmup },
  );
  if (!counts) throw new Error('seedDemo never ran');
  return [
    {
      id: 'seed',
      label: `seedDemo, ${size.people.toLocaleString('en')} people`,
      engine,
      timings,
      peakRssBytes: peakRssBytes(),
      peakHeapBytes,
      rows: totalRows(counts),
      extra: { counts },
    },
  ];
}

/** The same row counts written by the server alone (INSERT … SELECT … generate_series). */
export async function baselineCase(engine: Engine, size: SizeConfig, counts: DemoCounts): Promise<CaseResult[]> {
  const { timings, peakHeapBytes } = await measure<Store>(
    {
      setup: () => openFreshStore(engine, 'baseline'),
      run: async (store, i) => {
        const t0 = performance.now();
        await insertBaseline(store.db, counts);
        console.log(`baseline ${engine} run ${i + 1}: ${((performance.now() - t0) / 1000).toFixed(2)} s`);
      },
      teardown: (store) => store.close(),
    },
    { iterations: size.seedIterations, warmup: size.seedWarmup },
  );
  return [
    {
      id: 'seed-baseline',
      label: 'baseline: INSERT … SELECT … FROM generate_series, same rows',
      engine,
      timings,
      peakRssBytes: peakRssBytes(),
      peakHeapBytes,
      rows: totalRows(counts),
    },
  ];
}

/** A fresh store seeded with `size.people` people, and their ids in id order. */
export interface SeededStore {
  readonly store: Store;
  readonly ids: readonly string[];
}

/** Opens a fresh store and seeds it (untimed): the reading cases share it. */
export async function openSeededStore(engine: Engine, size: SizeConfig, label: string): Promise<SeededStore> {
  const store = await openFreshStore(engine, label);
  try {
    await seedDemo(store.db, { people: size.people, seed: BENCH_SEED, now: BENCH_NOW });
    const ids = (await store.db.selectFrom('people').select('id').orderBy('id').execute()).map((r) => r.id);
    return { store, ids };
  } catch (e) {
    await store.close();
    throw e;
  }
}

/** The API's answer to one read, as much of it as the bench looks at. */
interface Injected {
  readonly statusCode: number;
  readonly body: string;
}

/** The app built on `store` with a bearer token to send, or why it could not be. */
async function openApi(
  store: Store,
): Promise<{ inject: (url: string) => Promise<Injected>; close: () => Promise<void> } | { skipped: string }> {
  try {
    // Loaded late, and allowed to fail: the API may be mid-change while the bench runs.
    const { buildApp } = await import('../src/app.js');
    const { benchBearer, benchPolicy } = await import('./apps.js');
    const policy = await benchPolicy();
    const app = await buildApp({ store, policy, logger: false });
    // Every data route needs an actor now: a token of the bench role, sent as a program would.
    const authorization = await benchBearer(store, policy);
    return { inject: (url) => app.inject({ method: 'GET', url, headers: { authorization } }), close: () => app.close() };
  } catch (e) {
    return { skipped: `the API could not be built (${(e as Error).message.split('\n')[0]})` };
  }
}

/**
 * Reads one person at a time: through the API (`GET /api/v1/people/:id` with
 * `app.inject`, so no socket, with a bearer token: authentication, gate and audit) beside a bare `select * from people where id = $1` on the
 * same store. Both read the same ids in the same order.
 */
export async function readCase(engine: Engine, size: SizeConfig, seeded: SeededStore): Promise<CaseResult[]> {
  const { store, ids } = seeded;
  // A fixed stride through the ids: spread over the table, the same on every run.
  const idAt = (i: number): string => ids[(i * 7919) % ids.length] ?? '';
  const options = { iterations: size.reads, warmup: size.readWarmup };
  const results: CaseResult[] = [];

  const bare = await measureEach(async (i) => {
    const r = await sql`select * from people where id = ${idAt(i)}`.execute(store.db);
    if (r.rows.length !== 1) throw new Error(`bare read found ${r.rows.length} rows`);
  }, options);
  results.push({
    id: 'read-bare',
    label: 'read one person: select * from people where id = $1',
    engine,
    ...bare,
    peakRssBytes: peakRssBytes(),
  });

  const base = { id: 'read-api', label: 'read one person: GET /api/v1/people/:id with a token (app.inject)', engine } as const;
  const api = await openApi(store);
  if ('skipped' in api) {
    console.log(`read-api ${engine}: skipped, ${api.skipped}`);
    results.push({ ...base, timings: null, skipped: api.skipped, peakRssBytes: peakRssBytes(), peakHeapBytes: 0 });
    return results;
  }
  try {
    const probe = await api.inject(`/api/v1/people/${idAt(0)}`);
    if (probe.statusCode !== 200) {
      const why = `the API answered ${probe.statusCode}: ${probe.body.slice(0, 160)}`;
      console.log(`read-api ${engine}: skipped, ${why}`);
      results.push({ ...base, timings: null, skipped: why, peakRssBytes: peakRssBytes(), peakHeapBytes: 0 });
      return results;
    }
    const measured = await measureEach(async (i) => {
      const r = await api.inject(`/api/v1/people/${idAt(i)}`);
      if (r.statusCode !== 200) throw new Error(`API read answered ${r.statusCode}`);
    }, options);
    results.push({ ...base, ...measured, peakRssBytes: peakRssBytes() });
  } finally {
    await api.close();
  }
  return results;
}
