import { sql, type Kysely } from 'kysely';
import { newId } from '../../db/ids.js';
import type { Database } from '../../db/schema.js';
import type { HistoryReason } from './survivorship.js';

/** A value survivorship did not keep (survivorship.ts), for `person_field_history`. */
export interface HistoryRow {
  readonly personId: string;
  readonly field: string;
  readonly value: string;
  readonly source: string;
  readonly collectedAt: Date;
  readonly reason: HistoryReason;
}

/**
 * Writes values not kept to the person's history, one statement (unnest) whatever their
 * number; a value already there from the same source is not written twice, so importing a
 * file again adds nothing.
 */
export async function writeHistory(tx: Kysely<Database>, rows: readonly HistoryRow[], jobId: string | null, now: Date): Promise<void> {
  if (rows.length === 0) return;
  const col = <T,>(f: (r: HistoryRow) => T) => rows.map(f);
  await sql`
    insert into person_field_history (id, person_id, field, value, source, collected_at, reason, import_job_id, recorded_at)
    select id, person_id, field, value, source, collected_at, reason, ${jobId}::uuid, ${now}::timestamptz
    from unnest(${col(() => newId(now.getTime()))}::uuid[], ${col((r) => r.personId)}::uuid[], ${col((r) => r.field)}::text[], ${col((r) => r.value)}::text[],
      ${col((r) => r.source)}::text[], ${col((r) => r.collectedAt.toISOString())}::timestamptz[], ${col((r) => r.reason)}::text[])
      as u(id, person_id, field, value, source, collected_at, reason)
    on conflict (person_id, field, value, source) do nothing`.execute(tx);
}
