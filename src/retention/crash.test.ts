import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore, type Engine } from '../db/database.js';
import { testEngines } from '../../test/engines.js';
import { retentionDigest, retentionDump, seedRetentionFixture } from './test-support.js';

/**
 * P4.6: the sweep killed with SIGKILL at random moments, at least 20 times, then run to
 * the end, leaves the database exactly as one clean run does (digest of every table it
 * touches, audit excepted: its batch boundaries differ by design).
 *
 * The child is `sweep-child.ts` (the sweep and the store only, not the whole CLI), and the
 * kills are aimed after the store is open (`ready`), at a random point inside the time a
 * sweep with nothing left to do takes: every attempt then kills, and each kill lands in
 * the sweep's own work (reads, batches, the archive, the purges), never in start-up.
 */

const AT = '2031-01-03';
const FIXTURES = 4; // 4 × 6 people, invoices, logs…, swept in batches of 3
const KILLS = 20;
const CHILD = resolve('src/retention/sweep-child.ts');

interface Target {
  /** The data dir or the PostgreSQL URL, as the child takes it. */
  readonly where: string;
  open(): ReturnType<typeof openStore>;
  drop(): Promise<void>;
}

async function admin(url: string, text: string): Promise<void> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await c.query(text);
  } finally {
    await c.end();
  }
}

async function target(engine: Engine, name: string): Promise<Target> {
  if (engine === 'pglite') {
    const dir = mkdtempSync(join(tmpdir(), `rempart-crash-${name}-`));
    return { where: dir, open: () => openStore({ dataDir: dir, command: 'crash test' }), drop: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const url = process.env.TEST_DATABASE_URL!;
  const db = `rempart_crash_${name}_${process.pid}`;
  await admin(url, `drop database if exists ${db}`);
  await admin(url, `create database ${db}`);
  const u = new URL(url);
  u.pathname = `/${db}`;
  return { where: u.toString(), open: () => openStore({ databaseUrl: u.toString(), command: 'crash test' }), drop: () => admin(url, `drop database if exists ${db}`) };
}

async function seed(t: Target): Promise<string> {
  const store = await t.open();
  try {
    for (let i = 1; i <= FIXTURES; i++) await seedRetentionFixture(store.db, i);
    return await retentionDigest(store.db);
  } finally {
    await store.close();
  }
}

async function digest(t: Target): Promise<string> {
  const store = await t.open();
  try {
    return await retentionDigest(store.db);
  } finally {
    await store.close();
  }
}

async function dump(t: Target): Promise<string[]> {
  const store = await t.open();
  try {
    return await retentionDump(store.db);
  } finally {
    await store.close();
  }
}

/**
 * Runs the sweep in a child process; with `killAfter`, kills it with SIGKILL that many ms
 * after it reports its store open. `ms` is the sweep's own time (from `ready`).
 */
function sweep(t: Target, killAfter?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, t.where, AT, '3'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, REMPART_AUDIT_SIGNING_KEY: undefined },
    });
    let err = '';
    let ready = 0;
    let timer: NodeJS.Timeout | null = null;
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      if (ready === 0 && d.toString().includes('ready')) {
        ready = Date.now();
        if (killAfter !== undefined) timer = setTimeout(() => child.kill('SIGKILL'), killAfter);
      }
    });
    child.on('error', fail);
    child.on('exit', (code, signal) => {
      if (timer) clearTimeout(timer);
      if (code !== null && code !== 0) fail(new Error(`sweep exited ${code}: ${err.slice(0, 2000)}`));
      else done({ code, signal, ms: ready === 0 ? 0 : Date.now() - ready });
    });
  });
}

for (const engine of testEngines()) {
  describe(`retention sweep crash test [${engine}]`, () => {
    const targets: Target[] = [];
    afterAll(async () => {
      for (const t of targets) await t.drop();
    });

    it(`P4.6 killed with SIGKILL ${KILLS} times at random moments, then rerun: the same end state as one clean run`, async () => {
      const clean = await target(engine, 'clean');
      const crashed = await target(engine, 'crashed');
      targets.push(clean, crashed);
      const before = await seed(clean);
      expect(await seed(crashed)).toBe(before);

      const started = Date.now();
      const cleanRun = await sweep(clean);
      expect(cleanRun.code).toBe(0);
      const expected = await digest(clean);
      expect(expected).not.toBe(before);
      // A second clean run changes nothing (idempotent); its length is the floor of any run's.
      const idle = await sweep(clean);
      expect(await digest(clean)).toBe(expected);

      // Kill points at random inside the shortest run, so each attempt kills; the work left shrinks with each kill.
      let killed = 0;
      for (let attempt = 0; killed < KILLS && attempt < KILLS * 2; attempt++) {
        const r = await sweep(crashed, Math.floor(Math.random() * Math.max(1, idle.ms * 0.9)));
        if (r.signal === 'SIGKILL') killed++;
      }
      // The kills left the sweep half done (else the test would prove nothing about resuming).
      expect(await digest(crashed)).not.toBe(before);
      const last = await sweep(crashed);
      expect(last.code).toBe(0);
      const got = await digest(crashed);
      if (got !== expected) {
        const [a, b] = [await dump(crashed), await dump(clean)];
        expect(a.filter((l) => !b.includes(l)), 'rows only in the crashed run').toEqual(b.filter((l) => !a.includes(l)));
      }
      expect(got).toBe(expected);
      expect(killed).toBeGreaterThanOrEqual(KILLS);
      console.log(`[crash test ${engine}] ${killed} kills, clean sweep ${cleanRun.ms} ms, idle sweep ${idle.ms} ms, whole test ${Date.now() - started} ms`);
    }, 600_000);
  });
}
