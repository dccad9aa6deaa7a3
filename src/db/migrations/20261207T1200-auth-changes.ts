import { sql } from 'kysely';
import type { MigrationDb } from './migration-db.js';

/**
 * `auth_changes`: one row holding a version number that every revocation bumps, so that
 * every server instance can drop its in-memory token and session cache within one poll
 * of the change (src/access/auth/auth-cache.ts).
 *
 * Why: authentication is served from memory (no database write, and after the first
 * request no read, per request), and a revoked token, a disabled account or a logged-out
 * session must still stop working on every instance within a stated bound (GDPR Art. 32:
 * access control). Statement-level triggers bump the version on the columns that can
 * take a right away, whoever writes them (a server instance, the CLI, a restore), so no
 * code path can forget to. Touching `last_used_at`, `last_seen_at` or `expires_at` does
 * not bump it: those change every minute and take no right away.
 *
 * Append-only: once landed, this file is never edited; later changes are new migrations.
 */
export async function up(db: MigrationDb): Promise<void> {
  await db.schema
    .createTable('auth_changes')
    .addColumn('id', 'integer', (c) => c.primaryKey().check(sql`id = 1`))
    .addColumn('version', 'bigint', (c) => c.notNull().defaultTo(0))
    .execute();
  await sql`insert into auth_changes (id, version) values (1, 0)`.execute(db);
  await sql`
    create function rempart_bump_auth_changes() returns trigger language plpgsql as $$
    begin
      update auth_changes set version = version + 1 where id = 1;
      return null;
    end $$`.execute(db);
  await sql`create trigger api_tokens_auth_changes after update of revoked_at, expires_at, role, scope_organisation_id, token_hash or delete on api_tokens
    for each statement execute function rempart_bump_auth_changes()`.execute(db);
  await sql`create trigger sessions_auth_changes after update of revoked_at, mfa_passed, account_id or delete on sessions
    for each statement execute function rempart_bump_auth_changes()`.execute(db);
  await sql`create trigger accounts_auth_changes after update of disabled_at, role, scope_organisation_id, totp_enabled, email or delete on accounts
    for each statement execute function rempart_bump_auth_changes()`.execute(db);
}

export async function down(db: MigrationDb): Promise<void> {
  await sql`drop trigger if exists api_tokens_auth_changes on api_tokens`.execute(db);
  await sql`drop trigger if exists sessions_auth_changes on sessions`.execute(db);
  await sql`drop trigger if exists accounts_auth_changes on accounts`.execute(db);
  await sql`drop function if exists rempart_bump_auth_changes()`.execute(db);
  await db.schema.dropTable('auth_changes').ifExists().execute();
}
