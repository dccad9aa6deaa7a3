import type { MigrationDb } from './migration-db.js';
import { sql } from 'kysely';

/**
 * Consent to the controller's own electronic prospecting and to open tracking, beside
 * consent to file exchange (src/consent):
 *
 * - `consent_events.scope`: what a consent is for. `file_sharing` (every row before this
 *   migration: passing the person's data to a partner, annex art. 1, P1.6),
 *   `email_prospecting` (the controller's commercial emails to a private person's
 *   address, L34-5 CPCE, R-PROS-6) or `open_tracking` (a pixel in those emails, CNIL
 *   recommendation on tracking pixels, R-PROS-10).
 * - `partner_id` becomes nullable: a consent to the controller's own scopes has no
 *   partner (its recipient is the controller); a consent to file exchange always has one.
 *   A check keeps the two in step.
 * - an index for "the latest event of this person for this scope" (the campaign guard
 *   and the pixel decision ask it for a page of people at a time).
 *
 * Adding a column with a constant default rewrites no row, so the append-only trigger
 * (20261126T1500) is not involved.
 *
 * Append-only: once landed, this file is never edited; later changes are new migrations.
 */
export async function up(db: MigrationDb): Promise<void> {
  await db.schema
    .alterTable('consent_events')
    .addColumn('scope', 'text', (c) => c.notNull().defaultTo('file_sharing').check(sql`scope in ('file_sharing','email_prospecting','open_tracking')`))
    .execute();
  await db.schema.alterTable('consent_events').alterColumn('partner_id', (c) => c.dropNotNull()).execute();
  await db.schema
    .alterTable('consent_events')
    .addCheckConstraint('consent_events_scope_partner', sql`(scope = 'file_sharing') = (partner_id is not null)`)
    .execute();
  await db.schema.createIndex('consent_events_scope_idx').on('consent_events').columns(['subject_id', 'scope', 'event_at']).execute();
}

export async function down(db: MigrationDb): Promise<void> {
  await db.schema.dropIndex('consent_events_scope_idx').execute();
  await db.schema.alterTable('consent_events').dropConstraint('consent_events_scope_partner').execute();
  await db.schema.alterTable('consent_events').alterColumn('partner_id', (c) => c.setNotNull()).execute();
  await db.schema.alterTable('consent_events').dropColumn('scope').execute();
}
