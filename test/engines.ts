import { readFileSync } from 'node:fs';
import pg from 'pg';
import { afterAll, beforeAll, describe, inject } from 'vitest';
import { openPgliteFromDump, openStore, type Engine, type Store } from '../src/db/database.js';

/** The engines this run covers: PGlite always, PostgreSQL when TEST_DATABASE_URL is set. */
export function testEngines(): Engine[] {
  return inject('pgTemplate') ? ['pglite', 'postgres'] : ['pglite'];
}

let dumpCache: Blob | undefined;

/** A fresh, migrated store on the engine, cloned from this run's template. */
export async function createTestStore(engine: Engine): Promise<Store> {
  return (await createTestStoreWithUrl(engine)).store;
}

/** As createTestStore, with the PostgreSQL database's URL (null on PGlite), for tests that start server processes on it. */
export async function createTestStoreWithUrl(engine: Engine): Promise<{ store: Store; url: string | null }> {
  if (engine === 'pglite') {
    dumpCache ??= new Blob([readFileSync(inject('pgliteTemplate'))]);
    return { store: await openPgliteFromDump(dumpCache), url: null };
  }
  const url = process.env.TEST_DATABASE_URL;
  const template = inject('pgTemplate');
  if (!url || !template) throw new Error('PostgreSQL tests need TEST_DATABASE_URL');
  const name = `rempart_t_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  await adminQuery(url, `create database ${name} template ${template}`);
  const u = new URL(url);
  u.pathname = `/${name}`;
  const store = await openStore({ databaseUrl: u.toString(), command: 'test', migrate: false });
  return {
    url: u.toString(),
    store: {
      ...store,
      async close() {
        await store.close();
        await adminQuery(url, `drop database if exists ${name} with (force)`);
      },
    },
  };
}

async function adminQuery(url: string, text: string): Promise<void> {
  // CREATE DATABASE … TEMPLATE fails while another session copies the same template:
  // retry briefly, since test files start in parallel.
  for (let attempt = 0; ; attempt++) {
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      await admin.query(text);
      return;
    } catch (e) {
      if (attempt >= 20 || !/being accessed by other users/.test((e as Error).message)) throw e;
    } finally {
      await admin.end();
    }
    await new Promise((r) => setTimeout(r, 100 + Math.random() * 200));
  }
}

/**
 * Runs a suite once per engine, each with its own fresh store:
 * `describeEachEngine('people', (store) => { it(…, async () => { store().db … }) })`.
 */
export function describeEachEngine(name: string, body: (store: () => Store, engine: Engine) => void): void {
  for (const engine of testEngines()) {
    describe(`${name} [${engine}]`, () => {
      let store: Store | undefined;
      beforeAll(async () => {
        store = await createTestStore(engine);
      });
      afterAll(async () => {
        await store?.close();
      });
      body(() => {
        if (!store) throw new Error('store not ready');
        return store;
      }, engine);
    });
  }
}
