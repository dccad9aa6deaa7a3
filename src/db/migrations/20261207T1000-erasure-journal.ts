import { sql } from 'kysely';
import type { MigrationDb } from './migration-db.js';

/**
 * `erasure_journal`: one row per erasure (GDPR Art. 17; P5.3), holding only keyed hashes
 * of the erased person's email and phones, the time, and how long the row is kept.
 *
 * Why: a backup taken before an erasure still holds the person. Restoring it must not
 * bring them back (Art. 17 would be undone by an operator's routine), so `rempart
 * restore` replays every erasure journalled after the backup was taken. The journal
 * links to no person (no id, no name), so it survives the erasure it records, and a
 * keyed hash can only be matched by someone holding both the server key and the
 * clear identifier. Kept as long as a backup that predates it may be restored.
 *
 * Append-only: once landed, this file is never edited; later changes are new migrations.
 */
export async function up(db: MigrationDb): Promise<void> {
  await db.schema
    .createTable('erasure_journal')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('email_hashes', sql`text[]`, (c) => c.notNull())
    .addColumn('phone_hashes', sql`text[]`, (c) => c.notNull())
    .addColumn('erased_at', 'timestamptz', (c) => c.notNull())
    .addColumn('keep_until', 'timestamptz', (c) => c.notNull())
    .addCheckConstraint('erasure_journal_identifier', sql`cardinality(email_hashes) + cardinality(phone_hashes) > 0`)
    .execute();
  await db.schema.createIndex('erasure_journal_erased_at_idx').on('erasure_journal').column('erased_at').execute();
}

export async function down(db: MigrationDb): Promise<void> {
  await db.schema.dropTable('erasure_journal').ifExists().execute();
}
