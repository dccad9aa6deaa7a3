import type { MigrationDb } from './migration-db.js';
import { sql } from 'kysely';

/**
 * Prospect import and the deduplication review queue (annex art. 1; P1.4, R-PROS-1,
 * R-PROS-2, R-PROS-9):
 *
 * - `import_jobs`: one file import (CLI or API), its progress and its report. The
 *   report holds row numbers, line numbers, field names and reasons, never values.
 * - `prospect_field_provenance`: which source gave each field of a person, collected
 *   when (R-PROS-2: merges keep provenance; GDPR Art. 14(2)(f): the source is told to
 *   the person). No value is copied here: the value is in `people`.
 * - `prospect_organisation_keys`: the match keys (SIRET, normalised name) of prospect
 *   organisations, so an import finds the company it already created.
 * - `dedupe_review_queue`: pairs of people the matcher was unsure of (R-PROS-2), left
 *   for a person to accept (merge) or reject.
 * - a GIN index on `people.phones`, for the exact phone match at import.
 *
 * Append-only: once landed, this file is never edited; later changes are new migrations.
 */
export async function up(db: MigrationDb): Promise<void> {
  await db.schema
    .createTable('import_jobs')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('prospects')`))
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('role', 'text')
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('queued','running','done','failed')`))
    .addColumn('dry_run', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('rows_total', 'integer')
    .addColumn('rows_done', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('imported', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('merged', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('report', 'jsonb')
    .addColumn('error', 'jsonb')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('finished_at', 'timestamptz')
    .execute();

  await db.schema
    .createTable('prospect_field_provenance')
    .addColumn('person_id', 'uuid', (c) => c.notNull().references('people.id').onDelete('cascade'))
    .addColumn('field', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('collected_at', 'timestamptz', (c) => c.notNull())
    .addColumn('import_job_id', 'uuid')
    // Whether the person's current value of the field came from this source (survivorship).
    .addColumn('chosen', 'boolean', (c) => c.notNull().defaultTo(false))
    .addPrimaryKeyConstraint('prospect_field_provenance_pk', ['person_id', 'field', 'source'])
    .execute();

  await db.schema
    .createTable('prospect_organisation_keys')
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('siret','siren','name')`))
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('organisation_id', 'uuid', (c) => c.notNull().references('organisations.id').onDelete('cascade'))
    .addPrimaryKeyConstraint('prospect_organisation_keys_pk', ['kind', 'key'])
    .execute();
  await db.schema.createIndex('prospect_organisation_keys_org_idx').on('prospect_organisation_keys').column('organisation_id').execute();

  await db.schema
    .createTable('dedupe_review_queue')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('left_person_id', 'uuid', (c) => c.notNull().references('people.id').onDelete('cascade'))
    .addColumn('right_person_id', 'uuid', (c) => c.notNull().references('people.id').onDelete('cascade'))
    .addColumn('score', 'double precision', (c) => c.notNull())
    // Per-field comparison levels (e.g. {"lastName":"jaro_winkler>=0.92"}): names of levels, never values.
    .addColumn('comparison', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('pending').check(sql`status in ('pending','accepted','rejected')`))
    .addColumn('import_job_id', 'uuid')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('decided_at', 'timestamptz')
    .addColumn('decided_by', 'text')
    .execute();
  await db.schema.createIndex('dedupe_review_queue_status_idx').on('dedupe_review_queue').columns(['status', 'id']).execute();
  await db.schema.createIndex('dedupe_review_queue_left_idx').on('dedupe_review_queue').column('left_person_id').execute();
  await db.schema.createIndex('dedupe_review_queue_right_idx').on('dedupe_review_queue').column('right_person_id').execute();

  await sql`create index people_phones_gin_idx on people using gin (phones jsonb_path_ops)`.execute(db);
}

export async function down(db: MigrationDb): Promise<void> {
  await sql`drop index if exists people_phones_gin_idx`.execute(db);
  for (const table of ['dedupe_review_queue', 'prospect_organisation_keys', 'prospect_field_provenance', 'import_jobs']) {
    await db.schema.dropTable(table).execute();
  }
}
