import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openStore, type Engine, type Store } from '../src/db/database.js';

/** The PostgreSQL server the bench uses: BENCH_DATABASE_URL, else the local default. */
export function benchDatabaseUrl(): string {
  return process.env.BENCH_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
}

/** Null when the PostgreSQL server answers, else why not (for the skip note). */
export async function postgresUnavailable(url: string = benchDatabaseUrl()): Promise<string | null> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('select 1');
    return null;
  } catch (e) {
    return (e as Error).message || String(e);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Runs one statement on its own connection (create or drop a database). */
export async function adminQuery(url: string, text: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

/** A fresh, migrated store that removes itself (temp dir or database) on close. */
export async function openFreshStore(engine: Engine, label: string): Promise<Store & { readonly url?: string }> {
  if (engine === 'pglite') {
    const dir = mkdtempSync(join(tmpdir(), `rempart-bench-${label}-`));
    const store = await openStore({ dataDir: dir, command: `bench ${label}` });
    return {
      ...store,
      async close() {
        await store.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const url = benchDatabaseUrl();
  // Identifiers cannot be bound as parameters; this name is made of [a-z0-9_] only.
  const name = `rempart_bench_${label.replace(/[^a-z0-9]/g, '_')}_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  await adminQuery(url, `create database ${name}`);
  const u = new URL(url);
  u.pathname = `/${name}`;
  try {
    const store = await openStore({ databaseUrl: u.toString(), command: `bench ${label}` });
    return {
      ...store,
      // For cases that start server processes on it (bench/sigkill.ts, bench/gate-load.ts).
      url: u.toString(),
      async close() {
        await store.close();
        await adminQuery(url, `drop database if exists ${name} with (force)`);
      },
    };
  } catch (e) {
    await adminQuery(url, `drop database if exists ${name} with (force)`);
    throw e;
  }
}
