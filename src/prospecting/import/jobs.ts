import type { Kysely } from 'kysely';
import type { Actor } from '../../access/actor.js';
import { newId } from '../../db/ids.js';
import type { Database } from '../../db/schema.js';
import { isRempartError, RempartError } from '../../errors.js';
import { importProspects, type ImportOptions } from './engine.js';
import type { ImportReport } from './tables.js';

/** An import job as the API shows it. */
export interface ImportJobView {
  readonly id: string;
  readonly status: 'queued' | 'running' | 'done' | 'failed';
  readonly source: string;
  readonly dryRun: boolean;
  readonly rowsTotal: number | null;
  readonly rowsDone: number;
  readonly imported: number;
  readonly merged: number;
  readonly createdAt: string;
  readonly finishedAt: string | null;
  readonly actor: string;
  readonly report: ImportReport | null;
  readonly error: { readonly code: string; readonly message: string; readonly details: readonly unknown[] } | null;
}

/** Records a new import job, queued. */
export async function createImportJob(db: Kysely<Database>, job: { readonly source: string; readonly actor: Actor; readonly dryRun: boolean; readonly now: Date }): Promise<string> {
  const id = newId(job.now.getTime());
  await db.insertInto('importJobs').values({ id, kind: 'prospects', source: job.source, actor: job.actor.id, role: job.actor.role, status: 'queued', dryRun: job.dryRun, rowsTotal: null, report: null, error: null, createdAt: job.now }).execute();
  return id;
}

/**
 * Runs a queued job: `running`, then the import (each batch updates the counters in
 * its transaction), then `done` with the report or `failed` with the error (code,
 * message and details, which never carry values). Rethrows the error.
 */
export async function runImportJob(db: Kysely<Database>, jobId: string, path: string, options: Omit<ImportOptions, 'jobId'>): Promise<ImportReport> {
  await db.updateTable('importJobs').set({ status: 'running' }).where('id', '=', jobId).execute();
  try {
    const report = await importProspects(db, path, { ...options, jobId });
    await db
      .updateTable('importJobs')
      .set({ status: 'done', report: JSON.stringify(report), imported: report.imported, merged: report.merged, rowsDone: report.rows, rowsTotal: report.rows, finishedAt: new Date(options.now.getTime()) })
      .where('id', '=', jobId)
      .execute();
    return report;
  } catch (e) {
    const err = isRempartError(e) ? e : new RempartError('INTERNAL', 'The import failed; see the server log.', { cause: e });
    await db
      .updateTable('importJobs')
      .set({ status: 'failed', error: JSON.stringify({ code: err.code, message: err.message, details: err.details }), finishedAt: new Date(options.now.getTime()) })
      .where('id', '=', jobId)
      .execute();
    throw e;
  }
}

/** The latest jobs (of one actor, if given), newest first, without their reports. */
export async function listImportJobs(db: Kysely<Database>, query: { readonly limit: number; readonly actor?: string }): Promise<Omit<ImportJobView, 'report' | 'error' | 'actor'>[]> {
  let q = db.selectFrom('importJobs').select(['id', 'status', 'source', 'dryRun', 'rowsTotal', 'rowsDone', 'imported', 'merged', 'createdAt', 'finishedAt']).orderBy('id', 'desc').limit(query.limit);
  if (query.actor !== undefined) q = q.where('actor', '=', query.actor);
  const rows = await q.execute();
  return rows.map((r) => ({ ...r, createdAt: r.createdAt.toISOString(), finishedAt: r.finishedAt ? r.finishedAt.toISOString() : null }));
}

/** A job by id, or null. */
export async function getImportJob(db: Kysely<Database>, id: string): Promise<ImportJobView | null> {
  const r = await db.selectFrom('importJobs').selectAll().where('id', '=', id).executeTakeFirst();
  if (!r) return null;
  return {
    id: r.id,
    status: r.status,
    source: r.source,
    dryRun: r.dryRun,
    rowsTotal: r.rowsTotal,
    rowsDone: r.rowsDone,
    imported: r.imported,
    merged: r.merged,
    createdAt: r.createdAt.toISOString(),
    finishedAt: r.finishedAt ? r.finishedAt.toISOString() : null,
    actor: r.actor,
    report: r.report,
    error: r.error,
  };
}
