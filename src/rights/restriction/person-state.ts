import type { Kysely, Updateable } from 'kysely';
import type { Database } from '../../db/schema.js';
import { RempartError } from '../../errors.js';
import type { PersonStatesTable } from './tables.js';

type StatePatch = Omit<Updateable<PersonStatesTable>, 'personId'>;

/** Sets fields of a person's state row, creating it when absent. */
export async function setPersonState(db: Kysely<Database>, personId: string, patch: StatePatch): Promise<void> {
  await db
    .insertInto('personStates')
    .values({ personId, ...patch })
    .onConflict((oc) => oc.column('personId').doUpdateSet(patch))
    .execute();
}

/**
 * Throws NOT_FOUND unless the person exists; returns their email, phone numbers and name:
 * what the person is written to at, and what a recipient needs to find them (Art. 19).
 */
export async function personContact(
  db: Kysely<Database>,
  personId: string,
): Promise<{ email: string | null; phones: string[]; lastName: string | null; firstName: string | null }> {
  const row = await db.selectFrom('people').select(['email', 'phones', 'lastName', 'firstName']).where('id', '=', personId).executeTakeFirst();
  if (!row) throw new RempartError('NOT_FOUND', `Person ${personId} not found.`);
  const phones = (Array.isArray(row.phones) ? row.phones : []).map((p) => p.number).filter((n): n is string => typeof n === 'string');
  return { email: row.email, phones, lastName: row.lastName, firstName: row.firstName };
}
