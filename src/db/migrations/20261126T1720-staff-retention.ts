import type { MigrationDb } from './migration-db.js';

/**
 * Retention of staff accounts (policy `accountabilityRetention.staff_accounts`, GDPR
 * Art. 5(1)(e)): `accounts.anonymised_at`, set by the retention sweep when it drops a
 * deactivated account's identifying fields (email, secrets, lockout state). The row and
 * its id stay, so the audit entries that name `user:<id>` still resolve (Art. 5(2)); the
 * column makes the step idempotent and lets `retention plan` count what is left to do.
 *
 * Append-only: once landed, this file is never edited; later changes are new migrations.
 */
export async function up(db: MigrationDb): Promise<void> {
  await db.schema.alterTable('accounts').addColumn('anonymised_at', 'timestamptz').execute();
}

export async function down(db: MigrationDb): Promise<void> {
  await db.schema.alterTable('accounts').dropColumn('anonymised_at').execute();
}
