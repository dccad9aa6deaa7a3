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
 */

const AT = '2031-01-03';
const FIXTURES = 8; // 8 × 6 people, invoices, logs…, swept in batches of 3
const KILLS = 20;
const ENTRY = resolve('src/cli/main.ts');
const CHILD = `const { main } = await import(${JSON.stringify(ENTRY)}); process.exitCode = await main(process.argv);`;

interface Target {
  readonly flags: string[];
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
    return { flags: ['--data-dir', dir], open: () => openStore({ dataDir: dir, command: 'crash test' }), drop: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const url = process.env.TEST_DATABASE_URL!;
  const db = `rempart_crash_${name}_${process.pid}`;
  await admin(url, `drop database if exists ${db}`);
  await admin(url, `create database ${db}`);
  const u = new URL(url);
  u.pathname = `/${db}`;
  return { flags: ['--database-url', u.toString()], open: () => openStore({ databaseUrl: u.toString(), command: 'crash test' }), drop: () => admin(url, `drop database if exists ${db}`) };
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

/** Runs `rempart retention run` in a child process; kills it with SIGKILL after `killAfter` ms when given. */
function sweep(t: Target, killAfter?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number }> {
  const started = Date.now();
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', CHILD, 'rempart', 'retention', 'run', '--at', AT, '--batch-size', '3', ...t.flags], {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, REMPART_AUDIT_SIGNING_KEY: undefined },
    });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const timer = killAfter === undefined ? null : setTimeout(() => child.kill('SIGKILL'), killAfter);
    child.on('error', fail);
    child.on('exit', (code, signal) => {
      if (timer) clearTimeout(timer);
      if (code !== null && code !== 0) fail(new Error(`sweep exited ${code}: ${err.slice(0, 2000)}`));
      else done({ code, signal, ms: Date.now() - started });
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

      const cleanRun = await sweep(clean);
      expect(cleanRun.code).toBe(0);
      const expected = await digest(clean);
      expect(expected).not.toBe(before);

      // Kill points spread over the whole run, start-up included; the run's length is the clean run's.
      let killed = 0;
      for (let attempt = 0; killed < KILLS && attempt < KILLS * 2; attempt++) {
        const r = await sweep(crashed, Math.floor(Math.random() * cleanRun.ms));
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
      console.log(`[crash test ${engine}] ${killed} kills, clean run ${cleanRun.ms} ms`);
      // A second clean run changes nothing (idempotent).
      await sweep(clean);
      expect(await digest(clean)).toBe(expected);
    }, 600_000);
  });
}
