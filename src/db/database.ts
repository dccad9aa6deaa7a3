import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { CamelCasePlugin, Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { RempartError } from '../errors.js';
import { acquireDataDirLock, type DataDirLock } from './lock.js';
import { migrateToLatest } from './migrate.js';
import { SerialisedPGliteDialect } from './pglite-dialect.js';
import type { Database } from './schema.js';

/** Which engine a store runs on; `/healthz` reports it. */
export type Engine = 'pglite' | 'postgres';

/** An open database plus what it needs to close cleanly. */
export interface Store {
  readonly db: Kysely<Database>;
  readonly engine: Engine;
  /** Where the store is, without credentials: safe to print. */
  readonly location: string;
  /** The data dir of an embedded store (null on PostgreSQL or in memory). */
  readonly dataDir: string | null;
  close(): Promise<void>;
}

/** How to open a store: a PostgreSQL URL wins over a data dir. */
export interface OpenStoreOptions {
  readonly dataDir?: string;
  readonly databaseUrl?: string;
  /** Named in the lock file, so a second process can say who holds the data dir. */
  readonly command: string;
  /** Run pending migrations (default true). */
  readonly migrate?: boolean;
}

/** The PGlite data lives in a sub-folder, so the data dir can also hold the outbox and lock. */
export const PGLITE_SUBDIR = 'pgdata';

const DATE_OID = 1082;
/**
 * The PostgreSQL major version the bundled PGlite writes. A data dir of another major
 * cannot be opened by it (and must not be re-initialised over); a test checks this
 * constant against the running engine so a PGlite upgrade cannot silently change it.
 */
export const EMBEDDED_PG_MAJOR = '18';
const identity = (v: string): string => v;

/** Opens (creating and migrating when needed) the store named by the options. */
export async function openStore(options: OpenStoreOptions): Promise<Store> {
  const store = options.databaseUrl
    ? await openPostgres(options.databaseUrl)
    : await openPgliteDir(options.dataDir ?? './data', options.command);
  if (options.migrate ?? true) {
    try {
      await migrateToLatest(store.db);
    } catch (e) {
      await store.close();
      throw e;
    }
  }
  return store;
}

/** A safe description of a PostgreSQL URL: host, port and database, never the password. */
export function describeDatabaseUrl(url: string): string {
  try {
    const u = new URL(url);
    return `postgresql://${u.hostname}:${u.port || '5432'}${u.pathname}`;
  } catch {
    return 'postgresql://(unparseable URL)';
  }
}

function kysely(dialect: SerialisedPGliteDialect | PostgresDialect): Kysely<Database> {
  return new Kysely<Database>({ dialect, plugins: [new CamelCasePlugin()] });
}

async function openPostgres(url: string): Promise<Store> {
  const location = describeDatabaseUrl(url);
  const pool = new pg.Pool({
    connectionString: url,
    max: Number(process.env.REMPART_PG_POOL_MAX ?? 10),
    // `date` stays a YYYY-MM-DD string: pg would turn it into a local-midnight Date,
    // which shifts by a day in some time zones.
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === DATE_OID ? identity : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
    },
  });
  // An idle client that errors (server restart) must not crash the process.
  pool.on('error', () => undefined);
  try {
    const client = await pool.connect();
    client.release();
  } catch (e) {
    await pool.end().catch(() => undefined);
    throw new RempartError('CONFIG_INVALID', `Cannot connect to the PostgreSQL server at ${location}: ${(e as Error).message}`, {
      cause: e,
    });
  }
  const db = kysely(new PostgresDialect({ pool }));
  return { db, engine: 'postgres', location, dataDir: null, close: () => db.destroy() };
}

function pgliteOptions() {
  return { parsers: { [DATE_OID]: identity } };
}

/** Checks that an existing PGlite folder is one we can open, without writing to it. */
function inspectPgliteDir(pgdata: string): 'absent' | 'ok' {
  if (!existsSync(pgdata)) return 'absent';
  const entries = readdirSync(pgdata);
  if (entries.length === 0) return 'absent';
  const versionFile = join(pgdata, 'PG_VERSION');
  if (!existsSync(versionFile)) {
    throw new RempartError(
      'STORE_CORRUPT',
      `The data dir's database folder ${pgdata} is not empty but holds no PostgreSQL data (PG_VERSION is missing). ` +
        'It was left untouched; restore it from a backup or point --data-dir elsewhere.',
    );
  }
  const major = readFileSync(versionFile, 'utf8').trim();
  if (major !== EMBEDDED_PG_MAJOR) {
    throw new RempartError(
      'STORE_SCHEMA_NEWER',
      `The database folder ${pgdata} was written by PostgreSQL ${major}; this Rempart embeds PostgreSQL ${EMBEDDED_PG_MAJOR}. It was left untouched.`,
    );
  }
  return 'ok';
}

async function openPgliteDir(dataDir: string, command: string): Promise<Store> {
  mkdirSync(dataDir, { recursive: true });
  const lock: DataDirLock = acquireDataDirLock(dataDir, command);
  const pgdata = join(dataDir, PGLITE_SUBDIR);
  let pglite: PGlite;
  try {
    inspectPgliteDir(pgdata);
    pglite = await PGlite.create(pgdata, pgliteOptions()).catch((e: unknown) => {
      throw new RempartError('STORE_CORRUPT', `The embedded database in ${pgdata} could not be opened; it was left untouched.`, {
        cause: e,
      });
    });
  } catch (e) {
    lock.release();
    throw e;
  }
  return pgliteStore(pglite, dataDir, `pglite:${pgdata}`, () => lock.release());
}

/** Opens an in-memory PGlite loaded from a dump (tests clone a migrated template this way). */
export async function openPgliteFromDump(dump: Blob): Promise<Store> {
  const pglite = await PGlite.create({ ...pgliteOptions(), loadDataDir: dump });
  return pgliteStore(pglite, null, 'pglite:memory', () => undefined);
}

/** Opens an empty in-memory PGlite (used to build the test template). */
export async function openPgliteMemory(): Promise<Store & { dump(): Promise<Blob> }> {
  const pglite = await PGlite.create(pgliteOptions());
  const store = pgliteStore(pglite, null, 'pglite:memory', () => undefined);
  return { ...store, dump: () => pglite.dumpDataDir('none') };
}

function pgliteStore(pglite: PGlite, dataDir: string | null, location: string, onClose: () => void): Store {
  const db = kysely(new SerialisedPGliteDialect({ pglite }));
  let closed = false;
  return {
    db,
    engine: 'pglite',
    location,
    dataDir,
    async close() {
      if (closed) return;
      closed = true;
      try {
        await db.destroy();
        if (!pglite.closed) await pglite.close();
      } finally {
        onClose();
      }
    },
  };
}

/** Round-trips the database: throws when it does not answer. */
export async function ping(db: Kysely<Database>): Promise<void> {
  await sql`select 1`.execute(db);
}
