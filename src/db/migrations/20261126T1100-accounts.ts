import type { MigrationDb } from './migration-db.js';
import { sql } from 'kysely';

/**
 * Staff accounts, their sessions and API tokens (P2.1–P2.3: each recipient acts within
 * its attributions, so each must first be known; GDPR Art. 32: access control).
 *
 * Secrets are never stored in clear: passwords as argon2id hashes, session and API
 * tokens as SHA-256 digests (they are 256-bit random values, so a fast hash suffices),
 * TOTP secrets encrypted with AES-256-GCM under a server key, recovery codes hashed.
 *
 * Append-only: once landed, this file is never edited; later changes are new migrations.
 */

export async function up(db: MigrationDb): Promise<void> {
  await db.schema
    .createTable('accounts')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('email', 'text', (c) => c.notNull())
    // A role id of the policy; not checked here because roles live in the policy file.
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('scope_organisation_id', 'uuid', (c) => c.references('organisations.id'))
    .addColumn('password_hash', 'text', (c) => c.notNull())
    // `v1.<iv>.<tag>.<ciphertext>` (AES-256-GCM), never the base32 secret itself.
    .addColumn('totp_secret', 'text')
    .addColumn('totp_enabled', 'boolean', (c) => c.notNull().defaultTo(false))
    // The last RFC 6238 time step accepted: a code of this step or earlier is a replay.
    .addColumn('totp_last_step', 'bigint')
    .addColumn('recovery_code_hashes', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    // Lockout lives in the database so that every instance sees the same count.
    .addColumn('failed_attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('locked_until', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('disabled_at', 'timestamptz')
    .addCheckConstraint('accounts_failed_attempts_ck', sql`failed_attempts >= 0`)
    .addCheckConstraint('accounts_totp_enabled_ck', sql`not totp_enabled or totp_secret is not null`)
    .execute();
  // Emails are matched case-insensitively: one account per address, however it is typed.
  await db.schema.createIndex('accounts_email_uq').on('accounts').unique().expression(sql`lower(email)`).execute();
  await db.schema.createIndex('accounts_scope_organisation_idx').on('accounts').column('scope_organisation_id').execute();

  await db.schema
    .createTable('sessions')
    // Hex SHA-256 of the cookie token: a leaked table cannot be replayed as cookies.
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'uuid', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    // min(last_seen_at + idle timeout, created_at + absolute timeout).
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addColumn('last_seen_at', 'timestamptz', (c) => c.notNull())
    .addColumn('csrf_hash', 'text', (c) => c.notNull())
    .addColumn('revoked_at', 'timestamptz')
    .addColumn('mfa_passed', 'boolean', (c) => c.notNull().defaultTo(false))
    .execute();
  await db.schema.createIndex('sessions_account_idx').on('sessions').column('account_id').execute();
  await db.schema.createIndex('sessions_expires_idx').on('sessions').column('expires_at').execute();

  await db.schema
    .createTable('api_tokens')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('scope_organisation_id', 'uuid', (c) => c.references('organisations.id'))
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('expires_at', 'timestamptz')
    .addColumn('revoked_at', 'timestamptz')
    .addColumn('last_used_at', 'timestamptz')
    .execute();
}

export async function down(db: MigrationDb): Promise<void> {
  await db.schema.dropTable('api_tokens').execute();
  await db.schema.dropTable('sessions').execute();
  await db.schema.dropTable('accounts').execute();
}
