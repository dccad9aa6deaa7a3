import type { MigrationDb } from './migration-db.js';
import { sql } from 'kysely';

/**
 * The audit trail (GDPR Art. 5(2), accountability; P2.5).
 *
 * - `audit_queue`: events inserted in the business write's own transaction (a plain
 *   insert, no lock), so a write commits with its audit events or not at all.
 * - `audit_entries`: the hash chain the chainer builds from the queue, one `seq` after
 *   the other; `hash = sha256(prev_hash ‖ canonical JSON of the entry)`.
 * - `audit_checkpoints`: Ed25519-signed (seq, hash) pairs, behind which entries may be pruned.
 *
 * The database refuses what would rewrite history (Art. 32(1)(b), integrity): UPDATE
 * always; DELETE from the queue only in the chainer's transaction (`rempart.chain`),
 * from the entries only when pruning behind a checkpoint (`rempart.prune`), from the
 * checkpoints never; TRUNCATE never (it fires no row trigger, hence the statement ones).
 * Triggers and not rules, so a refused statement fails loudly. The hash chain still
 * catches whoever disables the triggers (a database superuser).
 *
 * Append-only: once landed, this file is never edited; later changes are new migrations.
 */

const ACTIONS = sql`action in ('read','create','update','delete','export','denied')`;

export async function up(db: MigrationDb): Promise<void> {
  await db.schema
    .createTable('audit_queue')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('event', 'jsonb', (c) => c.notNull())
    .addColumn('queued_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('audit_entries')
    .addColumn('seq', 'bigint', (c) => c.primaryKey().check(sql`seq > 0`))
    .addColumn('at', 'timestamptz', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('role', 'text')
    .addColumn('purpose', 'text')
    .addColumn('action', 'text', (c) => c.notNull().check(ACTIONS))
    .addColumn('resource', 'text', (c) => c.notNull())
    .addColumn('record_ids', sql`text[]`, (c) => c.notNull())
    .addColumn('person_ids', sql`text[]`, (c) => c.notNull())
    .addColumn('fields', sql`text[]`, (c) => c.notNull())
    .addColumn('reason', 'text')
    .addColumn('prev_hash', 'text', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .execute();
  // The dpo's "every access to this person" (`?person=`): `person_ids @> array[…]` uses it.
  await db.schema.createIndex('audit_entries_person_ids_idx').on('audit_entries').using('gin').column('person_ids').execute();

  await db.schema
    .createTable('audit_checkpoints')
    .addColumn('seq', 'bigint', (c) => c.primaryKey())
    .addColumn('hash', 'text', (c) => c.notNull())
    .addColumn('at', 'timestamptz', (c) => c.notNull())
    .addColumn('signature', 'text', (c) => c.notNull())
    .addColumn('public_key', 'text', (c) => c.notNull())
    .execute();

  // TG_ARGV[0]: the setting that lets a DELETE through ('' for none).
  await sql`
    create function audit_append_only() returns trigger language plpgsql as $$
    begin
      if tg_op = 'DELETE' and tg_argv[0] <> '' and coalesce(current_setting(tg_argv[0], true), '') = 'on' then
        return old;
      end if;
      raise exception '% is append-only: % refused', tg_table_name, tg_op
        using errcode = 'insufficient_privilege',
              hint = 'the audit trail is tamper-evident (P2.5); entries leave only behind a signed checkpoint';
    end
    $$`.execute(db);
  for (const [table, setting] of [
    ['audit_queue', 'rempart.chain'],
    ['audit_entries', 'rempart.prune'],
    ['audit_checkpoints', ''],
  ] as const) {
    await sql`
      create trigger ${sql.id(`${table}_append_only_rows`)} before update or delete on ${sql.table(table)}
      for each row execute function audit_append_only(${sql.lit(setting)})`.execute(db);
    await sql`
      create trigger ${sql.id(`${table}_append_only_truncate`)} before truncate on ${sql.table(table)}
      for each statement execute function audit_append_only(${sql.lit(setting)})`.execute(db);
  }
}

export async function down(db: MigrationDb): Promise<void> {
  for (const table of ['audit_checkpoints', 'audit_entries', 'audit_queue']) {
    await db.schema.dropTable(table).ifExists().execute();
  }
  await sql`drop function if exists audit_append_only()`.execute(db);
}
