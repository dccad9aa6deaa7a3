import { sql } from 'kysely';
import type { MigrationDb } from './migration-db.js';

/**
 * Organisations and individuals at import (issue 17, items 2 and 4):
 *
 * - `prospect_organisation_keys` gains the kind `name_place`: a normalised company name
 *   with the postcode or the city it was seen at (`75016|boulangerie centre`,
 *   `PARIS|boulangerie centre`). A common name ("Boulangerie du Centre") matches an
 *   organisation only in the same postcode or city; an expression index on the place
 *   lets a batch find the names known at its places (near-names go to review).
 * - `organisation_review_queue`: pairs of organisations the import was unsure of (a
 *   common name without a place to confirm it, a near-identical name at the same place),
 *   left for a person to accept (merge) or reject, as `dedupe_review_queue` does for
 *   people. Legal persons only (GDPR recital 14): ids and a rule name, no value.
 * - `person_states.individual_at`: when the import first recognised the person as a
 *   private individual (a row without a company). Why: L34-5 CPCE requires prior consent
 *   before e-mail prospecting of an individual (R-PROS-6); the selection guard leaves such
 *   a person out until a consent is recorded, while they still have no organisation.
 *
 * Append-only: once landed, this file is never edited; later changes are new migrations.
 */
export async function up(db: MigrationDb): Promise<void> {
  await sql`alter table prospect_organisation_keys drop constraint if exists prospect_organisation_keys_kind_check`.execute(db);
  await sql`alter table prospect_organisation_keys add constraint prospect_organisation_keys_kind_check check (kind in ('siret','siren','name','name_place'))`.execute(db);
  await sql`create index prospect_organisation_keys_place_idx on prospect_organisation_keys (split_part(key, '|', 1)) where kind = 'name_place'`.execute(db);

  await db.schema
    .createTable('organisation_review_queue')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('left_organisation_id', 'uuid', (c) => c.notNull().references('organisations.id').onDelete('cascade'))
    .addColumn('right_organisation_id', 'uuid', (c) => c.notNull().references('organisations.id').onDelete('cascade'))
    .addColumn('rule', 'text', (c) => c.notNull().check(sql`rule in ('common_name_without_place','near_name_same_place')`))
    .addColumn('score', 'double precision', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('pending').check(sql`status in ('pending','accepted','rejected')`))
    .addColumn('import_job_id', 'uuid')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('decided_at', 'timestamptz')
    .addColumn('decided_by', 'text')
    .execute();
  await db.schema.createIndex('organisation_review_queue_status_idx').on('organisation_review_queue').columns(['status', 'id']).execute();
  await db.schema.createIndex('organisation_review_queue_left_idx').on('organisation_review_queue').column('left_organisation_id').execute();
  await db.schema.createIndex('organisation_review_queue_right_idx').on('organisation_review_queue').column('right_organisation_id').execute();

  await db.schema.alterTable('person_states').addColumn('individual_at', 'timestamptz').execute();
}

export async function down(db: MigrationDb): Promise<void> {
  await db.schema.alterTable('person_states').dropColumn('individual_at').execute();
  await db.schema.dropTable('organisation_review_queue').ifExists().execute();
  await sql`drop index if exists prospect_organisation_keys_place_idx`.execute(db);
  await sql`delete from prospect_organisation_keys where kind = 'name_place'`.execute(db);
  await sql`alter table prospect_organisation_keys drop constraint if exists prospect_organisation_keys_kind_check`.execute(db);
  await sql`alter table prospect_organisation_keys add constraint prospect_organisation_keys_kind_check check (kind in ('siret','siren','name'))`.execute(db);
}
