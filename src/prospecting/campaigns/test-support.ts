/**
 * Test support for the campaign tests: people and organisations written straight into
 * the tables (test code, around the gate), with only what a selection looks at.
 */
import type { Kysely } from 'kysely';
import { newId } from '../../db/ids.js';
import type { Database } from '../../db/schema.js';

/** What a test person may set; the rest takes plain defaults. */
export interface TestPerson {
  readonly email?: string | null;
  readonly phone?: string;
  readonly relation?: 'client_contact' | 'colleague' | 'prospect';
  readonly firstName?: string;
  readonly lastName?: string;
  readonly jobTitle?: string;
  readonly source?: string;
  readonly collectedAt?: Date;
  readonly lastContactAt?: Date | null;
  readonly postcode?: string;
  readonly organisationId?: string | null;
}

/** Inserts an organisation; returns its id. */
export async function addOrganisation(db: Kysely<Database>, o: { readonly sector?: string; readonly headcount?: number; readonly postcode?: string } = {}): Promise<string> {
  const id = newId();
  await db
    .insertInto('organisations')
    .values({
      id,
      name: `Société ${id.slice(-6)}`,
      siret: null,
      vatNumber: null,
      sector: o.sector ?? null,
      headcount: o.headcount ?? null,
      addresses: JSON.stringify(o.postcode ? [{ line1: '1 rue de la Paix', postcode: o.postcode, city: 'Ville', country: 'FR' }] : []),
    })
    .execute();
  return id;
}

/** Inserts a person; returns their id. */
export async function addPerson(db: Kysely<Database>, p: TestPerson = {}): Promise<string> {
  const id = newId();
  const relation = p.relation ?? 'prospect';
  await db
    .insertInto('people')
    .values({
      id,
      purpose: relation === 'prospect' ? 'prospecting' : 'crm',
      relation,
      lastName: p.lastName ?? 'Martin',
      firstName: p.firstName ?? 'Claire',
      email: p.email === undefined ? `c.${id.slice(-8)}@entreprise.fr` : p.email,
      phones: JSON.stringify(p.phone ? [{ number: p.phone, type: 'mobile' }] : []),
      postalAddresses: JSON.stringify(p.postcode ? [{ line1: '2 rue Haute', postcode: p.postcode, city: 'Ville', country: 'FR' }] : []),
      jobTitle: p.jobTitle ?? null,
      organisationId: p.organisationId ?? null,
      source: p.source ?? 'Salon Vivatech 2026',
      collectedAt: p.collectedAt ?? new Date('2026-10-01T09:00:00Z'),
      lastContactAt: p.lastContactAt ?? null,
    })
    .execute();
  return id;
}
