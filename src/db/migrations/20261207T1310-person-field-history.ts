import { sql } from 'kysely';
import type { MigrationDb } from './migration-db.js';

/**
 * `person_field_history`: the values a merge did not keep (R-PROS-2 survivorship,
 * src/prospecting/import/survivorship.ts), with the source that gave each, when, and why
 * it was not kept (a typo of the held value, a secondary e-mail, a less trusted source…).
 *
 * Why: a merge must never lose a value (GDPR Art. 5(1)(d): a reviewer restores a
 * wrongly dropped value from here), and the person sees these values in their access
 * export (Art. 15), since they are still data about them. One row per (person, field,
 * value, source): importing the same file again adds nothing.
 *
 * Append-only: once landed, this file is never edited; later changes are new migrations.
 */
export async function up(db: MigrationDb): Promise<void> {
  await db.schema
    .createTable('person_field_history')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('person_id', 'uuid', (c) => c.notNull().references('people.id').onDelete('cascade'))
    .addColumn('field', 'text', (c) => c.notNull())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('collected_at', 'timestamptz', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('import_job_id', 'uuid')
    .addColumn('recorded_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('person_field_history_value_idx').on('person_field_history').columns(['person_id', 'field', 'value', 'source']).unique().execute();
}

export async function down(db: MigrationDb): Promise<void> {
  await db.schema.dropTable('person_field_history').ifExists().execute();
}
