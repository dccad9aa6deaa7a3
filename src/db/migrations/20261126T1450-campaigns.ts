import type { MigrationDb } from './migration-db.js';
import { sql } from 'kysely';

/**
 * Selection and solicitation (annex art. 1, prospecting; R-PROS-4 to R-PROS-11):
 *
 * - `segments`: saved selection criteria (organisation headcount band, sector, region,
 *   job title, source, last contact, relation) for one kind of action (loyalty,
 *   prospecting, study, survey, promotion). Criteria describe groups, not a person.
 * - `campaigns`: a message sent to a segment: subject, body, the links it carries
 *   (click-tracked through a redirect), whether an open pixel may be used for people who
 *   consented to it (R-PROS-10), and its state.
 * - `solicitations`: the log of every message sent to a person (person, campaign,
 *   channel, time; never the body), whether it carried the GDPR Art. 14 information
 *   (R-PROS-11), and the first click (a contact from the person, R-PROS-7) or open
 *   (never a contact). Removed with the person (cascade): the log is personal data and
 *   follows the person's retention.
 *
 * Append-only: once landed, this file is never edited; later changes are new migrations.
 */

export async function up(db: MigrationDb): Promise<void> {
  await db.schema
    .createTable('segments')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull().check(sql`length(name) between 1 and 200`))
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('loyalty','prospecting','study','survey','promotion')`))
    .addColumn('criteria', 'jsonb', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('campaigns')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull().check(sql`length(name) between 1 and 200`))
    .addColumn('segment_id', 'uuid', (c) => c.notNull().references('segments.id'))
    .addColumn('channel', 'text', (c) => c.notNull().check(sql`channel in ('email')`))
    .addColumn('language', 'text', (c) => c.notNull().check(sql`language in ('fr','en')`))
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('links', 'jsonb', (c) => c.notNull())
    .addColumn('track_opens', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('draft','sending','sent')`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('sent_at', 'timestamptz')
    .execute();

  await db.schema
    .createTable('solicitations')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('person_id', 'uuid', (c) => c.notNull().references('people.id').onDelete('cascade'))
    .addColumn('campaign_id', 'uuid', (c) => c.references('campaigns.id'))
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('campaign','art14_notice')`))
    .addColumn('channel', 'text', (c) => c.notNull().check(sql`channel in ('email','phone','post')`))
    .addColumn('sent_at', 'timestamptz', (c) => c.notNull())
    .addColumn('art14_included', 'boolean', (c) => c.notNull())
    .addColumn('opened_at', 'timestamptz')
    .addColumn('clicked_at', 'timestamptz')
    .addCheckConstraint('solicitations_campaign_kind', sql`(kind = 'campaign') = (campaign_id is not null)`)
    .execute();
  await db.schema.createIndex('solicitations_person_idx').on('solicitations').columns(['person_id', 'sent_at']).execute();
  // One message per person and campaign: a send that resumes after a crash skips those already sent.
  await db.schema.createIndex('solicitations_campaign_person_idx').on('solicitations').columns(['campaign_id', 'person_id']).unique().execute();
}

export async function down(db: MigrationDb): Promise<void> {
  for (const table of ['solicitations', 'campaigns', 'segments']) await db.schema.dropTable(table).execute();
}
