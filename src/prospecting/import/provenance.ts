import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';

/**
 * Provenance of a prospect's fields (R-PROS-2, R-PROS-9; GDPR Art. 14(2)(f): the person
 * is told where their data came from).
 *
 * A person whose every field came from one source at one date — the record's own
 * `people.source` and `people.collected_at` — has no rows in `prospect_field_provenance`:
 * the record says it already, and writing one row per field for every imported person was
 * the largest part of an import's writes (measured: up to 7 rows, each with a primary-key
 * index entry, per person). Rows exist, for every field the person has, from the first time
 * a second source or date gives a value: `materialiseProvenance` writes the implied rows
 * before the merge adds its own. So a person has either no rows (all implied) or a row for
 * each of their fields, and "which source gave this field, when" is answered by
 * `fieldProvenance` in both cases.
 */

/** The fields whose provenance is kept (property names, as the rows name them). */
export const PROVENANCE_FIELDS = ['firstName', 'lastName', 'email', 'jobTitle', 'organisationId', 'phones', 'postalAddresses'] as const;
export type ProvenanceField = (typeof PROVENANCE_FIELDS)[number];

/**
 * Writes the implied provenance rows of these people (those with no rows yet): one per
 * field they hold, from the record's source and collection date, chosen. Call it before
 * adding a second source's rows to a person (import merge, record-linkage merge), in the
 * same transaction. One statement, whatever the number of people.
 */
export async function materialiseProvenance(tx: Kysely<Database>, personIds: readonly string[]): Promise<void> {
  if (personIds.length === 0) return;
  await sql`
    insert into prospect_field_provenance (person_id, field, source, collected_at, import_job_id, chosen)
    select p.id, f.field, p.source, p.collected_at, null, true
    from people p
    cross join lateral (values
      ('firstName', p.first_name is not null and p.first_name <> ''),
      ('lastName', p.last_name is not null and p.last_name <> ''),
      ('email', p.email is not null and p.email <> ''),
      ('jobTitle', p.job_title is not null and p.job_title <> ''),
      ('organisationId', p.organisation_id is not null),
      ('phones', coalesce(jsonb_array_length(p.phones), 0) > 0),
      ('postalAddresses', coalesce(jsonb_array_length(p.postal_addresses), 0) > 0)
    ) as f(field, present)
    where p.id = any(${[...personIds]}::uuid[]) and f.present
      and not exists (select 1 from prospect_field_provenance x where x.person_id = p.id)
    on conflict do nothing`.execute(tx);
}

/** One field's provenance as read: stored rows, or the record's own source and date when it has none. */
export interface FieldProvenance {
  readonly field: string;
  readonly source: string;
  readonly collectedAt: Date;
  readonly chosen: boolean;
  /** True when no row is stored: the record's own source and date. */
  readonly implied: boolean;
}

/** Where each field of a person came from (R-PROS-9): stored rows, else implied from the record. */
export async function fieldProvenance(db: Kysely<Database>, personId: string): Promise<FieldProvenance[]> {
  const rows = await db.selectFrom('prospectFieldProvenance').select(['field', 'source', 'collectedAt', 'chosen']).where('personId', '=', personId).orderBy('field').orderBy('collectedAt').execute();
  if (rows.length > 0) return rows.map((r) => ({ ...r, implied: false }));
  const p = await db.selectFrom('people').select(['firstName', 'lastName', 'email', 'jobTitle', 'organisationId', 'phones', 'postalAddresses', 'source', 'collectedAt']).where('id', '=', personId).executeTakeFirst();
  if (!p) return [];
  const present = (f: ProvenanceField): boolean => {
    const v = p[f];
    return Array.isArray(v) ? v.length > 0 : v !== null && v !== '';
  };
  return PROVENANCE_FIELDS.filter(present).map((field) => ({ field, source: p.source, collectedAt: p.collectedAt, chosen: true, implied: true }));
}
