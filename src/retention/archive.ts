import { sql, type Kysely } from 'kysely';
import type { Actor } from '../access/actor.js';
import { appendInTransaction } from '../access/audit/index.js';
import type { Database } from '../db/schema.js';
import { RempartError } from '../errors.js';
import { effectiveGrants, type LoadedPolicy } from '../policy/index.js';

/** One record of the intermediate archive as the archive reader sees it. */
export interface ArchivedRecord {
  readonly sourceTable: string;
  readonly id: string;
  readonly purpose: string;
  readonly personId: string | null;
  readonly organisationId: string | null;
  readonly data: Readonly<Record<string, unknown>>;
  readonly reason: string;
  readonly archivedAt: Date;
  readonly deleteOn: string;
}

/** Whether the actor may read the intermediate archive: a role with a grant marked `archive: true` (P4.5). */
export function mayReadArchive(policy: LoadedPolicy, actor: Actor): boolean {
  return actor.role !== null && effectiveGrants(policy, actor.role).some((g) => g.archive === true && g.operations.includes('read'));
}

function archiveAudit(actor: Actor, personId: string | null, now: Date) {
  return { at: now, actor: actor.id, role: actor.role, purpose: 'crm', resource: 'archive.records', recordIds: [] as string[], personIds: personId === null ? [] : [personId], fields: [] as string[] };
}

/** Records a refused read of the archive in the audit chain (`denied`), then throws FORBIDDEN. `personId` null when the request named none valid. */
export async function refuseArchiveRead(db: Kysely<Database>, actor: Actor, personId: string | null, now: Date): Promise<never> {
  await db.transaction().execute((tx) => appendInTransaction(tx, [{ ...archiveAudit(actor, personId, now), action: 'denied', reason: 'no archive grant' }]));
  throw new RempartError('FORBIDDEN', 'Only a role granted the intermediate archive (archive_reader) reads it.');
}

/**
 * Reads a person's records in the intermediate archive (P4.5; CNIL: archived data is
 * consulted only by specially authorised people, for a stated reason). Only a role
 * granted the archive reads it; the reason is required; the read and its reason go
 * into the audit chain in the same transaction, so no read leaves without its trace.
 * Refusals are audited as `denied`.
 */
export async function readArchive(
  db: Kysely<Database>,
  policy: LoadedPolicy,
  actor: Actor,
  query: { readonly personId: string; readonly reason: string; readonly now: Date },
): Promise<ArchivedRecord[]> {
  const reason = query.reason.trim();
  const base = archiveAudit(actor, query.personId, query.now);
  if (!mayReadArchive(policy, actor)) return refuseArchiveRead(db, actor, query.personId, query.now);
  if (reason === '') throw new RempartError('VALIDATION_FAILED', 'A read of the archive needs its reason.', { details: [{ field: 'reason', message: 'required' }] });
  return db.transaction().execute(async (tx) => {
    const rows = await sql<{ source_table: string; id: string; purpose: string; person_id: string | null; organisation_id: string | null; data: Record<string, unknown> | string; reason: string; archived_at: Date; delete_on: string }>`
      select source_table, id, purpose, person_id, organisation_id, data, reason, archived_at, delete_on::text as delete_on
      from archive.records where person_id = ${query.personId} order by source_table, id`.execute(tx.withoutPlugins());
    const out = rows.rows.map((r) => ({
      sourceTable: r.source_table,
      id: r.id,
      purpose: r.purpose,
      personId: r.person_id,
      organisationId: r.organisation_id,
      data: (typeof r.data === 'string' ? JSON.parse(r.data) : r.data) as Record<string, unknown>,
      reason: r.reason,
      archivedAt: r.archived_at,
      deleteOn: r.delete_on,
    }));
    await appendInTransaction(tx, [{ ...base, action: 'read', recordIds: out.map((r) => `${r.sourceTable}/${r.id}`), fields: [...new Set(out.flatMap((r) => Object.keys(r.data)))].sort(), reason }]);
    return out;
  });
}
