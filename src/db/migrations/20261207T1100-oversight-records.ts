import { sql } from 'kysely';
import type { MigrationDb } from './migration-db.js';

/**
 * Two records of the controller's oversight, for the dpo's dashboard (issue 16):
 *   - `audit_verifications`: each verification of the audit chain (`rempart audit verify`,
 *     `POST /api/v1/audit/verify`), its outcome and who ran it, so the last one can be shown
 *     and a broken chain is not forgotten once the terminal closes (GDPR Art. 5(2), 32(1)(d));
 *   - `retention_runs`: each retention sweep and what it changed, by purpose and action and
 *     by table, as proof that the periods are applied (Art. 5(1)(e), 5(2)). Counts only: no
 *     person or record id.
 * Both are append-only bookkeeping: ids, counts and names, no personal data.
 *
 * Append-only: once landed, this file is never edited; later changes are new migrations.
 */
export async function up(db: MigrationDb): Promise<void> {
  await db.schema
    .createTable('audit_verifications')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('at', 'timestamptz', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('ok', 'boolean', (c) => c.notNull())
    .addColumn('entries', 'bigint', (c) => c.notNull())
    .addColumn('problem', 'text')
    .addColumn('seq', 'bigint')
    .addColumn('message', 'text')
    .execute();
  await db.schema.createIndex('audit_verifications_at_idx').on('audit_verifications').column('at').execute();
  await db.schema
    .createTable('retention_runs')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('started_at', 'timestamptz', (c) => c.notNull())
    .addColumn('finished_at', 'timestamptz', (c) => c.notNull())
    .addColumn('applied_at', 'date', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('batches', 'integer', (c) => c.notNull())
    .addColumn('changed', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('rows', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .execute();
  await db.schema.createIndex('retention_runs_started_idx').on('retention_runs').column('started_at').execute();
}

export async function down(db: MigrationDb): Promise<void> {
  await db.schema.dropTable('retention_runs').execute();
  await db.schema.dropTable('audit_verifications').execute();
}
