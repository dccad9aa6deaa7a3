import type { MigrationDb } from './migration-db.js';
import { sql } from 'kysely';

/**
 * Art. 19 notices to the partners of the file exchange (src/consent): a row of
 * `recipient_notifications` is now addressed either to a recipient endpoint (as before) or
 * to a partner that received the person's data in a transfer (`partner_id`), never both.
 * The same delivery log, signature and retries serve both (src/rights/recipients).
 *
 * Append-only: once landed, this file is never edited; later changes are new migrations.
 */
export async function up(db: MigrationDb): Promise<void> {
  await db.schema.alterTable('recipient_notifications').alterColumn('recipient_id', (c) => c.dropNotNull()).execute();
  await db.schema.alterTable('recipient_notifications').addColumn('partner_id', 'uuid', (c) => c.references('partners.id')).execute();
  await db.schema
    .alterTable('recipient_notifications')
    .addCheckConstraint('recipient_notifications_one_addressee', sql`(recipient_id is null) <> (partner_id is null)`)
    .execute();
}

export async function down(db: MigrationDb): Promise<void> {
  await db.schema.alterTable('recipient_notifications').dropConstraint('recipient_notifications_one_addressee').execute();
  await db.schema.alterTable('recipient_notifications').dropColumn('partner_id').execute();
  await db.schema.alterTable('recipient_notifications').alterColumn('recipient_id', (c) => c.setNotNull()).execute();
}
