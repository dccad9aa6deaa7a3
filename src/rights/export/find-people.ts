import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';

/** The form an email is compared in: trimmed and lower-cased (addresses are matched case-insensitively). */
export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

/**
 * The ids of every people record holding this email, compared case-insensitively. A
 * person may have been entered more than once (a client contact who was a prospect
 * before): a request covers all their records (GDPR Art. 15(1): "the personal data").
 */
export async function findPeopleByEmail(db: Kysely<Database>, email: string): Promise<readonly string[]> {
  const wanted = normaliseEmail(email);
  if (wanted === '') return [];
  const rows = await db
    .selectFrom('people')
    .select('id')
    // Matches the expression index people_email_idx (BENCHMARKS.md: a full scan before).
    .where(sql<string>`lower(btrim(email))`, '=', wanted)
    .orderBy('id')
    .execute();
  return rows.map((r) => r.id);
}
