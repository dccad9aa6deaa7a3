import { sql, type Kysely, type RawBuilder } from 'kysely';
import { newId } from '../db/ids.js';
import type { Database } from '../db/schema.js';
import { RempartError } from '../errors.js';

/*
 * A person's consent records are kept under a pseudonym (`consent_subjects`). A person
 * may hold several: merging two records of the same person (R-PROS-2) gives the
 * survivor the pseudonyms of both, with their events untouched (append-only proofs,
 * GDPR Art. 7(1)). Every question about a person's consent is therefore asked across all
 * of their pseudonyms; new events go under one of them, the oldest.
 */

/**
 * The pseudonym new consent events of a person go under, or null when none was ever
 * recorded: the oldest (UUIDv7 ids are time-ordered), so the choice is the same on every
 * call, before and after a merge gave the person a second one.
 */
export async function subjectOf(db: Kysely<Database>, personId: string): Promise<string | null> {
  const row = await db.selectFrom('consentSubjects').select('id').where('personId', '=', personId).orderBy('id').limit(1).executeTakeFirst();
  return row?.id ?? null;
}

/** The pseudonym new consent events of a person go under, created on first use. NOT_FOUND for an unknown person. */
export async function ensureSubject(db: Kysely<Database>, personId: string, now: Date): Promise<string> {
  const existing = await subjectOf(db, personId);
  if (existing !== null) return existing;
  return (await ensureSubjects(db, [personId], now)).get(personId) as string;
}

/**
 * The pseudonyms new consent events of many people go under, created on first use:
 * person id → subject id (the oldest of a person's pseudonyms). Set-based (an import
 * batch): two statements whatever the number of people. NOT_FOUND when a person does not
 * exist.
 *
 * Since a merged person may hold several pseudonyms, no unique constraint stops two
 * writers from each creating a first one for the same person. So the people without one
 * are locked first (their `people` row, `for no key update`: it does not block rows that
 * merely reference the person); a second writer waits there, and its insert, a later
 * statement, sees the first writer's pseudonym and adds none (read committed).
 */
export async function ensureSubjects(db: Kysely<Database>, personIds: readonly string[], now: Date): Promise<Map<string, string>> {
  const ids = [...new Set(personIds)];
  const out = new Map<string, string>();
  if (ids.length === 0) return out;
  // Array parameters: the statements' text does not grow with the batch (nor hit the parameter limit).
  // In id order, so two batches over the same people wait for each other instead of deadlocking.
  await sql`
    select p.id from people p
     where p.id = any(${ids}::uuid[]) and not exists (select 1 from consent_subjects s where s.person_id = p.id)
     order by p.id for no key update of p`.execute(db);
  const rows = await sql<{ id: string; personId: string }>`
    with created as (
      insert into consent_subjects (id, person_id, created_at)
      select u.id, u.person_id, ${now}::timestamptz from unnest(${ids.map(() => newId(now.getTime()))}::uuid[], ${ids}::uuid[]) as u(id, person_id)
       where exists (select 1 from people p where p.id = u.person_id)
         and not exists (select 1 from consent_subjects s where s.person_id = u.person_id)
      returning id, person_id)
    select id, person_id from created
    union all
    (select distinct on (s.person_id) s.id, s.person_id from consent_subjects s where s.person_id = any(${ids}::uuid[]) order by s.person_id, s.id)`.execute(db);
  for (const r of rows.rows) out.set(r.personId, r.id);
  if (out.size < ids.length) throw new RempartError('NOT_FOUND', `${ids.length - out.size} of the people given were not found.`);
  return out;
}

/**
 * The pseudonyms of a person, as a subquery for `subject_id in (…)`: every one a merge
 * gave them, so that no event, transfer or notice of a merged-away record is left out.
 */
export function subjectsOfPerson(db: Kysely<Database>, personId: string) {
  return db.selectFrom('consentSubjects').select('consentSubjects.id').where('consentSubjects.personId', '=', personId);
}

/**
 * The order that puts the event that decides a consent's state first, over events of
 * alias `e`: the latest, and at the same instant a refusal or withdrawal before a
 * consent, then the last recorded. Two events at one instant happen when a consent and a
 * withdrawal are dated by the day (an imported file, a paper form), or come from two
 * records merged into one person; which came first is then unknown, and the controller
 * must be able to demonstrate a consent (GDPR Art. 7(1)): one it cannot show came after
 * the withdrawal is not demonstrated, and a withdrawal must hold (Art. 7(3)).
 */
export function decidingFirst(alias = 'e'): RawBuilder<unknown> {
  const c = (column: string) => sql.ref(`${alias}.${column}`);
  return sql`${c('event_at')} desc, (${c('state')} = 'given') asc, ${c('id')} desc`;
}

/** The reverse of `decidingFirst`: history order, oldest first, the deciding event of an instant last. */
export function decidingLast(alias = 'e'): RawBuilder<unknown> {
  const c = (column: string) => sql.ref(`${alias}.${column}`);
  return sql`${c('event_at')} asc, (${c('state')} = 'given') desc, ${c('id')} asc`;
}
