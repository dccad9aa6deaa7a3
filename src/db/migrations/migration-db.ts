import type { Kysely } from 'kysely';

/**
 * The database a migration runs on: schema-less, since a migration must not depend on
 * today's table types (Kysely's migration guide). Only the schema builder and raw SQL
 * are used in migrations, which need no table types at all.
 */
export type MigrationDb = Kysely<unknown>;
