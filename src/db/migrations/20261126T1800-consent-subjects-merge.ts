import type { MigrationDb } from './migration-db.js';
import { sql } from 'kysely';

/**
 * A person may hold several consent pseudonyms (`consent_subjects`): the unique
 * constraint on `person_id` (20261126T1500) goes, a plain index takes its place.
 *
 * Why: merging two records of the same person (R-PROS-2) re-points every row linked to
 * the merged-away record, its pseudonym included. When both records had consented, the
 * unique constraint refused the merge. The pseudonym cannot be rewritten either: the
 * events under it are append-only proofs (GDPR Art. 7(1)), and a withdrawal recorded
 * under one record must keep holding for the merged person (Art. 7(3)). So both
 * pseudonyms now belong to the survivor, their events untouched, and every question
 * about a person's consent is asked across all their pseudonyms (src/consent).
 *
 * New pseudonyms are still created one per person at most: src/consent/subjects.ts
 * locks the person's row before inserting one, since no constraint does it any more.
 *
 * Append-only: once landed, this file is never edited; later changes are new migrations.
 */
export async function up(db: MigrationDb): Promise<void> {
  // The name PostgreSQL gave the column constraint of 20261126T1500 (`<table>_<column>_key`).
  await sql`alter table consent_subjects drop constraint consent_subjects_person_id_key`.execute(db);
  await db.schema.createIndex('consent_subjects_person_idx').on('consent_subjects').column('person_id').execute();
}

export async function down(db: MigrationDb): Promise<void> {
  // Fails while a merged person still holds two pseudonyms: their proofs cannot be folded
  // into one without rewriting append-only events.
  await db.schema.dropIndex('consent_subjects_person_idx').execute();
  await sql`alter table consent_subjects add constraint consent_subjects_person_id_key unique (person_id)`.execute(db);
}
