import type { MigrationDb } from './migration-db.js';
import { sql } from 'kysely';

/**
 * Requests to exercise a right (GDPR Art. 12, 15–21; issue 4).
 *
 * `due_at` and `extended_due_at` are calendar dates: a deadline is a day in Paris
 * (Regulation 1182/71, src/rights/requests/deadlines.ts), not an instant.
 *
 * A closed request (answered, refused, withdrawn) keeps only a keyed hash of the
 * person's identifiers, proof it was handled with nothing to re-identify the person
 * (Art. 5(1)(c),(e)); the check constraint makes the database refuse anything else.
 *
 * `person_id` has no foreign key: erasure removes the person while the request that
 * asked for it must survive, and the column is emptied when the request closes.
 *
 * Append-only: once landed, this file is never edited; later changes are new migrations.
 */

export async function up(db: MigrationDb): Promise<void> {
  await db.schema
    .createTable('rights_requests')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('type', 'text', (c) =>
      c.notNull().check(sql`type in ('access','rectification','erasure','restriction','portability','objection')`),
    )
    .addColumn('person_id', 'uuid')
    .addColumn('contact_email', 'text')
    .addColumn('language', 'text', (c) => c.notNull().check(sql`language in ('fr','en')`))
    .addColumn('channel', 'text', (c) => c.notNull().check(sql`channel in ('portal','email','letter','phone','api')`))
    .addColumn('details', 'jsonb')
    .addColumn('state', 'text', (c) =>
      c.notNull().check(sql`state in ('received','identity_pending','in_progress','extended','answered','refused','withdrawn')`),
    )
    .addColumn('received_at', 'timestamptz', (c) => c.notNull())
    .addColumn('due_at', 'date', (c) => c.notNull())
    .addColumn('extended_due_at', 'date')
    .addColumn('extension_reason', 'text')
    .addColumn('refusal_reason', 'text')
    .addColumn('verified_at', 'timestamptz')
    .addColumn('answered_at', 'timestamptz')
    .addColumn('closed_at', 'timestamptz')
    .addColumn('notice_version', 'text', (c) => c.notNull())
    .addColumn('identity_code_hash', 'text', (c) => c.check(sql`identity_code_hash ~ '^[0-9a-f]{64}$'`))
    .addColumn('code_expires_at', 'timestamptz')
    .addColumn('code_attempts', 'integer', (c) => c.notNull().defaultTo(0).check(sql`code_attempts >= 0`))
    .addColumn('id_document_path', 'text')
    .addColumn('doubt_reason', 'text')
    .addColumn('subject_hash', 'text', (c) => c.check(sql`subject_hash ~ '^[0-9a-f]{64}$'`))
    // Art. 12(3): an extension needs its reasons and can only reach two further months.
    .addCheckConstraint(
      'rights_requests_extension',
      sql`(extended_due_at is null) = (extension_reason is null) and (extended_due_at is null or extended_due_at > due_at)`,
    )
    // Art. 12(4): a refusal gives its reasons.
    .addCheckConstraint('rights_requests_refusal', sql`state <> 'refused' or (refusal_reason is not null and refusal_reason <> '')`)
    // A closed request holds nothing that identifies the person, only the keyed hash.
    .addCheckConstraint(
      'rights_requests_closed_minimal',
      sql`state not in ('answered','refused','withdrawn') or (
        contact_email is null and person_id is null and details is null and identity_code_hash is null
        and id_document_path is null and subject_hash is not null and closed_at is not null)`,
    )
    .execute();
  await db.schema.createIndex('rights_requests_state_due_idx').on('rights_requests').columns(['state', 'due_at']).execute();
  await db.schema.createIndex('rights_requests_person_idx').on('rights_requests').column('person_id').where(sql.ref('person_id'), 'is not', null).execute();
  await db.schema.createIndex('rights_requests_subject_hash_idx').on('rights_requests').column('subject_hash').where(sql.ref('subject_hash'), 'is not', null).execute();
}

export async function down(db: MigrationDb): Promise<void> {
  await db.schema.dropTable('rights_requests').execute();
}
