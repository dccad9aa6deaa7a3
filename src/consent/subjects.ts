import type { Kysely } from 'kysely';
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
