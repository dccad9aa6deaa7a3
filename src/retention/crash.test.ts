import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { PGlite } from '@electric-sql/pglite';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { openStore, PGLITE_SUBDIR, type Engine, type Store } from '../db/database.js';
import { testEngines } from '../../test/engines.js';
import { fixedId, retentionDump, seedRetentionFixture } from './test-support.js';

/**
 * P4.6: the sweep killed with SIGKILL at random moments, at least 20 times, then run to
 * the end, leaves the database exactly as one clean run does (digest of every table it
 * touches, audit excepted: its batch boundaries differ by design).
 *
 * Kept cheap enough for CI:
 * - the store is seeded once, from the run's migrated template (no migration here), and
 *   copied for the clean and the crashed runs (a folder copy, `create database … template`);
 * - the child (`sweep-child.ts`, the sweep and the store only) is bundled into one module
 *   and started ahead: while one child sweeps, the next loads and waits, so a restart
 *   costs little more than the store's opening (and PGlite's recovery);
 * - batches of 1 record make a small data set (4 fixtures: every rule, hold and action,
 *   staff accounts too) span some 30 batches, and kills are aimed at the child's own
 *   progress (`batch` lines): after a random number of the batches still to do, plus a
 *   random part of a batch's length, so every attempt kills inside the sweep's work.
 */

const AT = '2031-01-03';
const FIXTURES = 4;
const BATCH = 1;
const KILLS = 20;
const CHILD = resolve('src/retention/sweep-child.ts');

interface Target {
  /** The data dir or the PostgreSQL URL, as the child takes it. */
  readonly where: string;
  open(): ReturnType<typeof openStore>;
  drop(): Promise<void>;
}

async function admin(url: string, text: string): Promise<void> {
  // CREATE DATABASE … TEMPLATE fails while another session copies the same template: retry briefly.
  for (let attempt = 0; ; attempt++) {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    try {
      await c.query(text);
      return;
    } catch (e) {
      if (attempt >= 30 || !/being accessed by other users/.test((e as Error).message)) throw e;
    } finally {
      await c.end();
    }
    await new Promise((r) => setTimeout(r, 100 + Math.random() * 200));
  }
}

/** Seeds the fixtures, with staff accounts beside them (deactivated long ago: anonymised at AT; every third active); returns the digest. */
async function seed(t: Target): Promise<Digest> {
  const store = await t.open();
  try {
    const raw = store.db.withoutPlugins();
    for (let i = 1; i <= 3 * FIXTURES; i++) {
      const disabled = i % 3 === 0 ? null : new Date(Date.UTC(2019 + (i % 4), i % 12, 1 + i, 9));
      await sql`insert into accounts (id, email, role, password_hash, totp_secret, totp_enabled, recovery_code_hashes, disabled_at)
        values (${fixedId(90, i)}, ${`staff${i}@certilience.test`}, 'sales', 'hash', 'v1.a.b.c', true, '["00"]'::jsonb, ${disabled})`.execute(raw);
    }
    for (let i = 1; i <= FIXTURES; i++) await seedRetentionFixture(store.db, i);
    return await digestOf(store);
  } finally {
    await store.close();
  }
}

/** A seeded store and a factory of copies of it. */
async function seeded(engine: Engine): Promise<{ before: Digest; copy(name: string): Promise<Target>; drop(): Promise<void> }> {
  if (engine === 'pglite') {
    const source = mkdtempSync(join(tmpdir(), 'rempart-crash-seed-'));
    const pglite = await PGlite.create(join(source, PGLITE_SUBDIR), { loadDataDir: new Blob([readFileSync(inject('pgliteTemplate'))]) });
    await pglite.close();
    const dirTarget = (dir: string): Target => ({ where: dir, open: () => openStore({ dataDir: dir, command: 'crash test', migrate: false }), drop: async () => rmSync(dir, { recursive: true, force: true }) });
    const before = await seed(dirTarget(source));
    return {
      before,
      async copy(name) {
        const dir = mkdtempSync(join(tmpdir(), `rempart-crash-${name}-`));
        cpSync(source, dir, { recursive: true });
        return dirTarget(dir);
      },
      drop: async () => rmSync(source, { recursive: true, force: true }),
    };
  }
  const url = process.env.TEST_DATABASE_URL!;
  const at = (db: string) => {
    const u = new URL(url);
    u.pathname = `/${db}`;
    return u.toString();
  };
  const dbTarget = (db: string): Target => ({ where: at(db), open: () => openStore({ databaseUrl: at(db), command: 'crash test', migrate: false }), drop: () => admin(url, `drop database if exists ${db}`) });
  const source = `rempart_crash_seed_${process.pid}`;
  await admin(url, `drop database if exists ${source}`);
  await admin(url, `create database ${source} template ${inject('pgTemplate')}`);
  const before = await seed(dbTarget(source));
  return {
    before,
    async copy(name) {
      const db = `rempart_crash_${name}_${process.pid}`;
      await admin(url, `drop database if exists ${db}`);
      await admin(url, `create database ${db} template ${source}`);
      return dbTarget(db);
    },
    drop: () => admin(url, `drop database if exists ${source}`),
  };
}

interface Digest {
  readonly hash: string;
  readonly lines: string[];
}

/** The digest of what retention touches: the retention dump, and the staff accounts with their sessions. */
async function digestOf(store: Store): Promise<Digest> {
  const lines = await retentionDump(store.db);
  for (const table of ['accounts', 'sessions']) {
    const res = await sql<{ r: string }>`select (to_jsonb(t) - 'created_at')::text as r from ${sql.table(table)} t order by 1`.execute(store.db.withoutPlugins());
    lines.push(...res.rows.map((row) => `${table} ${row.r}`));
  }
  return { hash: createHash('sha256').update(lines.join('\n')).digest('hex'), lines };
}

async function digest(t: Target): Promise<Digest> {
  const store = await t.open();
  try {
    return await digestOf(store);
  } finally {
    await store.close();
  }
}

/** A child started ahead, warm (modules and policy loaded), waiting for `go`. */
interface Spare {
  readonly proc: ChildProcess;
  readonly warm: Promise<void>;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  readonly onLine: ((line: string) => void)[];
  stderr(): string;
}

const children: ChildProcess[] = [];
/** How node starts the child: the bundle when it could be built, else through tsx. */
let childArgs: string[] = ['--import', 'tsx', CHILD];
const BUNDLE_DIR = resolve('node_modules/.cache', `rempart-crash-${process.pid}`);

/**
 * Bundles the child into one ES module (esbuild, which tsx brings; packages stay
 * external), so that each start skips loading and transforming its hundred-odd
 * TypeScript files (about 1.5 s of CPU per start). Falls back to tsx.
 */
async function bundleChild(): Promise<void> {
  try {
    const { build } = await import('esbuild');
    const outfile = join(BUNDLE_DIR, 'sweep-child.mjs');
    await build({ entryPoints: [CHILD], bundle: true, platform: 'node', format: 'esm', packages: 'external', target: 'node20', outfile, logLevel: 'silent' });
    childArgs = [outfile];
  } catch {
    childArgs = ['--import', 'tsx', CHILD];
  }
}

function start(t: Target): Spare {
  const proc = spawn(process.execPath, [...childArgs, t.where, AT, String(BATCH), 'wait'], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, REMPART_AUDIT_SIGNING_KEY: undefined },
  });
  children.push(proc);
  let err = '';
  proc.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const onLine: ((line: string) => void)[] = [];
  createInterface({ input: proc.stdout! }).on('line', (l) => onLine.forEach((f) => f(l)));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) => proc.on('exit', (code, signal) => done({ code, signal })));
  const warm = new Promise<void>((done, fail) => {
    onLine.push((l) => l === 'warm' && done());
    void exited.then((e) => fail(new Error(`sweep child exited before it was warm (${e.code ?? e.signal}): ${err.slice(0, 2000)}`)));
  });
  warm.catch(() => undefined);
  return { proc, warm, exited, onLine, stderr: () => err };
}

/** Where to kill: after `afterBatches` committed batches (0: once the store is open), then `delayMs` later. */
interface KillPoint {
  readonly afterBatches: number;
  readonly delayMs: number;
}

/** Lets the spare sweep; kills it at `kill` if given. */
async function run(s: Spare, kill?: KillPoint): Promise<{ signal: NodeJS.Signals | null; batches: number; ms: number }> {
  await s.warm;
  let batches = 0;
  let readyAt = 0;
  let timer: NodeJS.Timeout | null = null;
  const arm = () => {
    timer = setTimeout(() => s.proc.kill('SIGKILL'), kill!.delayMs);
  };
  s.onLine.push((l) => {
    if (l === 'ready') {
      readyAt = Date.now();
      if (kill?.afterBatches === 0) arm();
    } else if (l === 'batch') {
      batches++;
      if (kill !== undefined && batches === kill.afterBatches) arm();
    }
  });
  s.proc.stdin!.write('go\n');
  const e = await s.exited;
  if (timer) clearTimeout(timer);
  if (e.code !== null && e.code !== 0) throw new Error(`sweep exited ${e.code}: ${s.stderr().slice(0, 2000)}`);
  return { signal: e.signal, batches, ms: readyAt === 0 ? 0 : Date.now() - readyAt };
}

const randomInt = (n: number) => Math.floor(Math.random() * n);

for (const engine of testEngines()) {
  describe(`retention sweep crash test [${engine}]`, () => {
    const drops: (() => Promise<void>)[] = [];
    afterAll(async () => {
      for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
      for (const d of drops) await d();
      rmSync(BUNDLE_DIR, { recursive: true, force: true });
    });

    it(`P4.6 killed with SIGKILL ${KILLS} times at random points of its work, then rerun: the same end state as one clean run`, async () => {
      const started = Date.now();
      await bundleChild();
      const source = await seeded(engine);
      drops.push(source.drop);
      const clean = await source.copy('clean');
      const crashed = await source.copy('crashed');
      drops.push(clean.drop, crashed.drop);
      const before = source.before;

      // The first crashed child warms up while the clean run sweeps.
      let spare = start(crashed);
      const cleanRun = await run(start(clean));
      expect(cleanRun.signal).toBeNull();
      const expected = await digest(clean);
      expect(expected.hash).not.toBe(before.hash);
      // Enough batches that kills aimed at them land inside the work, not after it.
      expect(cleanRun.batches).toBeGreaterThanOrEqual(KILLS);
      const batchMs = Math.max(1, cleanRun.ms / (cleanRun.batches + 1));

      let killed = 0;
      let done = 0;
      for (let attempt = 0; killed < KILLS && attempt < KILLS * 2; attempt++) {
        const current = spare;
        spare = start(crashed);
        // A random point among the next few batches still to do (once none is left, inside the sweep's reads).
        const left = Math.max(0, cleanRun.batches - done);
        const point = { afterBatches: left > 0 ? randomInt(Math.min(left, 3)) : 0, delayMs: Math.random() * batchMs };
        const r = await run(current, point);
        done += r.batches;
        if (r.signal === 'SIGKILL') killed++;
      }
      // The killed runs committed batches (else the test would prove nothing about resuming).
      expect(done).toBeGreaterThan(0);
      const last = await run(spare);
      expect(last.signal).toBeNull();
      const got = await digest(crashed);
      if (got.hash !== expected.hash) {
        expect(got.lines.filter((l) => !expected.lines.includes(l)), 'rows only in the crashed run').toEqual(expected.lines.filter((l) => !got.lines.includes(l)));
      }
      expect(got.hash).toBe(expected.hash);
      expect(killed).toBeGreaterThanOrEqual(KILLS);
      console.log(`[crash test ${engine}] ${killed} kills (child ${childArgs.length === 1 ? 'bundled' : 'through tsx'}), ${cleanRun.batches} batches in the clean sweep (${cleanRun.ms} ms), ${done} batches committed by the killed runs, ${last.batches} by the last, whole test ${Date.now() - started} ms`);
    }, 600_000);
  });
}
