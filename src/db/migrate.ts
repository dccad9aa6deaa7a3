import { type Kysely, sql } from 'kysely';
import { Migrator, type MigrationProvider, type MigrationResultSet } from 'kysely';
import { RempartError } from '../errors.js';
import { MIGRATIONS } from './migrations/index.js';

const provider: MigrationProvider = { getMigrations: async () => ({ ...MIGRATIONS }) };

/** The migrations this build knows, in order. */
export function knownMigrations(): readonly string[] {
  return Object.keys(MIGRATIONS).sort();
}

/**
 * Names of migrations already applied to the database that this build does not know:
 * the database was written by a newer Rempart, and running on it would corrupt it.
 */
async function unknownApplied(db: Kysely<unknown>): Promise<string[]> {
  const exists = await sql<{ present: boolean }>`select to_regclass('public.kysely_migration') is not null as present`.execute(db);
  if (!exists.rows[0]?.present) return [];
  const applied = await sql<{ name: string }>`select name from kysely_migration`.execute(db);
  const known = new Set(knownMigrations());
  return applied.rows.map((r) => r.name).filter((n) => !known.has(n));
}

/** Brings the schema to the latest version; refuses a database written by a newer schema. */
export async function migrateToLatest<DB>(db: Kysely<DB>): Promise<readonly string[]> {
  const newer = await unknownApplied(db as Kysely<unknown>);
  if (newer.length > 0) {
    throw new RempartError(
      'STORE_SCHEMA_NEWER',
      `The database was written by a newer version of Rempart (unknown migrations: ${newer.join(', ')}). ` +
        'It was left untouched; upgrade Rempart to open it.',
    );
  }
  // Kysely's Migrator takes a lock in the database, so several app instances starting
  // at once on one PostgreSQL server migrate it exactly once.
  const migrator = new Migrator({ db, provider });
  const result: MigrationResultSet = await migrator.migrateToLatest();
  if (result.error) {
    const failed = result.results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new RempartError('INTERNAL', `Migration ${failed} failed; the database was rolled back to its previous schema.`, {
      cause: result.error,
    });
  }
  return (result.results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
