import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';

/** One recorded retention sweep and what it changed (counts only). */
export interface RetentionRun {
  readonly id: string;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly appliedAt: string;
  readonly actor: string;
  readonly batches: number;
  readonly changed: readonly { readonly purpose: string; readonly action: string; readonly count: number }[];
  readonly rows: Readonly<Record<string, number>>;
}

/** The most recent retention runs, newest first. */
export async function listRetentionRuns(db: Kysely<Database>, limit = 20): Promise<RetentionRun[]> {
  const rows = await db.selectFrom('retentionRuns').selectAll().orderBy('startedAt', 'desc').orderBy('id', 'desc').limit(limit).execute();
  return rows.map((r) => ({
    id: r.id,
    startedAt: r.startedAt.toISOString(),
    finishedAt: r.finishedAt.toISOString(),
    appliedAt: r.appliedAt,
    actor: r.actor,
    batches: r.batches,
    changed: r.changed,
    rows: r.rows,
  }));
}
