import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { describeEachEngine } from '../../../test/engines.js';
import type { Database } from '../../db/schema.js';
import { isRempartError } from '../../errors.js';
import { isPersonalAct, PERSONAL_ACTS, recordPersonalContact, type PersonalAct } from './last-contact.js';
import { contactTerm } from './term.js';

async function prospect(db: Kysely<Database>, collectedAt: string): Promise<string> {
  const id = randomUUID();
  await db
    .insertInto('people')
    .values({ id, purpose: 'prospecting', relation: 'prospect', lastName: 'Martin', email: `p.${id}@example.fr`, phones: '[]', postalAddresses: '[]', source: 'salon', collectedAt })
    .execute();
  return id;
}

async function lastContact(db: Kysely<Database>, id: string): Promise<Date | null> {
  return (await db.selectFrom('people').select('lastContactAt').where('id', '=', id).executeTakeFirstOrThrow()).lastContactAt;
}

async function auditReasons(db: Kysely<Database>, personId: string): Promise<string[]> {
  const rows = await db.selectFrom('auditQueue').select('event').execute();
  return rows
    .map((r) => (typeof r.event === 'string' ? JSON.parse(r.event) : r.event) as { personIds: string[]; reason: string | null; fields: string[] })
    .filter((e) => e.personIds.includes(personId))
    .map((e) => `${e.fields.join(',')}: ${e.reason ?? ''}`);
}

describe('personal acts', () => {
  it('R-PROS-7 an email open is not a personal act, at compile time and at run time', () => {
    expectTypeOf<'open'>().not.toMatchTypeOf<PersonalAct>();
    expectTypeOf<'click'>().toMatchTypeOf<PersonalAct>();
    expect(PERSONAL_ACTS).toEqual(['reply', 'form', 'click', 'order', 'call', 'repermission_yes']);
    expect(isPersonalAct('open')).toBe(false);
    expect(isPersonalAct('click')).toBe(true);
  });
});

describeEachEngine('last contact', (store) => {
  it('P4.2 R-PROS-7 a click counts: the last contact moves to it, audited, and the term moves with it', async () => {
    const db = store().db;
    const id = await prospect(db, '2023-12-26T10:00:00Z');
    expect(contactTerm(new Date('2023-12-26T10:00:00Z'), await lastContact(db, id), 'P3Y')).toBe('2026-12-26');
    const click = new Date('2026-12-01T08:30:00Z');
    await recordPersonalContact(db, id, 'click', click);
    expect(await lastContact(db, id)).toEqual(click);
    expect(contactTerm(new Date('2023-12-26T10:00:00Z'), await lastContact(db, id), 'P3Y')).toBe('2029-12-01');
    expect(await auditReasons(db, id)).toEqual(['last_contact_at: contact from the person: click (R-PROS-7)']);
  });

  it('P4.2 the last contact only moves forward: an older act changes nothing and is not audited', async () => {
    const db = store().db;
    const id = await prospect(db, '2023-01-01T10:00:00Z');
    const later = new Date('2025-06-01T00:00:00Z');
    await recordPersonalContact(db, id, 'order', later);
    await recordPersonalContact(db, id, 'call', new Date('2024-06-01T00:00:00Z'));
    await recordPersonalContact(db, id, 'reply', later);
    expect(await lastContact(db, id)).toEqual(later);
    expect(await auditReasons(db, id)).toHaveLength(1);
  });

  it('R-PROS-7 an open passed by an untyped caller is refused and the clock does not move', async () => {
    const db = store().db;
    const id = await prospect(db, '2023-01-01T10:00:00Z');
    const error = await recordPersonalContact(
      db,
      id,
      // @ts-expect-error an open is not a PersonalAct: this line must not compile (R-PROS-7)
      'open',
      new Date('2025-01-01T00:00:00Z'),
    ).catch((e: unknown) => e);
    expect(isRempartError(error, 'VALIDATION_FAILED')).toBe(true);
    expect(await lastContact(db, id)).toBeNull();
    expect(await auditReasons(db, id)).toEqual([]);
  });

  it('P4.2 an act inside the caller\'s transaction is rolled back with it', async () => {
    const db = store().db;
    const id = await prospect(db, '2023-01-01T10:00:00Z');
    await expect(
      db.transaction().execute(async (tx) => {
        await recordPersonalContact(tx, id, 'form', new Date('2025-01-01T00:00:00Z'));
        throw new Error('rollback');
      }),
    ).rejects.toThrow('rollback');
    expect(await lastContact(db, id)).toBeNull();
  });
});
