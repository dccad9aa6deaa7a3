import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';

/**
 * The partners that received a person's data, from the transfer log: whom an erasure,
 * rectification or restriction must reach under GDPR Art. 19 (for recipients.ts). It reads
 * consent's tables but lives here, below consent/ (which imports this folder for the
 * notices' delivery); consent re-exports it.
 */
export async function partnersOfPerson(db: Kysely<Database>, personId: string): Promise<{ id: string; name: string; webhookUrl: string | null; email: string | null }[]> {
  return db
    .selectFrom('consentSubjects as s')
    .innerJoin('transferItems as i', 'i.subjectId', 's.id')
    .innerJoin('transfers as t', 't.id', 'i.transferId')
    .innerJoin('partners as p', 'p.id', 't.partnerId')
    .select(['p.id', 'p.name', 'p.webhookUrl', 'p.email'])
    .distinct()
    .where('s.personId', '=', personId)
    .orderBy('p.id')
    .execute();
}
