import type { InsertObject, Kysely, Transaction } from 'kysely';
import type { Database } from '../db/schema.js';
import { RempartError } from '../errors.js';
import { DEMO_TABLES, generateDemo, zeroCounts, type DemoChunk, type DemoCounts, type DemoTable } from './generate.js';

/** Where seeding stands, after each committed chunk. */
export interface SeedProgress {
  readonly people: number;
  readonly peopleTotal: number;
  readonly rows: number;
}

/** What to seed: the generator's options plus a progress callback. */
export interface SeedDemoOptions {
  readonly people: number;
  readonly seed: number;
  readonly now: Date;
  readonly onProgress?: (progress: SeedProgress) => void;
  /** Rows per INSERT statement (default 1000). */
  readonly batchRows?: number;
}

/**
 * The jsonb columns of each table. node-postgres sends a JS array as a PostgreSQL array
 * literal (`{…}`), which jsonb rejects, so these are sent as JSON text on both engines.
 */
const JSON_COLUMNS: { readonly [T in DemoTable]?: readonly string[] } = {
  organisations: ['addresses'],
  people: ['phones', 'postalAddresses'],
  deliveries: ['deliveryAddress'],
};

/**
 * PostgreSQL takes at most 65,535 parameters per statement; the widest demo table has 15
 * columns, so 1000 rows (15,000 parameters) stay well inside it.
 */
const DEFAULT_BATCH_ROWS = 1000;
const MAX_PARAMETERS = 65_535;

/** True when the database holds at least one person (the demo seeds only an empty one). */
export async function hasPeople(db: Kysely<Database>): Promise<boolean> {
  const row = await db.selectFrom('people').select('id').limit(1).executeTakeFirst();
  return row !== undefined;
}

/**
 * Inserts the demo data set into an empty database: each chunk of about 1000 people and
 * their records in one transaction, as multi-row INSERTs. Returns the rows per table.
 */
export async function seedDemo(db: Kysely<Database>, options: SeedDemoOptions): Promise<DemoCounts> {
  const batchRows = options.batchRows ?? DEFAULT_BATCH_ROWS;
  if (!Number.isSafeInteger(batchRows) || batchRows < 1 || batchRows * 15 > MAX_PARAMETERS) {
    throw new RangeError(`seedDemo: batchRows must be between 1 and ${Math.floor(MAX_PARAMETERS / 15)}`);
  }
  // The ids, SIRETs and order and invoice numbers depend on the seed alone, so a second
  // seeding would collide half-way: refuse up front, with a message that says why.
  if (await hasPeople(db)) {
    throw new RempartError('CONFLICT', 'The database already holds people; demo data is only seeded into an empty database.');
  }
  const counts = zeroCounts();
  let rows = 0;
  for (const chunk of generateDemo({ people: options.people, seed: options.seed, now: options.now })) {
    await db.transaction().execute(async (trx) => {
      for (const table of DEMO_TABLES) await insertRows(trx, table, chunk, batchRows);
    });
    for (const table of DEMO_TABLES) {
      counts[table] += chunk[table].length;
      rows += chunk[table].length;
    }
    options.onProgress?.({ people: counts.people, peopleTotal: options.people, rows });
  }
  return counts;
}

async function insertRows<T extends DemoTable>(trx: Transaction<Database>, table: T, chunk: DemoChunk, batchRows: number): Promise<void> {
  const rows = chunk[table];
  const jsonColumns = JSON_COLUMNS[table] ?? [];
  for (let i = 0; i < rows.length; i += batchRows) {
    const batch = rows.slice(i, i + batchRows).map((row) => {
      if (jsonColumns.length === 0) return row;
      const copy: Record<string, unknown> = { ...row };
      for (const c of jsonColumns) if (typeof copy[c] !== 'string') copy[c] = JSON.stringify(copy[c]);
      return copy;
    });
    // The rows are the schema's Insertable<T>; Kysely cannot relate that to its own
    // InsertObject<Database, T> while T is still generic.
    await trx
      .insertInto(table)
      .values(batch as unknown as InsertObject<Database, T>[])
      .execute();
  }
}
