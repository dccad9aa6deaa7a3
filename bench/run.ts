/**
 * `npm run bench [-- --size small|full]`: runs every case, each in a child process of its
 * own, then writes bench/results/latest.json (and <size>.json) and the size's tables in
 * BENCHMARKS.md. `--child CASE` is the internal entry point of those child processes.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { describeDatabaseUrl, type Engine } from '../src/db/database.js';
import type { DemoCounts } from '../src/demo/index.js';
import { baselineCase, openSeededStore, readCase, seedCase, SIZES, type SeededStore, type SizeConfig } from './cases.js';
import { benchDatabaseUrl, postgresUnavailable } from './engines.js';
import { BENCH_DIR, machineInfo, reportToParent, runInChild, updateMarkdownSection, writeJson, type CaseResult } from './harness.js';
import { renderRun, type BenchRun } from './report.js';

const SCRIPT = fileURLToPath(import.meta.url);

function parse(argv: readonly string[]): { size: SizeConfig; child?: string; engine?: Engine; counts?: DemoCounts; only?: string } {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      size: { type: 'string', default: 'small' },
      child: { type: 'string' },
      engine: { type: 'string' },
      counts: { type: 'string' },
      only: { type: 'string' },
    },
    strict: true,
  });
  const sizeName = values.size;
  if (sizeName !== 'small' && sizeName !== 'full') throw new Error(`--size must be small or full, got "${sizeName}"`);
  const engine = values.engine;
  if (engine !== undefined && engine !== 'pglite' && engine !== 'postgres') throw new Error(`--engine must be pglite or postgres, got "${engine}"`);
  return {
    size: SIZES[sizeName],
    child: values.child,
    engine,
    counts: values.counts === undefined ? undefined : (JSON.parse(values.counts) as DemoCounts),
    only: values.only,
  };
}

/** The gate case, or a skip note when the access code cannot be loaded or fails (it may be mid-change). */
async function gateCaseOrSkip(engine: Engine, size: SizeConfig, seeded: SeededStore): Promise<CaseResult[]> {
  try {
    // Loaded here only: the gate case builds the API, which may be mid-change while others work.
    const { gateCase } = await import('./access-cases.js');
    return await gateCase(engine, size, seeded);
  } catch (e) {
    const why = `the gate case failed (${(e as Error).message.split('\n')[0]})`;
    console.log(`gate ${engine}: skipped, ${why}`);
    return [{ id: 'read-gated', label: 'read one person, token + gate + audit', engine, timings: null, skipped: why, peakRssBytes: 0, peakHeapBytes: 0 }];
  }
}

async function child(name: string, engine: Engine | undefined, size: SizeConfig, counts: DemoCounts | undefined): Promise<void> {
  if (name.startsWith('dedupe:')) return (await import('./dedupe-cases.js')).dedupeChild(name);
  if (name.startsWith('import')) return (await import('./import.js')).importChild(name);
  if (name.startsWith('people-list:')) return (await import('./people-list.js')).peopleListChild(name);
  if (name.startsWith('training:')) return (await import('./training.js')).trainingChild(name, size.name === 'full' ? 'full' : 'small');
  if (!engine) throw new Error('--child needs --engine');
  let results: CaseResult[];
  if (name === 'seed') results = await seedCase(engine, size);
  else if (name === 'baseline') {
    if (!counts) throw new Error('--child baseline needs --counts');
    results = await baselineCase(engine, size, counts);
  } else if (name === 'read') {
    // The plain reads and the gated-vs-ungated reads share one seeded store.
    const seeded = await openSeededStore(engine, size, 'read');
    try {
      results = await readCase(engine, size, seeded);
      results.push(...(await gateCaseOrSkip(engine, size, seeded)));
    } finally {
      await seeded.store.close();
    }
  } else if (name === 'rights') {
    const { rightsCase } = await import('./rights-cases.js');
    results = await rightsCase(engine, size);
  } else if (name === 'retention') {
    const { retentionCase } = await import('./retention.js');
    results = await retentionCase(engine, size.name === 'full' ? 1_000_000 : 3_000);
  } else if (name === 'audit') {
    const { auditCase } = await import('./access-cases.js');
    results = await auditCase(engine, size);
  } else throw new Error(`unknown case "${name}"`);
  reportToParent(results);
}

async function main(): Promise<void> {
  const args = parse(process.argv.slice(2));
  if (args.child !== undefined) {
    await child(args.child, args.engine, args.size, args.counts);
    return;
  }
  const size = args.size;
  // `--only dedupe`: the deduplication cases alone (issue 6), section dedupe-<size>.
  if (args.only === 'dedupe') return void (await (await import('./dedupe-cases.js')).runDedupeBench(SCRIPT, size.name));
  if (args.only === 'import') return void (await (await import('./import.js')).runImportBench(SCRIPT, size.name));
  if (args.only === 'people-list') return void (await (await import('./people-list.js')).runPeopleListBench(SCRIPT, size.name));
  // `--only training`: ingestion through the platforms' endpoints and the close (issue 19), section training-<size>.
  if (args.only === 'training') return void (await (await import('./training.js')).runTrainingBench(SCRIPT, size.name));
  const started = performance.now();
  const machine = machineInfo();
  console.log(`bench ${size.name}: ${size.people.toLocaleString('en')} people; ${machine.cpu}, ${machine.cores} cores, Node ${machine.node}`);

  const engines: Engine[] = ['pglite'];
  const notes: string[] = [];
  const pgUrl = benchDatabaseUrl();
  const why = await postgresUnavailable(pgUrl);
  if (why === null) engines.push('postgres');
  else {
    const note = `PostgreSQL cases skipped: no server answered at ${describeDatabaseUrl(pgUrl)} (${why}); set BENCH_DATABASE_URL.`;
    console.log(note);
    notes.push(note);
  }

  const cases: CaseResult[] = [];
  const since = (t0: number): string => `${((performance.now() - t0) / 1000).toFixed(1)} s`;
  for (const engine of engines) {
    const engineStarted = performance.now();
    const common = ['--engine', engine, '--size', size.name];
    console.log(`\n[${engine}] seeding`);
    const seeded = await runInChild(SCRIPT, ['--child', 'seed', ...common], `seed ${engine}`);
    cases.push(...seeded);
    const counts = seeded[0]?.extra?.counts as DemoCounts | undefined;
    if (!counts) throw new Error('the seed case reported no row counts');
    console.log(`[${engine}] baseline`);
    cases.push(...(await runInChild(SCRIPT, ['--child', 'baseline', '--counts', JSON.stringify(counts), ...common], `baseline ${engine}`)));
    console.log(`[${engine}] reads: bare, API, gated vs ungated`);
    cases.push(...(await runInChild(SCRIPT, ['--child', 'read', ...common], `read ${engine}`)));
    console.log(`[${engine}] audit appends`);
    cases.push(...(await runInChild(SCRIPT, ['--child', 'audit', ...common], `audit ${engine}`)));
    if (engine === 'postgres') {
      // Issue 5: the sweep beside hand-written SQL, and the plan (1M people at full size, on PostgreSQL only).
      console.log(`[${engine}] retention sweep and plan`);
      cases.push(...(await runInChild(SCRIPT, ['--child', 'retention', ...common], `retention ${engine}`)));
    }
    console.log(`[${engine}] rights: access export, erasure`);
    cases.push(...(await runInChild(SCRIPT, ['--child', 'rights', ...common], `rights ${engine}`)));
    console.log(`[${engine}] done in ${since(engineStarted)}`);
  }
  // Deduplication (issue 6): engine-independent, its own section of BENCHMARKS.md.
  await (await import('./dedupe-cases.js')).runDedupeBench(SCRIPT, size.name);
  await (await import('./import.js')).runImportBench(SCRIPT, size.name);
  // The people list (issue 16, item 6): its own section of BENCHMARKS.md.
  await (await import('./people-list.js')).runPeopleListBench(SCRIPT, size.name);
  await (await import('./training.js')).runTrainingBench(SCRIPT, size.name);

  const run: BenchRun = {
    size: size.name,
    people: size.people,
    machine,
    durationSeconds: (performance.now() - started) / 1000,
    notes,
    cases,
  };
  const results = join(BENCH_DIR, 'results');
  writeJson(join(results, 'latest.json'), run);
  // Kept per size too, so a small run does not hide the last full one.
  writeJson(join(results, `${size.name}.json`), run);
  const section = renderRun(run);
  updateMarkdownSection(join(BENCH_DIR, '..', 'BENCHMARKS.md'), size.name, section);
  console.log(`\n${section}\n\nWrote bench/results/latest.json, bench/results/${size.name}.json and BENCHMARKS.md (section "${size.name}").`);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? (e.stack ?? e.message) : e);
  process.exitCode = 1;
});
