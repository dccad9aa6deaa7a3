import type { MigrationDb } from './migration-db.js';
import { sql } from 'kysely';

/**
 * Last contact, re-permission and anonymised statistics (P4.2, R-PROS-7, R-PROS-8):
 *
 * - `repermission_requests`: the one message asking a prospect (or file-exchange
 *   subject) whether they want to keep hearing from the company before their retention
 *   term. One row per person and term (unique), so the daily job never sends twice for
 *   the same term; the one-click answer is found by the SHA-256 of an opaque random
 *   token (the token itself is only in the message). Removed with the person.
 * - `statistics_counts`: aggregate counts only, folded in before people are deleted.
 *   No identifier, no hash of one, no timestamp (a time of folding would let two
 *   snapshots be differenced down to one day's deletions). Every stored group holds at
 *   least k people; the database refuses a count below 5, the smallest k the policy may set.
 * - `statistics_suppressed`: per purpose, the people whose group stayed below k even
 *   after generalisation; one undimensioned counter, which describes no group.
 *
 * Append-only: once landed, this file is never edited; later changes are new migrations.
 */
export async function up(db: MigrationDb): Promise<void> {
  await db.schema
    .createTable('repermission_requests')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('person_id', 'uuid', (c) => c.notNull().references('people.id').onDelete('cascade'))
    .addColumn('term_at', 'timestamptz', (c) => c.notNull())
    .addColumn('token_hash', 'text', (c) => c.notNull().unique().check(sql`token_hash ~ '^[0-9a-f]{64}$'`))
    .addColumn('sent_at', 'timestamptz', (c) => c.notNull())
    .addColumn('answered_at', 'timestamptz')
    .addUniqueConstraint('repermission_requests_once', ['person_id', 'term_at'])
    .execute();

  await db.schema
    .createTable('statistics_counts')
    .addColumn('purpose', 'text', (c) => c.notNull().check(sql`purpose in ('crm','prospecting','training','file_sharing','connection_logs')`))
    .addColumn('granularity', 'smallint', (c) => c.notNull().check(sql`granularity between 0 and 4`))
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('region', 'text', (c) => c.notNull())
    .addColumn('period', 'text', (c) => c.notNull().check(sql`period ~ '^([0-9]{4}(-Q[1-4])?|\\*)$'`))
    // R-PROS-8: k ≥ 5, so no stored group can ever be smaller than 5.
    .addColumn('count', 'integer', (c) => c.notNull().check(sql`count >= 5`))
    .addPrimaryKeyConstraint('statistics_counts_pk', ['purpose', 'granularity', 'source', 'region', 'period'])
    .execute();

  await db.schema
    .createTable('statistics_suppressed')
    .addColumn('purpose', 'text', (c) => c.primaryKey().check(sql`purpose in ('crm','prospecting','training','file_sharing','connection_logs')`))
    .addColumn('count', 'integer', (c) => c.notNull().check(sql`count >= 0`))
    .execute();
}

export async function down(db: MigrationDb): Promise<void> {
  await db.schema.dropTable('statistics_suppressed').execute();
  await db.schema.dropTable('statistics_counts').execute();
  await db.schema.dropTable('repermission_requests').execute();
}
