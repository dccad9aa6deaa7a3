import type { MigrationDb } from './migration-db.js';
import { sql } from 'kysely';

/**
 * The state the rights of the people concerned need (GDPR Art. 16–21; P5.2–P5.6, R-PROS-3, Art. 19):
 *
 * - `opposition_list`: the objections to prospecting, as keyed hashes only (R-PROS-3):
 *   no name, no person id, so it survives erasure and can serve no other purpose.
 * - `person_states`: restriction (Art. 18) and objections (Art. 21) recorded on a person.
 * - `person_change_history`: old values replaced by a rectification (Art. 16), the
 *   person's own history, removed with them on erasure.
 * - `legal_holds`: litigation holds set by the dpo (Art. 17(3)(e)); no foreign key, since
 *   a hold must outlive the erasure of the person it protects evidence about.
 * - `archived_records`: the intermediate archive (P4.5) of records kept under a hold.
 * - `recipient_endpoints`, `recipient_notifications`: telling each recipient of a
 *   rectification, erasure or restriction (Art. 19), and the delivery log.
 *
 * Append-only: once landed, this file is never edited; later changes are new migrations.
 */

const HEX64 = (column: string) => sql.raw(`${column} ~ '^[0-9a-f]{64}$'`);

export async function up(db: MigrationDb): Promise<void> {
  await db.schema
    .createTable('opposition_list')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('email_hash', 'text', (c) => c.check(HEX64('email_hash')))
    .addColumn('phone_hash', 'text', (c) => c.check(HEX64('phone_hash')))
    .addColumn('channel', 'text', (c) => c.notNull().check(sql`channel in ('email','phone','post','all')`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('keep_until', 'timestamptz', (c) => c.notNull())
    .addCheckConstraint('opposition_list_identifier', sql`email_hash is not null or phone_hash is not null`)
    // R-PROS-3: kept at least 3 years after the objection.
    .addCheckConstraint('opposition_list_keep_3y', sql`keep_until >= created_at + interval '3 years'`)
    .execute();
  await db.schema.createIndex('opposition_list_email_idx').on('opposition_list').column('email_hash').execute();
  await db.schema.createIndex('opposition_list_phone_idx').on('opposition_list').column('phone_hash').execute();

  // No foreign key: the gate checks a person's state after the write, inside its
  // transaction, so a cascade would drop a restriction before the check could refuse the
  // deletion (Art. 18). Erasure removes the row with the person (catalogue walk).
  await db.schema
    .createTable('person_states')
    .addColumn('person_id', 'uuid', (c) => c.primaryKey())
    .addColumn('objected_prospecting_at', 'timestamptz')
    .addColumn('objection_other_at', 'timestamptz')
    .addColumn('objection_other_grounds', 'text')
    .addColumn('decision', 'text', (c) => c.check(sql`decision in ('upheld','overridden')`))
    .addColumn('decision_grounds', 'text')
    .addColumn('decided_at', 'timestamptz')
    .addColumn('restricted_at', 'timestamptz')
    .addColumn('restriction_reason', 'text')
    .addColumn('lift_notice_sent_at', 'timestamptz')
    .addCheckConstraint('person_states_decision_grounds', sql`decision is null or (decision_grounds is not null and decided_at is not null)`)
    .execute();

  await db.schema
    .createTable('person_change_history')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('person_id', 'uuid', (c) => c.notNull().references('people.id').onDelete('cascade'))
    .addColumn('changed_at', 'timestamptz', (c) => c.notNull())
    .addColumn('field', 'text', (c) => c.notNull())
    .addColumn('old_value', 'jsonb')
    .execute();
  await db.schema.createIndex('person_change_history_person_idx').on('person_change_history').columns(['person_id', 'changed_at']).execute();

  await db.schema
    .createTable('legal_holds')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('person_id', 'uuid', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('set_by', 'text', (c) => c.notNull())
    .addColumn('set_at', 'timestamptz', (c) => c.notNull())
    .addColumn('lifted_at', 'timestamptz')
    .execute();
  await db.schema.createIndex('legal_holds_person_idx').on('legal_holds').column('person_id').execute();

  await db.schema
    .createTable('archived_records')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('source_table', 'text', (c) => c.notNull())
    .addColumn('record_id', 'text')
    .addColumn('person_id', 'uuid')
    .addColumn('legal_hold_id', 'uuid', (c) => c.references('legal_holds.id'))
    .addColumn('data', 'jsonb', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    // Null: until the litigation hold it names is lifted.
    .addColumn('hold_until', 'timestamptz')
    .addColumn('archived_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('archived_records_source_idx').on('archived_records').columns(['source_table', 'record_id']).execute();
  await db.schema.createIndex('archived_records_person_idx').on('archived_records').column('person_id').execute();

  await db.schema
    .createTable('recipient_endpoints')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('webhook_url', 'text', (c) => c.check(sql`webhook_url ~ '^https?://'`))
    .addColumn('hmac_secret', 'text')
    .addColumn('email', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('recipient_endpoints_reachable', sql`(webhook_url is not null and hmac_secret is not null) or email is not null`)
    .execute();

  await db.schema
    .createTable('recipient_notifications')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('recipient_id', 'text', (c) => c.notNull().references('recipient_endpoints.id'))
    .addColumn('person_ref', 'text', (c) => c.notNull().check(HEX64('person_ref')))
    .addColumn('event', 'text', (c) => c.notNull().check(sql`event in ('rectification','erasure','restriction')`))
    .addColumn('payload_hash', 'text', (c) => c.notNull().check(HEX64('payload_hash')))
    // The payload sealed with the server key until delivered or given up, then cleared.
    .addColumn('payload_sealed', 'text')
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_status', 'text')
    .addColumn('next_attempt_at', 'timestamptz')
    .addColumn('delivered_at', 'timestamptz')
    .addColumn('gave_up_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('recipient_notifications_due_idx').on('recipient_notifications').column('next_attempt_at').execute();
  await db.schema.createIndex('recipient_notifications_person_idx').on('recipient_notifications').column('person_ref').execute();
}

export async function down(db: MigrationDb): Promise<void> {
  for (const table of ['recipient_notifications', 'recipient_endpoints', 'archived_records', 'legal_holds', 'person_change_history', 'person_states', 'opposition_list']) {
    await db.schema.dropTable(table).execute();
  }
}
