import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { describeEachEngine } from '../../test/engines.js';
import { isRempartError } from '../errors.js';
import { EMBEDDED_PG_MAJOR, openStore, PGLITE_SUBDIR } from './database.js';
import { newId } from './ids.js';
import { LOCK_FILE } from './lock.js';
import { knownMigrations, migrateToLatest } from './migrate.js';

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'rempart-db-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describeEachEngine('database layer', (store, engine) => {
  it('reports its engine and has every migration applied', async () => {
    expect(store().engine).toBe(engine);
    const rows = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(store().db);
    expect(rows.rows.map((r) => r.name)).toEqual([...knownMigrations()]);
  });

  it('the embedded major version constant matches the running PGlite', async () => {
    if (engine !== 'pglite') return;
    const r = await sql<{ v: string }>`select current_setting('server_version_num') as v`.execute(store().db);
    expect(String(Math.floor(Number(r.rows[0]?.v) / 10000))).toBe(EMBEDDED_PG_MAJOR);
  });

  it('migrating again changes nothing', async () => {
    expect(await migrateToLatest(store().db)).toEqual([]);
  });

  it('keeps dates as YYYY-MM-DD strings on both engines', async () => {
    const orgId = newId();
    await store().db.insertInto('organisations').values({ id: orgId, name: 'ACME', addresses: '[]' }).execute();
    const id = newId();
    await store()
      .db.insertInto('contracts')
      .values({ id, organisationId: orgId, offer: 'Audit', startDate: '2024-02-29' })
      .execute();
    const row = await store().db.selectFrom('contracts').select('startDate').where('id', '=', id).executeTakeFirstOrThrow();
    expect(row.startDate).toBe('2024-02-29');
  });

  it('runs concurrent transactions without mixing their statements', async () => {
    const ids = Array.from({ length: 8 }, () => newId());
    const results = await Promise.allSettled(
      ids.map((id, i) =>
        store().db.transaction().execute(async (tx) => {
          await tx.insertInto('organisations').values({ id, name: `T${i}`, addresses: '[]' }).execute();
          await new Promise((r) => setTimeout(r, 5));
          if (i % 2 === 1) throw new Error('rollback this one');
        }),
      ),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(4);
    const kept = await store().db.selectFrom('organisations').select('name').where('id', 'in', ids).execute();
    expect(kept.map((r) => r.name).sort()).toEqual(['T0', 'T2', 'T4', 'T6']);
  });
});

describe('embedded data dir', () => {
  it('creates and migrates a new data dir, and keeps its data across opens', async () => {
    const dir = tempDir();
    const a = await openStore({ dataDir: dir, command: 'test' });
    await a.db.insertInto('organisations').values({ id: newId(), name: 'Persisted', addresses: '[]' }).execute();
    await a.close();
    const b = await openStore({ dataDir: dir, command: 'test' });
    const rows = await b.db.selectFrom('organisations').select('name').execute();
    await b.close();
    expect(rows.map((r) => r.name)).toEqual(['Persisted']);
  }, 60_000);

  it('a second process on the same data dir stops with an error naming the holder', async () => {
    const dir = tempDir();
    const a = await openStore({ dataDir: dir, command: 'rempart serve' });
    try {
      const holder = JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8')) as { pid: number };
      expect(holder.pid).toBe(process.pid);
      // Same process, second open: refused too.
      await expect(openStore({ dataDir: dir, command: 'rempart demo seed' })).rejects.toThrow(/already open/);
      // Another live process: simulate by writing its pid (our parent is alive).
      writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ pid: process.ppid, host: (await import('node:os')).hostname(), command: 'rempart serve', since: 'now' }));
      const err = await openStore({ dataDir: dir, command: 'rempart demo seed' }).catch((e: unknown) => e);
      expect(isRempartError(err, 'STORE_LOCKED')).toBe(true);
      expect((err as Error).message).toContain(`"rempart serve" (pid ${process.ppid}`);
    } finally {
      await a.close();
    }
  }, 60_000);

  it('takes over a lock whose holder is dead', async () => {
    const dir = tempDir();
    const dead = spawn(process.execPath, ['-e', '0']);
    const pid = dead.pid ?? 999999;
    await new Promise((r) => dead.on('exit', r));
    writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ pid, host: (await import('node:os')).hostname(), command: 'old', since: 'then' }));
    const s = await openStore({ dataDir: dir, command: 'test' });
    const holder = JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8')) as { pid: number };
    expect(holder.pid).toBe(process.pid);
    await s.close();
  }, 60_000);

  it('refuses a corrupt data dir and leaves it untouched', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, PGLITE_SUBDIR));
    writeFileSync(join(dir, PGLITE_SUBDIR, 'garbage'), 'not a database');
    const err = await openStore({ dataDir: dir, command: 'test' }).catch((e: unknown) => e);
    expect(isRempartError(err, 'STORE_CORRUPT')).toBe(true);
    expect(readFileSync(join(dir, PGLITE_SUBDIR, 'garbage'), 'utf8')).toBe('not a database');
  });

  it('refuses a database written by a newer schema, and leaves it untouched', async () => {
    const dir = tempDir();
    const a = await openStore({ dataDir: dir, command: 'test' });
    await sql`insert into kysely_migration (name, timestamp) values ('29990101T0000-from-the-future', now())`.execute(a.db);
    await a.close();
    const err = await openStore({ dataDir: dir, command: 'test' }).catch((e: unknown) => e);
    expect(isRempartError(err, 'STORE_SCHEMA_NEWER')).toBe(true);
    expect((err as Error).message).toContain('29990101T0000-from-the-future');
    // The lock was released on the failure path, and the data is still there.
    const b = await openStore({ dataDir: dir, command: 'test', migrate: false });
    const n = await sql<{ n: number }>`select count(*)::int as n from kysely_migration`.execute(b.db);
    await b.close();
    expect(n.rows[0]?.n).toBe(knownMigrations().length + 1);
  }, 60_000);
});
