import type { MigrationDb } from './migration-db.js';
import { sql } from 'kysely';

/**
 * Art. 19 notices of a restriction being lifted: `recipient_notifications.event` also
 * takes `restriction_lifted`. A recipient told of a restriction (Art. 18(2): store only)
 * must also learn when it ends, or it would keep the data frozen, or resume processing
 * on its own guess; the delivery log records that notice like the others.
 *
 * Only the check changes: no row is rewritten, and every existing value stays valid.
 *
 * Append-only: once landed, this file is never edited; later changes are new migrations.
 */
export async function up(db: MigrationDb): Promise<void> {
  // The name PostgreSQL gave the column check of 20261126T1210 (`<table>_<column>_check`).
  await sql`alter table recipient_notifications drop constraint recipient_notifications_event_check`.execute(db);
  await sql`alter table recipient_notifications add constraint recipient_notifications_event_check check (event in ('rectification','erasure','restriction','restriction_lifted'))`.execute(db);
}

export async function down(db: MigrationDb): Promise<void> {
  await sql`alter table recipient_notifications drop constraint recipient_notifications_event_check`.execute(db);
  await sql`alter table recipient_notifications add constraint recipient_notifications_event_check check (event in ('rectification','erasure','restriction'))`.execute(db);
}
