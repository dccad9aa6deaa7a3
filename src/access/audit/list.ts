import { type Kysely, sql } from 'kysely';
import type { Database } from '../../db/schema.js';
import { RempartError } from '../../errors.js';
import { toEntry, type AuditEntry } from './entries.js';
import type { AuditAction } from './tables.js';

/** A page request on the audit trail. */
export interface AuditEntryQuery {
  /** Only the entries concerning this person (the dpo's "who touched my data": GDPR Art. 15). */
  readonly personId?: string;
  /** Only this actor's entries (`user:<id>`, `token:<id>`, `cli:<user>`, `system:<job>`). */
  readonly actor?: string;
  readonly action?: string;
  /** The record type or store accessed (`people`, `rights-requests`, `retention`…). */
  readonly resource?: string;
  /** Inclusive. */
  readonly from?: Date;
  /** Exclusive. */
  readonly to?: Date;
  /** The `nextCursor` of the previous page. */
  readonly cursor?: string;
  readonly limit?: number;
}

/** One page, newest first; `nextCursor` is null on the last page. */
export interface AuditEntryPage {
  readonly items: readonly AuditEntry[];
  readonly nextCursor: string | null;
}

const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 1000;

/** One page of chained audit entries, newest first (events still queued appear once chained, within moments). */
export async function listAuditEntries(db: Kysely<Database>, query: AuditEntryQuery = {}): Promise<AuditEntryPage> {
  const limit = Math.min(Math.max(Math.trunc(query.limit ?? DEFAULT_LIMIT), 1), MAX_LIMIT);
  let q = db.selectFrom('auditEntries').selectAll();
  if (query.personId !== undefined) {
    // `@>` on text[] is what the GIN index on person_ids serves.
    q = q.where(sql<boolean>`person_ids @> array[${query.personId}]::text[]`);
  }
  if (query.actor !== undefined) q = q.where('actor', '=', query.actor);
  if (query.action !== undefined) q = q.where('action', '=', query.action as AuditAction);
  if (query.resource !== undefined) q = q.where('resource', '=', query.resource);
  if (query.from !== undefined) q = q.where('at', '>=', query.from);
  if (query.to !== undefined) q = q.where('at', '<', query.to);
  if (query.cursor !== undefined) {
    if (!/^[1-9][0-9]{0,15}$/.test(query.cursor)) {
      throw new RempartError('VALIDATION_FAILED', 'The cursor is not one this listing returned.', {
        details: [{ field: 'cursor', message: 'is not a cursor of this listing' }],
      });
    }
    q = q.where('seq', '<', Number(query.cursor));
  }
  const rows = await q.orderBy('seq', 'desc').limit(limit + 1).execute();
  const items = rows.slice(0, limit).map(toEntry);
  const last = items[items.length - 1];
  return { items, nextCursor: rows.length > limit && last ? String(last.seq) : null };
}
