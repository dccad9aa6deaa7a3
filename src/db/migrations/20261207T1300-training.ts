import { sql } from 'kysely';
import type { MigrationDb } from './migration-db.js';

/**
 * Training as a processor (annex art. 1, fourth purpose; GDPR Art. 28; P1.5, P4.3):
 *
 * - `training_engagements`: one service for one client organisation: dates, platforms,
 *   the client's documented instructions (versioned, Art. 28(3)(a)), sub-processors
 *   (Art. 28(2)), the end-of-service choice (Art. 28(3)(g)) and the state of its close.
 * - `training_trainees`: the client's employees, held only inside their engagement. Not
 *   `people`: the client is their controller, so they never meet CERTILIENCE's own data.
 * - `training_campaigns`, `training_phishing_events`: Gophish results (fact and time only).
 * - `training_statements`: xAPI statements, kept exactly as received.
 * - `training_closures`: the close's journal (package, destruction, certificate), so a
 *   crash resumes where it stopped and a second close returns the same certificate.
 *
 * Every child row cascades from its engagement. Append-only: never edited once landed.
 */
export async function up(db: MigrationDb): Promise<void> {
  await db.schema
    .createTable('training_engagements')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('client_organisation_id', 'uuid', (c) => c.notNull().references('organisations.id'))
    .addColumn('contract_id', 'uuid', (c) => c.references('contracts.id'))
    .addColumn('name', 'text', (c) => c.notNull().check(sql`length(name) between 1 and 200`))
    .addColumn('starts_on', 'date', (c) => c.notNull())
    .addColumn('ends_on', 'date', (c) => c.notNull())
    .addColumn('platforms', 'jsonb', (c) => c.notNull())
    .addColumn('instructions', 'jsonb', (c) => c.notNull())
    .addColumn('sub_processors', 'jsonb', (c) => c.notNull())
    .addColumn('end_choice', 'text', (c) => c.notNull().check(sql`end_choice in ('return_then_destroy','destroy')`))
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('active','closed')`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('closed_at', 'timestamptz')
    .addCheckConstraint('training_engagements_dates', sql`ends_on >= starts_on`)
    .execute();

  await db.schema
    .createTable('training_trainees')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('engagement_id', 'uuid', (c) => c.notNull().references('training_engagements.id').onDelete('cascade'))
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('first_name', 'text')
    .addColumn('last_name', 'text')
    .addColumn('department', 'text')
    .addColumn('job_title', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .addUniqueConstraint('training_trainees_email_uq', ['engagement_id', 'email'])
    .execute();

  await db.schema
    .createTable('training_campaigns')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('engagement_id', 'uuid', (c) => c.notNull().references('training_engagements.id').onDelete('cascade'))
    .addColumn('gophish_campaign_id', 'bigint', (c) => c.notNull())
    .addColumn('first_seen_at', 'timestamptz', (c) => c.notNull())
    .addUniqueConstraint('training_campaigns_gophish_uq', ['engagement_id', 'gophish_campaign_id'])
    .execute();

  await db.schema
    .createTable('training_phishing_events')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('engagement_id', 'uuid', (c) => c.notNull().references('training_engagements.id').onDelete('cascade'))
    .addColumn('campaign_id', 'uuid', (c) => c.notNull().references('training_campaigns.id').onDelete('cascade'))
    .addColumn('trainee_id', 'uuid', (c) => c.notNull().references('training_trainees.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('sent','opened','clicked','submitted','reported')`))
    .addColumn('occurred_at', 'timestamptz', (c) => c.notNull())
    .addColumn('received_at', 'timestamptz', (c) => c.notNull())
    .addColumn('replay_key', 'text', (c) => c.notNull())
    .addUniqueConstraint('training_phishing_events_replay_uq', ['engagement_id', 'replay_key'])
    .execute();

  await db.schema
    .createTable('training_statements')
    .addColumn('engagement_id', 'uuid', (c) => c.notNull().references('training_engagements.id').onDelete('cascade'))
    .addColumn('id', 'uuid', (c) => c.notNull())
    .addColumn('trainee_id', 'uuid', (c) => c.references('training_trainees.id').onDelete('set null'))
    .addColumn('actor_key', 'text', (c) => c.notNull())
    .addColumn('verb_id', 'text', (c) => c.notNull())
    .addColumn('object_id', 'text')
    .addColumn('statement', 'jsonb', (c) => c.notNull())
    .addColumn('raw', 'text', (c) => c.notNull())
    .addColumn('stored_at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('training_statements_pk', ['engagement_id', 'id'])
    .execute();
  await db.schema.createIndex('training_statements_stored_idx').on('training_statements').columns(['engagement_id', 'stored_at']).execute();

  await db.schema
    .createTable('training_closures')
    .addColumn('engagement_id', 'uuid', (c) => c.primaryKey().references('training_engagements.id'))
    .addColumn('state', 'text', (c) => c.notNull().check(sql`state in ('packaged','destroyed','certified')`))
    .addColumn('package_path', 'text', (c) => c.notNull())
    .addColumn('package_sha256', 'text', (c) => c.notNull())
    .addColumn('package_bytes', 'bigint', (c) => c.notNull())
    .addColumn('counts', 'jsonb', (c) => c.notNull())
    .addColumn('closed_by', 'text', (c) => c.notNull())
    .addColumn('destroyed_at', 'timestamptz')
    .addColumn('certificate', 'jsonb')
    .addColumn('certificate_path', 'text')
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .execute();
}

export async function down(db: MigrationDb): Promise<void> {
  for (const t of ['training_closures', 'training_statements', 'training_phishing_events', 'training_campaigns', 'training_trainees', 'training_engagements']) {
    await db.schema.dropTable(t).ifExists().execute();
  }
}
