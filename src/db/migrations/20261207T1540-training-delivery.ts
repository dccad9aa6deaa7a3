import type { MigrationDb } from './migration-db.js';

/**
 * The delivery of a training engagement's restitution package (issue 19 item 8; GDPR
 * Art. 28(3)(g)): the close journal records how the package reached the client, either
 * uploaded to the client's URL before anything is destroyed, or downloaded once from the
 * API (then deleted from the server: after the destruction it is the last copy of the
 * client's data, and it is the client's, not ours).
 *
 * - `delivery`: `file` (the CLI's --out, handed over by the operator), `upload` or `download`.
 * - `delivered_to`: the client's URL for an upload (an organisation's endpoint, no personal data).
 * - `delivered_at`: when the upload was acknowledged or the download began.
 *
 * And indexes on the references to trainees and campaigns: without them, deleting an
 * engagement's trainees at the close checks every referencing row per trainee (measured:
 * minutes for 50,000 trainees and 2,000,000 events, BENCHMARKS.md), and a trainee's export
 * or deletion scans every event of every engagement.
 *
 * Append-only: once landed, this file is never edited; later changes are new migrations.
 */
export async function up(db: MigrationDb): Promise<void> {
  await db.schema.alterTable('training_closures').addColumn('delivery', 'text').execute();
  await db.schema.alterTable('training_closures').addColumn('delivered_to', 'text').execute();
  await db.schema.alterTable('training_closures').addColumn('delivered_at', 'timestamptz').execute();
  await db.schema.createIndex('training_phishing_events_trainee_idx').on('training_phishing_events').column('trainee_id').execute();
  await db.schema.createIndex('training_phishing_events_campaign_idx').on('training_phishing_events').column('campaign_id').execute();
  await db.schema.createIndex('training_statements_trainee_idx').on('training_statements').column('trainee_id').execute();
}

export async function down(db: MigrationDb): Promise<void> {
  for (const index of ['training_statements_trainee_idx', 'training_phishing_events_campaign_idx', 'training_phishing_events_trainee_idx']) await db.schema.dropIndex(index).ifExists().execute();
  await db.schema.alterTable('training_closures').dropColumn('delivered_at').execute();
  await db.schema.alterTable('training_closures').dropColumn('delivered_to').execute();
  await db.schema.alterTable('training_closures').dropColumn('delivery').execute();
}
