import type { MigrationDb } from './migration-db.js';

/**
 * `portal_sessions`: the short session of a person in the privacy portal (issue 15),
 * opened once they proved they hold their e-mail address with the one-time code of a
 * request (GDPR Art. 12(6)).
 *
 * Why a table and not memory: several server instances answer the same portal, and a
 * session opened on one must work on the next (the product runs several app instances on
 * one PostgreSQL). Only a SHA-256 of the cookie's token is kept, so a copy of the
 * database opens no session; rows live 30 minutes at most and are purged every day and at
 * sign-out (Art. 5(1)(e)). The person's record is linked so an erasure removes a live
 * session with the rest (ON DELETE CASCADE, and the catalogue's subject link).
 *
 * Append-only: once landed, this file is never edited; later changes are new migrations.
 */
export async function up(db: MigrationDb): Promise<void> {
  await db.schema
    .createTable('portal_sessions')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('person_id', 'uuid', (c) => c.references('people.id').onDelete('cascade'))
    .addColumn('request_id', 'uuid', (c) => c.references('rights_requests.id').onDelete('set null'))
    .addColumn('language', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('portal_sessions_expires_idx').on('portal_sessions').column('expires_at').execute();
}

export async function down(db: MigrationDb): Promise<void> {
  await db.schema.dropTable('portal_sessions').ifExists().execute();
}
