import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { describeEachEngine } from '../../../test/engines.js';
import { DEFAULT_POLICY_FILE, loadPolicy, type LoadedPolicy } from '../../policy/index.js';
import { addOpposition } from '../../rights/opposition/index.js';
import { parseCriteria, type SegmentCriteria } from './criteria.js';
import { countEligible, exclusionReason, selectEligible, type GuardDeps } from './guard.js';
import { findRegion, regionOfPostcode } from './regions.js';
import { addOrganisation, addPerson } from './test-support.js';

const NOW = new Date('2026-11-26T10:00:00Z');
let policy: LoadedPolicy;
beforeAll(async () => {
  policy = await loadPolicy(DEFAULT_POLICY_FILE);
});

describe('selection rules (pure)', () => {
  const facts = { objected: false, onOppositionList: false, restricted: false, pastRetention: false, email: 'a.b@acme.fr', consentedToEmailProspecting: false };
  it('R-PROS-4 each exclusion has its reason, objection first', () => {
    expect(exclusionReason(facts, 'solicitation')).toBeNull();
    expect(exclusionReason({ ...facts, objected: true, restricted: true }, 'solicitation')).toBe('objected');
    expect(exclusionReason({ ...facts, onOppositionList: true }, 'solicitation')).toBe('opposition_list');
    expect(exclusionReason({ ...facts, restricted: true }, 'solicitation')).toBe('restricted');
    expect(exclusionReason({ ...facts, pastRetention: true }, 'solicitation')).toBe('past_retention');
    expect(exclusionReason({ ...facts, email: null }, 'solicitation')).toBe('no_email');
  });
  it('R-PROS-6 a personal-domain email needs consent for a solicitation, not for the Art. 14 information', () => {
    expect(exclusionReason({ ...facts, email: 'claire@gmail.com' }, 'solicitation')).toBe('personal_email_without_consent');
    expect(exclusionReason({ ...facts, email: 'claire@Orange.fr' }, 'solicitation')).toBe('personal_email_without_consent');
    expect(exclusionReason({ ...facts, email: 'claire@gmail.com', consentedToEmailProspecting: true }, 'solicitation')).toBeNull();
    expect(exclusionReason({ ...facts, email: 'claire@gmail.com' }, 'information')).toBeNull();
  });
  it('R-PROS-4 regions come from the postcode département', () => {
    expect(regionOfPostcode('35000')?.name).toBe('Bretagne');
    expect(regionOfPostcode('75002')?.iso).toBe('FR-IDF');
    expect(regionOfPostcode('20000')?.name).toBe('Corse');
    expect(regionOfPostcode('97400')?.name).toBe('La Réunion');
    expect(regionOfPostcode('98000')).toBeNull();
    expect(regionOfPostcode('7500')).toBeNull();
    expect(findRegion('ile de france')?.code).toBe('11');
    expect(findRegion('FR-BRE')?.code).toBe('53');
  });
  it('R-PROS-4 criteria are checked, every problem named with its field', () => {
    expect(() => parseCriteria({ regions: ['Atlantide'], headcountBands: ['huge'], lastContactBefore: '2026-02-30', colour: 'red' })).toThrow(
      expect.objectContaining({
        details: expect.arrayContaining([
          expect.objectContaining({ field: 'criteria.regions' }),
          expect.objectContaining({ field: 'criteria.headcountBands' }),
          expect.objectContaining({ field: 'criteria.lastContactBefore' }),
          expect.objectContaining({ field: 'criteria.colour' }),
        ]),
      }),
    );
    expect(parseCriteria({ regions: ['Bretagne'] })).toEqual({ regions: ['53'] });
  });
});

describeEachEngine('selection guard', (store) => {
  const key = randomBytes(32);
  const deps = (): GuardDeps => ({ db: store().db, policy, key });
  const ids = async (criteria: SegmentCriteria = {}): Promise<string[]> => {
    const out: string[] = [];
    for await (const page of selectEligible(deps(), { criteria, use: 'solicitation', now: NOW, pageSize: 3 })) out.push(...page.eligible.map((p) => p.id));
    return out.sort();
  };

  it('R-PROS-4 no selection includes a person who objected, is on the opposition list, restricted, past retention or archived; R-PROS-6 nor a personal address without consent', async () => {
    const db = store().db;
    const src = 'guard-all';
    const ok = await addPerson(db, { source: src });
    const objected = await addPerson(db, { source: src });
    await db.insertInto('personStates').values({ personId: objected, objectedProspectingAt: NOW }).execute();
    const listed = await addPerson(db, { source: src, email: 'Liste.Opposition@Acme.fr' });
    await addOpposition(db, key, { email: 'liste.opposition@acme.fr' }, { channel: 'email', now: NOW });
    const listedByPhone = await addPerson(db, { source: src, phone: '06 11 22 33 44' });
    await addOpposition(db, key, { phone: '+33611223344' }, { channel: 'all', now: NOW });
    const postOnly = await addPerson(db, { source: src, email: 'courrier@acme.fr' });
    await addOpposition(db, key, { email: 'courrier@acme.fr' }, { channel: 'post', now: NOW });
    const restricted = await addPerson(db, { source: src });
    await db.insertInto('personStates').values({ personId: restricted, restrictedAt: NOW }).execute();
    // Collected more than 3 years ago (P3Y, the policy's prospecting period), no contact since.
    const expired = await addPerson(db, { source: src, collectedAt: new Date('2023-11-25T09:00:00Z') });
    // Collected as long ago, but the person clicked a year ago: still within the period.
    const renewed = await addPerson(db, { source: src, collectedAt: new Date('2023-11-25T09:00:00Z'), lastContactAt: new Date('2025-11-01T09:00:00Z') });
    const personal = await addPerson(db, { source: src, email: 'claire.martin@gmail.com' });
    // A client contact's clock is the contract's end (crm), not collection: the retention engine says still active.
    const client = await addPerson(db, { source: src, relation: 'client_contact', collectedAt: new Date('2022-01-10T09:00:00Z') });
    // Archived: moved out of the operational tables (the archive keeps it elsewhere).
    const archived = await addPerson(db, { source: src });
    const row = await db.selectFrom('people').selectAll().where('id', '=', archived).executeTakeFirstOrThrow();
    await db.insertInto('archivedRecords').values({ id: archived, sourceTable: 'people', recordId: archived, personId: archived, data: JSON.stringify(row), reason: 'test', archivedAt: NOW }).execute();
    await db.deleteFrom('people').where('id', '=', archived).execute();

    const selected = await ids({ sources: [src] });
    expect(selected).toEqual([ok, postOnly, renewed, client].sort());
    for (const out of [objected, listed, listedByPhone, restricted, expired, personal, archived]) expect(selected).not.toContain(out);

    const count = await countEligible(deps(), { criteria: { sources: [src] }, use: 'solicitation', now: NOW });
    expect(count).toEqual({
      eligible: 4,
      excluded: { objected: 1, opposition_list: 2, restricted: 1, past_retention: 1, personal_email_without_consent: 1, individual_without_consent: 0, no_email: 0 },
    });
    // A day before the third anniversary the old record was still selectable.
    const before: string[] = [];
    for await (const page of selectEligible(deps(), { criteria: { sources: [src] }, use: 'solicitation', now: new Date('2026-11-24T10:00:00Z') })) before.push(...page.eligible.map((p) => p.id));
    expect(before).toContain(expired);
  });

  it('R-PROS-4 criteria: headcount band, sector, region, job title, source, last contact, relation', async () => {
    const db = store().db;
    const src = 'guard-criteria';
    const small = await addOrganisation(db, { sector: 'Industrie', headcount: 30, postcode: '35000' });
    const big = await addOrganisation(db, { sector: 'Banque', headcount: 5000, postcode: '69001' });
    const a = await addPerson(db, { source: src, organisationId: small, jobTitle: 'Directrice des achats', lastContactAt: new Date('2026-01-10T00:00:00Z') });
    const b = await addPerson(db, { source: src, organisationId: big, jobTitle: 'RSSI', postcode: '75008', relation: 'client_contact' });
    const c = await addPerson(db, { source: src, organisationId: big, jobTitle: 'Acheteur', lastContactAt: new Date('2026-06-10T00:00:00Z') });
    expect(await ids({ sources: [src], headcountBands: ['10-49'] })).toEqual([a]);
    expect(await ids({ sources: [src], headcountBands: ['1000+'] })).toEqual([b, c].sort());
    expect(await ids({ sources: [src], sectors: ['banque'] })).toEqual([b, c].sort());
    // The person's own postcode first (b: Paris), else the organisation's (c: Lyon).
    expect(await ids(parseCriteria({ sources: [src], regions: ['Auvergne-Rhône-Alpes'] }))).toEqual([c]);
    expect(await ids(parseCriteria({ sources: [src], regions: ['Île-de-France', 'Bretagne'] }))).toEqual([a, b].sort());
    expect(await ids({ sources: [src], jobTitleContains: 'achat' })).toEqual([a]);
    expect(await ids({ sources: [src], lastContactBefore: '2026-03-01' })).toEqual([a]);
    expect(await ids({ sources: [src], lastContactAfter: '2026-03-01' })).toEqual([c]);
    expect(await ids({ sources: [src], relations: ['client_contact'] })).toEqual([b]);
    expect(await ids({ sources: ['nobody'] })).toEqual([]);
  });
});
