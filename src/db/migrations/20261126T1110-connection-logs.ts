import type { MigrationDb } from './migration-db.js';
import { sql } from 'kysely';

/**
 * Connection and identification logs of the digital services (P1.7), kept 12 months (P4.4).
 *
 * The table is append-only and the database enforces it, so no code path (nor an
 * operator's stray SQL) can rewrite who connected from where (GDPR Art. 32(1)(b),
 * integrity; Art. 5(2), accountability): a trigger refuses every UPDATE, and every
 * DELETE except in a transaction that ran `set local rempart.purge = 'on'`, which only
 * the 12-month purge does. A trigger and not a rule: a rule silently turns the
 * statement into nothing, where a trigger makes it fail loudly. TRUNCATE fires no row
 * trigger, so a statement trigger refuses it too.
 *
 * `account_id` has no foreign key: accounts may be deleted while their logs must stay
 * for the legal 12 months.
 *
 * Append-only: once landed, this file is never edited; later changes are new migrations.
 */

export async function up(db: MigrationDb): Promise<void> {
  await db.schema
    .createTable('connection_logs')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('at', 'timestamptz', (c) => c.notNull())
    .addColumn('service', 'text', (c) => c.notNull())
    .addColumn('event', 'text', (c) =>
      c.notNull().check(sql`event in ('login','logout','token','identity_check','session_expired')`),
    )
    .addColumn('account_id', 'uuid')
    // Keyed HMAC-SHA256 of an identifier that matched no account; never the identifier itself.
    .addColumn('identifier_hash', 'text', (c) => c.check(sql`identifier_hash ~ '^[0-9a-f]{64}$'`))
    .addColumn('source_ip', 'text')
    .addColumn('source_port', 'integer', (c) => c.check(sql`source_port between 0 and 65535`))
    .addColumn('user_agent', 'text')
    .addColumn('outcome', 'text', (c) => c.notNull().check(sql`outcome in ('success','failure')`))
    .addColumn('reason', 'text')
    .execute();
  await db.schema.createIndex('connection_logs_at_idx').on('connection_logs').column('at').execute();
  await db.schema.createIndex('connection_logs_account_at_idx').on('connection_logs').columns(['account_id', 'at']).execute();

  await sql`
    create function connection_logs_append_only() returns trigger language plpgsql as $$
    begin
      if tg_op = 'DELETE' and coalesce(current_setting('rempart.purge', true), '') = 'on' then
        return old;
      end if;
      raise exception 'connection_logs is append-only: % refused', tg_op
        using errcode = 'insufficient_privilege',
              hint = 'entries leave only through the 12-month purge (P4.4)';
    end
    $$`.execute(db);
  await sql`
    create trigger connection_logs_append_only_rows before update or delete on connection_logs
    for each row execute function connection_logs_append_only()`.execute(db);
  await sql`
    create trigger connection_logs_append_only_truncate before truncate on connection_logs
    for each statement execute function connection_logs_append_only()`.execute(db);
}

export async function down(db: MigrationDb): Promise<void> {
  await db.schema.dropTable('connection_logs').execute();
  await sql`drop function connection_logs_append_only()`.execute(db);
}
