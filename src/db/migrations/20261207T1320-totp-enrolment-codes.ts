import type { MigrationDb } from './migration-db.js';

/**
 * `accounts.enrolment_code_hash` / `enrolment_code_expires_at`: the one-time code a
 * staff member needs, besides the password, to enrol a first TOTP app.
 *
 * Why (GDPR Art. 32): without it, whoever first learns a password can enrol their own
 * authenticator and so own the second factor too. The code is handed over apart from the
 * password (printed by `rempart user add` or `rempart user enrolment-code`); only its
 * SHA-256 is kept, it expires, and enrolling consumes it.
 *
 * Append-only: once landed, this file is never edited; later changes are new migrations.
 */
export async function up(db: MigrationDb): Promise<void> {
  await db.schema
    .alterTable('accounts')
    .addColumn('enrolment_code_hash', 'text')
    .addColumn('enrolment_code_expires_at', 'timestamptz')
    .execute();
}

export async function down(db: MigrationDb): Promise<void> {
  await db.schema.alterTable('accounts').dropColumn('enrolment_code_hash').dropColumn('enrolment_code_expires_at').execute();
}
