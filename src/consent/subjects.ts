import { sql, type Kysely } from 'kysely';
import { newId } from '../db/ids.js';
import type { Database } from '../db/schema.js';

/** The pseudonym of a person's consent records, or null when none was ever recorded. */
export async function subjectOf(db: Kysely<Database>, personId: string): Promise<string | null> {
  const row = await db.selectFrom('consentSubjects').select('id').where('personId', '=', personId).executeTakeFirst();
  return row?.id ?? null;
}

/** The pseudonym of a person's consent records, created on first use. */
export async function ensureSubject(db: Kysely<Database>, personId: string, now: Date): Promise<string> {
  const existing = await subjectOf(db, personId);
  if (existing !== null) return existing;
  await db.insertInto('consentSubjects').values({ id: newId(now.getTime()), personId, createdAt: now }).onConflict((oc) => oc.column('personId').doNothing()).execute();
  return (await subjectOf(db, personId)) as string;
}

/**
 * The pseudonyms of many people's consent records, created on first use: person id →
 * subject id. Set-based (an import batch): one insert for the missing ones, one read.
 */
export async function ensureSubjects(db: Kysely<Database>, personIds: readonly string[], now: Date): Promise<Map<string, string>> {
  const ids = [...new Set(personIds)];
  const out = new Map<string, string>();
  if (ids.length === 0) return out;
  // Array parameters: the statements' text does not grow with the batch (nor hit the parameter limit).
  await sql`
    insert into consent_subjects (id, person_id, created_at)
    select u.id, u.person_id, ${now}::timestamptz from unnest(${ids.map(() => newId(now.getTime()))}::uuid[], ${ids}::uuid[]) as u(id, person_id)
    on conflict (person_id) do nothing`.execute(db);
  const rows = await sql<{ id: string; personId: string }>`select id, person_id from consent_subjects where person_id = any(${ids}::uuid[])`.execute(db);
  for (const r of rows.rows) out.set(r.personId, r.id);
  return out;
}
