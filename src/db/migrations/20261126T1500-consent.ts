import type { MigrationDb } from './migration-db.js';
import { sql } from 'kysely';

/**
 * Consent to the sale, rental or exchange of client files (annex art. 1, P1.6) and the
 * transfers it allows (P3.1):
 *
 * - `partners`: the group companies and partners a file may go to, with their country
 *   and the ground of a transfer there (GDPR Chapter V).
 * - `consent_subjects`: one pseudonym per person. Consent events, transfer items and
 *   withdrawal notices point at the pseudonym, not at `people`: erasing the person
 *   deletes the pseudonym row, and the proofs stay as accountability records (Art. 5(2),
 *   7(1)) that no longer name anyone.
 * - `consent_events`: append-only history, one row per change, with the fields of
 *   ISO/IEC TS 27560. A trigger refuses UPDATE, TRUNCATE and DELETE, except a DELETE run
 *   by the retention sweep (which sets `rempart.consent_sweep` for its transaction).
 * - `transfers`, `transfer_items`: who was sent to which partner, which fields, when,
 *   and the SHA-256 of the file (append-only, same trigger).
 * - `consent_notices`: withdrawal notices to the partners that received the person's
 *   data, and their delivery log (Art. 7(3), 19).
 *
 * Append-only: once landed, this file is never edited; later changes are new migrations.
 */

const HEX64 = (column: string) => sql.raw(`${column} ~ '^[0-9a-f]{64}$'`);

export async function up(db: MigrationDb): Promise<void> {
  await db.schema
    .createTable('partners')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull().check(sql`length(btrim(name)) > 0`))
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('group_company','partner')`))
    .addColumn('country', 'text', (c) => c.notNull().check(sql`country ~ '^[A-Z]{2}$'`))
    .addColumn('safeguard', 'text', (c) => c.check(sql`safeguard in ('adequacy','scc','bcr')`))
    // P3.1: no partner without a ground; the application computes it (src/policy/countries.ts).
    .addColumn('transfer_ground', 'text', (c) => c.notNull().check(sql`transfer_ground in ('eu_eea','adequacy','scc','bcr')`))
    .addColumn('purposes', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('objection_contact', 'text')
    .addColumn('webhook_url', 'text', (c) => c.check(sql`webhook_url ~ '^https?://'`))
    .addColumn('hmac_secret', 'text')
    .addColumn('email', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addCheckConstraint('partners_reachable', sql`(webhook_url is not null and hmac_secret is not null) or email is not null`)
    .execute();

  await db.schema
    .createTable('consent_subjects')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('person_id', 'uuid', (c) => c.notNull().unique().references('people.id').onDelete('cascade'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('consent_events')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    // No foreign key: the pseudonym row goes with the person on erasure; the proof stays.
    .addColumn('subject_id', 'uuid', (c) => c.notNull())
    .addColumn('partner_id', 'uuid', (c) => c.notNull().references('partners.id'))
    .addColumn('state', 'text', (c) => c.notNull().check(sql`state in ('given','refused','withdrawn')`))
    .addColumn('event_at', 'timestamptz', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('notice_id', 'text', (c) => c.notNull())
    .addColumn('notice_version', 'text', (c) => c.notNull())
    .addColumn('text_shown', 'text', (c) => c.notNull())
    .addColumn('purpose', 'text', (c) => c.notNull())
    .addColumn('data_categories', 'jsonb', (c) => c.notNull())
    .addColumn('controller', 'text', (c) => c.notNull())
    .addColumn('recipient', 'jsonb', (c) => c.notNull())
    .addColumn('storage_locations', 'jsonb', (c) => c.notNull())
    .addColumn('retention', 'text', (c) => c.notNull())
    .addColumn('jurisdiction', 'text', (c) => c.notNull())
    .addColumn('withdrawal_method', 'text', (c) => c.notNull())
    .addColumn('collector', 'text', (c) => c.notNull())
    .addColumn('evidence', 'text')
    .addColumn('recorded_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('consent_events_subject_idx').on('consent_events').columns(['subject_id', 'partner_id', 'event_at']).execute();

  await db.schema
    .createTable('transfers')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('partner_id', 'uuid', (c) => c.notNull().references('partners.id'))
    .addColumn('segment', 'text')
    .addColumn('fields', 'jsonb', (c) => c.notNull())
    .addColumn('file_name', 'text', (c) => c.notNull())
    .addColumn('file_sha256', 'text', (c) => c.notNull().check(HEX64('file_sha256')))
    .addColumn('row_count', 'integer', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('transfer_items')
    .addColumn('transfer_id', 'uuid', (c) => c.notNull().references('transfers.id'))
    .addColumn('subject_id', 'uuid', (c) => c.notNull())
    // The consent event the person was sent on: the proof of an active consent (P1.6).
    // No foreign key: the two have retention periods of their own (accountabilityRetention).
    .addColumn('consent_event_id', 'uuid', (c) => c.notNull())
    .addPrimaryKeyConstraint('transfer_items_pk', ['transfer_id', 'subject_id'])
    .execute();
  await db.schema.createIndex('transfer_items_subject_idx').on('transfer_items').column('subject_id').execute();

  await db.schema
    .createTable('consent_notices')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('partner_id', 'uuid', (c) => c.notNull().references('partners.id'))
    .addColumn('subject_id', 'uuid', (c) => c.notNull())
    .addColumn('consent_event_id', 'uuid', (c) => c.notNull())
    .addColumn('payload_hash', 'text', (c) => c.notNull().check(HEX64('payload_hash')))
    // Sealed with the server key until delivered or given up, then cleared.
    .addColumn('payload_sealed', 'text')
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_status', 'text')
    .addColumn('next_attempt_at', 'timestamptz')
    .addColumn('delivered_at', 'timestamptz')
    .addColumn('gave_up_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('consent_notices_due_idx').on('consent_notices').column('next_attempt_at').execute();

  // Art. 7(1): the controller must be able to prove each consent, so its history is
  // never rewritten. Only the retention sweep deletes, past accountabilityRetention.
  await sql`
    create function rempart_consent_append_only() returns trigger language plpgsql as $$
    begin
      if tg_op = 'DELETE' and coalesce(current_setting('rempart.consent_sweep', true), '') = 'on' then
        return old;
      end if;
      raise exception '% is append-only: % refused', tg_table_name, tg_op using errcode = 'P0001';
    end $$`.execute(db);
  for (const table of ['consent_events', 'transfers', 'transfer_items']) {
    await sql`create trigger ${sql.raw(`${table}_append_only`)} before update or delete on ${sql.table(table)} for each row execute function rempart_consent_append_only()`.execute(db);
    await sql`create trigger ${sql.raw(`${table}_no_truncate`)} before truncate on ${sql.table(table)} for each statement execute function rempart_consent_append_only()`.execute(db);
  }
}

export async function down(db: MigrationDb): Promise<void> {
  for (const table of ['consent_notices', 'transfer_items', 'transfers', 'consent_events', 'consent_subjects', 'partners']) {
    await db.schema.dropTable(table).execute();
  }
  await sql`drop function rempart_consent_append_only()`.execute(db);
}
