import type { MigrationDb } from './migration-db.js';
import { sql } from 'kysely';

/**
 * The intermediate archive (CNIL "archivage intermédiaire"; P4.1, P4.5) as a schema of
 * its own, `archive`: records past their active period leave the operational tables
 * for `archive.records`, so that no operational query, export, selection or campaign,
 * all of which read `public`, can reach them.
 *
 * One table for every source table: a row keeps the id it had (`source_table`, `id`),
 * the person it concerns (for holds, erasure and the archive reader), and in `data`
 * only the columns the policy's `retention.archiveKeeps` names as needed for proof;
 * `delete_on` is the day it leaves the archive (the end of the purpose's archive period
 * or of a legal hold, whichever is later), `end_action` what happens then.
 *
 * Append-only: once landed, this file is never edited; later changes are new migrations.
 */
export async function up(db: MigrationDb): Promise<void> {
  await sql`create schema if not exists archive`.execute(db);
  await db.schema
    .withSchema('archive')
    .createTable('records')
    .addColumn('source_table', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('purpose', 'text', (c) => c.notNull().check(sql`purpose in ('crm','prospecting','training','file_sharing','connection_logs')`))
    .addColumn('person_id', 'uuid')
    .addColumn('organisation_id', 'uuid')
    .addColumn('data', 'jsonb', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('archived_at', 'timestamptz', (c) => c.notNull())
    .addColumn('delete_on', 'date', (c) => c.notNull())
    .addColumn('end_action', 'text', (c) => c.notNull().check(sql`end_action in ('delete','anonymise')`))
    .addPrimaryKeyConstraint('records_pk', ['source_table', 'id'])
    .execute();
  await db.schema.withSchema('archive').createIndex('records_person_idx').on('records').column('person_id').execute();
  await db.schema.withSchema('archive').createIndex('records_delete_on_idx').on('records').columns(['delete_on', 'source_table', 'id']).execute();
  // Finding the people whose clock runs from their last contact, and the contracts of an organisation, at scale.
  await db.schema.createIndex('contracts_organisation_end_idx').on('contracts').columns(['organisation_id', 'end_date']).execute();
  await db.schema.createIndex('legal_holds_active_idx').on('legal_holds').column('person_id').where(sql.ref('lifted_at'), 'is', null).execute();
}

export async function down(db: MigrationDb): Promise<void> {
  await db.schema.dropIndex('legal_holds_active_idx').ifExists().execute();
  await db.schema.dropIndex('contracts_organisation_end_idx').ifExists().execute();
  await sql`drop schema if exists archive cascade`.execute(db);
}
