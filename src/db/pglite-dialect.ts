import type { PGlite, Transaction as PGliteTransaction } from '@electric-sql/pglite';
import {
  CompiledQuery,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type DatabaseConnection,
  type DatabaseIntrospector,
  type Dialect,
  type DialectAdapter,
  type Driver,
  type Kysely,
  type QueryCompiler,
  type QueryResult,
  type TransactionSettings,
} from 'kysely';

/** What the PGlite dialect is built from. */
export interface PGliteDialectConfig {
  readonly pglite: PGlite;
}

/**
 * PGlite is one connection: the migration lock Kysely takes on PostgreSQL (an advisory
 * lock on a second connection) would wait on itself, and the serialised driver below
 * already holds the only connection for the whole migration.
 */
class PGliteAdapter extends PostgresAdapter {
  override async acquireMigrationLock(): Promise<void> {}
  override async releaseMigrationLock(): Promise<void> {}
}

/**
 * The single PGlite connection. A transaction is PGlite's own `transaction()` (it locks
 * the instance, so nothing else, e.g. a `pglite.query` of a test, interleaves), held open
 * until Kysely commits or rolls back.
 */
class PGliteConnection implements DatabaseConnection {
  readonly #pglite: PGlite;
  #tx: PGliteTransaction | undefined;
  #finish: ((commit: boolean) => void) | undefined;
  #closed: Promise<void> | undefined;

  constructor(pglite: PGlite) {
    this.#pglite = pglite;
  }

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    const { affectedRows, rows } = await (this.#tx ?? this.#pglite).query<R>(query.sql, [...query.parameters], { rowMode: 'object' });
    return { rows: rows ?? [], ...(affectedRows != null ? { numAffectedRows: BigInt(affectedRows) } : {}) };
  }

  // eslint-disable-next-line require-yield
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('Streaming is not supported by PGlite.');
  }

  async begin(): Promise<void> {
    let begun!: () => void;
    const started = new Promise<void>((resolve) => (begun = resolve));
    const decided = new Promise<boolean>((resolve) => (this.#finish = resolve));
    this.#closed = this.#pglite.transaction(async (tx) => {
      this.#tx = tx;
      begun();
      if (!(await decided)) await tx.rollback();
    });
    // A failure to begin rejects `closed` before `started` resolves.
    await Promise.race([started, this.#closed]);
  }

  async end(commit: boolean): Promise<void> {
    const closed = this.#closed;
    this.#finish?.(commit);
    this.#finish = undefined;
    this.#closed = undefined;
    try {
      await closed;
    } catch (error) {
      if (commit) throw error;
    } finally {
      this.#tx = undefined;
    }
  }
}

/**
 * Hands the one connection to one caller at a time: two concurrent transactions (two
 * HTTP requests at once) would otherwise interleave their statements on it, as Kysely's
 * SQLite driver also prevents.
 */
class SerialisedPGliteDriver implements Driver {
  readonly #connection: PGliteConnection;
  readonly #pglite: PGlite;
  #tail: Promise<void> = Promise.resolve();
  #release: (() => void) | undefined;

  constructor(config: PGliteDialectConfig) {
    this.#pglite = config.pglite;
    this.#connection = new PGliteConnection(config.pglite);
  }

  async init(): Promise<void> {
    await this.#pglite.waitReady;
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    const previous = this.#tail;
    let release!: () => void;
    this.#tail = new Promise<void>((resolve) => (release = resolve));
    await previous;
    this.#release = release;
    return this.#connection;
  }

  async releaseConnection(): Promise<void> {
    const release = this.#release;
    this.#release = undefined;
    release?.();
  }

  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    await (connection as PGliteConnection).begin();
    if (settings.isolationLevel) await connection.executeQuery(CompiledQuery.raw(`set transaction isolation level ${settings.isolationLevel}`));
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await (connection as PGliteConnection).end(true);
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await (connection as PGliteConnection).end(false);
  }

  async savepoint(connection: DatabaseConnection, name: string): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw(`savepoint ${quoteIdent(name)}`));
  }

  async rollbackToSavepoint(connection: DatabaseConnection, name: string): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw(`rollback to savepoint ${quoteIdent(name)}`));
  }

  async releaseSavepoint(connection: DatabaseConnection, name: string): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw(`release savepoint ${quoteIdent(name)}`));
  }

  async destroy(): Promise<void> {
    if (!this.#pglite.closed) await this.#pglite.close();
  }
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/**
 * Kysely dialect for PGlite whose single connection is handed out to one caller at a
 * time. Kysely 0.29 ships a PGlite dialect but declares Node ≥ 22; 0.28 supports Node 20
 * (docs/adr/0006), so the dialect is ours.
 */
export class SerialisedPGliteDialect implements Dialect {
  readonly #config: PGliteDialectConfig;

  constructor(config: PGliteDialectConfig) {
    this.#config = config;
  }

  createAdapter(): DialectAdapter {
    return new PGliteAdapter();
  }

  createDriver(): Driver {
    return new SerialisedPGliteDriver(this.#config);
  }

  createIntrospector(db: Kysely<unknown>): DatabaseIntrospector {
    return new PostgresIntrospector(db);
  }

  createQueryCompiler(): QueryCompiler {
    return new PostgresQueryCompiler();
  }
}
