import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql, type Kysely, type SqlBool } from 'kysely';
import { describe, expect, it } from 'vitest';
import { describeEachEngine } from '../../../test/engines.js';
import { cliActor } from '../../access/actor.js';
import type { Database } from '../../db/schema.js';
import { isCommonCompanyName } from '../normalise/index.js';
import { loadPolicy } from '../../policy/index.js';
import { selectEligible } from '../campaigns/guard.js';
import { importProspects, type ImportOptions } from './engine.js';
import { namesAgree } from './identity.js';
import { strictestState, type MergeState } from './merge.js';
import { decideReviewPair } from './review.js';

const now = new Date('2026-11-26T10:00:00Z');
const later = new Date('2026-11-27T10:00:00Z');
const key = randomBytes(32);
const actor = cliActor();
const dir = mkdtempSync(join(tmpdir(), 'rempart-identity-'));
let n = 0;
const file = (content: string) => {
  const p = join(dir, `f${++n}.csv`);
  writeFileSync(p, content);
  return p;
};
const opts = (extra: Partial<ImportOptions> = {}): ImportOptions => ({ source: 'Salon', actor, key, now, fuzzyPass: false, ...extra });
const HEADER = 'nom;prenom;email;telephone;societe;siret;adresse;cp;ville\n';

describe('identity evidence and organisation names (pure)', () => {
  it('R-PROS-2 names agree within a typo, swapped or with an initial; not without a surname or with another one', () => {
    expect(namesAgree({ firstName: 'Jean', lastName: 'Dupont' }, { firstName: 'J.', lastName: 'DUPONT' })).toBe(true);
    expect(namesAgree({ firstName: 'Jean', lastName: 'Dupont' }, { firstName: 'Dupont', lastName: 'Jean' })).toBe(true);
    expect(namesAgree({ firstName: 'Rachid', lastName: 'Perrin' }, { firstName: 'Rachid', lastName: 'Perin' })).toBe(true);
    expect(namesAgree({ firstName: 'Jean', lastName: 'Dupont' }, { firstName: 'Marie', lastName: 'Martin' })).toBe(false);
    expect(namesAgree({ firstName: 'Jean', lastName: null }, { firstName: 'Jean', lastName: 'Dupont' })).toBe(false);
  });
  it('R-PROS-1 a common company name is one made of trade, place and small words only', () => {
    expect(isCommonCompanyName('boulangerie du centre')).toBe(true);
    expect(isCommonCompanyName('garage de la gare')).toBe(true);
    expect(isCommonCompanyName('abc')).toBe(true);
    expect(isCommonCompanyName('royer renaud')).toBe(false);
    expect(isCommonCompanyName('boulangerie quatrebarbes')).toBe(false);
  });
  it('R-PROS-2 a merge keeps the strictest states: the earlier objection, an upheld objection over an overridden one, the individual flag', () => {
    const none: MergeState = { objectedProspectingAt: null, objectionOtherAt: null, objectionOtherGrounds: null, decision: null, decisionGrounds: null, decidedAt: null, restrictedAt: null, restrictionReason: null, liftNoticeSentAt: null, individualAt: null };
    const d1 = new Date('2026-01-01T00:00:00Z');
    const d2 = new Date('2026-02-01T00:00:00Z');
    const upheld = { ...none, objectionOtherAt: d2, objectionOtherGrounds: 'g2', decision: 'upheld', decisionGrounds: 'ok', decidedAt: d2 };
    const overridden = { ...none, objectedProspectingAt: d2, objectionOtherAt: d1, objectionOtherGrounds: 'g1', decision: 'overridden', decisionGrounds: 'legal claim', decidedAt: d1, individualAt: d1 };
    for (const s of [strictestState(overridden, upheld), strictestState(upheld, overridden)]) {
      expect(s).toMatchObject({ objectedProspectingAt: d2, objectionOtherAt: d2, objectionOtherGrounds: 'g2', decision: 'upheld', decisionGrounds: 'ok', individualAt: d1 });
    }
    expect(strictestState({ ...none, objectedProspectingAt: d2 }, { ...none, objectedProspectingAt: d1 }).objectedProspectingAt).toBe(d1);
    expect(strictestState(none, { ...none, objectedProspectingAt: d1 }).objectedProspectingAt).toBe(d1);
  });
});

describeEachEngine('identity evidence and organisations at import', (store) => {
  const db = (): Kysely<Database> => store().db;
  const withPhone = (phone: string) => db().selectFrom('people').select(['id', 'firstName', 'lastName']).where(sql<SqlBool>`prospect_phone_numbers(phones) @> array[${phone}]::text[]`).orderBy('id').execute();
  const orgOf = async (email: string) => (await db().selectFrom('people').select('organisationId').where('email', '=', email).executeTakeFirstOrThrow()).organisationId;

  it('R-PROS-2 a phone match with a disagreeing name goes to review, not merge', async () => {
    await importProspects(db(), file(`${HEADER}Dupont;Jean;;06 10 20 30 40;Acme;;;;\n`), opts());
    const r = await importProspects(db(), file(`${HEADER}Martin;Marie;;06 10 20 30 40;Acme;;;;\n`), opts({ now: later }));
    expect(r).toMatchObject({ imported: 1, merged: 0, created: 1, queuedForReview: 1 });
    const [jean, marie] = await withPhone('+33610203040');
    expect([jean?.lastName, marie?.lastName]).toEqual(['Dupont', 'Martin']);
    const pairs = await db().selectFrom('dedupeReviewQueue').select(['leftPersonId', 'rightPersonId', 'comparison']).where('rightPersonId', '=', marie!.id).execute();
    expect(pairs).toEqual([{ leftPersonId: jean!.id, rightPersonId: marie!.id, comparison: { rule: 'phone', phone: 'exact', names: 'disagree' } }]);
    // The same number with the name that agrees merges as before.
    expect(await importProspects(db(), file(`${HEADER}DUPONT;J.;;0610203040;Acme;;;;\n`), opts({ now: later }))).toMatchObject({ merged: 1, created: 0 });
  });

  it('R-PROS-2 two people at one switchboard number stay two people; past the threshold the number matches nothing', async () => {
    const std = '01 45 67 89 10';
    const r1 = await importProspects(db(), file(`${HEADER}Lambert;Jeanne;;${std};Standard SA;;;;\nRoussel;Marc;;${std};Standard SA;;;;\nFaure;Lina;;${std};Standard SA;;;;\n`), opts());
    // In one batch: the second and third are not the first (names disagree): created, each pair to review.
    expect(r1).toMatchObject({ imported: 3, merged: 0, created: 3, queuedForReview: 2 });
    // A fourth at the same number, even with the first one's name, is not merged by it: three records hold it, a switchboard.
    const r2 = await importProspects(db(), file(`${HEADER}Lambert;Jeanne;;${std};Standard SA;;;;\nGarcia;Tom;;${std};Standard SA;;;;\n`), opts({ now: later }));
    expect(r2).toMatchObject({ imported: 2, merged: 0, created: 2, queuedForReview: 0 });
    expect((await withPhone('+33145678910')).map((p) => p.lastName)).toEqual(['Lambert', 'Roussel', 'Faure', 'Lambert', 'Garcia']);
  });

  it('R-PROS-2 after the merge of a record that carried an objection the survivor is objected (review accepted)', async () => {
    await importProspects(db(), file(`${HEADER}Noël;Ana;;06 55 44 33 22;Acme;;;;\n`), opts());
    await importProspects(db(), file(`${HEADER}Noe;Bea;;06 55 44 33 22;Acme;;;;\n`), opts({ now: later }));
    const [older, newer] = await withPhone('+33655443322');
    await db().insertInto('personStates').values({ personId: newer!.id, objectedProspectingAt: later }).execute();
    const pair = await db().selectFrom('dedupeReviewQueue').select('id').where('rightPersonId', '=', newer!.id).executeTakeFirstOrThrow();
    expect(await decideReviewPair(db(), pair.id, 'accept', actor, later)).toEqual({ status: 'accepted', survivorId: older!.id, chosen: [] });
    expect(await db().selectFrom('personStates').select(['personId', 'objectedProspectingAt']).where('personId', 'in', [older!.id, newer!.id]).execute()).toEqual([{ personId: older!.id, objectedProspectingAt: later }]);
  });

  it('R-PROS-1 a SIREN match wins over the name: another establishment of a known company joins it, whatever name the row gives', async () => {
    await importProspects(db(), file(`${HEADER}Alpha;Ines;ines@alpha-ind.fr;;Alpha Industrie;732 829 320 00074;;;\nBeta;Leo;leo@beta-cons.fr;;Beta Conseil;;;;\n`), opts());
    const alpha = await orgOf('ines@alpha-ind.fr');
    const beta = await orgOf('leo@beta-cons.fr');
    expect(alpha).not.toBe(beta);
    // Another SIRET (another establishment) of the same SIREN, under the other company's name.
    const r = await importProspects(db(), file(`${HEADER}Gamma;Zoe;zoe@alpha-ind.fr;;Beta Conseil;73282932000108;;;\n`), opts({ now: later }));
    expect(r.organisationsCreated).toBe(0);
    expect(await orgOf('zoe@alpha-ind.fr')).toBe(alpha);
    // A known name under another SIREN is another company: an organisation of its own.
    await importProspects(db(), file(`${HEADER}Delta;Max;max@alpha-autre.fr;;Alpha Industrie;443061841;;;\n`), opts({ now: later }));
    expect(await orgOf('max@alpha-autre.fr')).not.toBe(alpha);
  });

  it('R-PROS-1 a common organisation name in two different cities stays two organisations; without a place the pair goes to review', async () => {
    const r = await importProspects(
      db(),
      file(
        `${HEADER}Blanc;Eva;eva@bdc-lyon.fr;;Boulangerie du Centre;;5 place Bellecour;69002;Lyon\n` +
          `Brun;Hugo;hugo@bdc-rennes.fr;;BOULANGERIE DU CENTRE SARL;;3 rue Haute;35000;Rennes\n` +
          `Vert;Lou;lou@bdc-lyon.fr;;Boulangerie du centre;;8 rue Neuve;69002;Lyon\n`,
      ),
      opts(),
    );
    expect(r.organisationsCreated).toBe(2);
    const lyon = await orgOf('eva@bdc-lyon.fr');
    expect(await orgOf('hugo@bdc-rennes.fr')).not.toBe(lyon);
    expect(await orgOf('lou@bdc-lyon.fr')).toBe(lyon);
    // The same common name with no address: maybe one of them, maybe neither; reviewed, not guessed.
    const placeless = await importProspects(db(), file(`${HEADER}Gris;Tim;tim@bdc.fr;;Boulangerie du Centre;;;;\n`), opts({ now: later }));
    expect(placeless).toMatchObject({ organisationsCreated: 1, organisationsQueuedForReview: 1 });
    const tim = await orgOf('tim@bdc.fr');
    expect(await db().selectFrom('organisationReviewQueue').select(['leftOrganisationId', 'rule', 'status']).where('rightOrganisationId', '=', tim!).execute()).toEqual([
      { leftOrganisationId: lyon, rule: 'common_name_without_place', status: 'pending' },
    ]);
  });

  it('R-PROS-1 a name one typo away from one known at the same postcode is sent to review, not merged', async () => {
    await importProspects(db(), file(`${HEADER}Royer;Anne;anne@rr-paris.fr;;Royer et Renaud;;12 av Foch;75016;Paris\n`), opts());
    const r = await importProspects(db(), file(`${HEADER}Renaud;Paul;paul@rr-paris.fr;;Royer et Renaut;;12 av Foch;75016;Paris\n`), opts({ now: later }));
    expect(r).toMatchObject({ organisationsCreated: 1, organisationsQueuedForReview: 1 });
    const [a, b] = [await orgOf('anne@rr-paris.fr'), await orgOf('paul@rr-paris.fr')];
    expect(a).not.toBe(b);
    expect(await db().selectFrom('organisationReviewQueue').select(['leftOrganisationId', 'rule']).where('rightOrganisationId', '=', b!).execute()).toEqual([{ leftOrganisationId: a, rule: 'near_name_same_place' }]);
  });

  it('R-PROS-6 a row without a company is imported not eligible for e-mail prospecting, until a consent is recorded', async () => {
    const policy = await loadPolicy('policies/certilience.yaml');
    const r = await importProspects(db(), file(`${HEADER}Seul;Eli;eli@seul-conseil.fr;;;;;;\nPro;Ada;ada@pro-sa.fr;;Pro SA;;;;\n`), opts({ policy }));
    expect(r.notEligible.map((x) => [x.row, x.field, x.reason])).toEqual([[1, 'company', 'no_company']]);
    const eli = (await db().selectFrom('people').select('id').where('email', '=', 'eli@seul-conseil.fr').executeTakeFirstOrThrow()).id;
    const ada = (await db().selectFrom('people').select('id').where('email', '=', 'ada@pro-sa.fr').executeTakeFirstOrThrow()).id;
    const select = async (at: Date) => {
      const pages = [];
      for await (const page of selectEligible({ db: db(), policy, key }, { personIds: [eli, ada], use: 'solicitation', now: at })) pages.push(page);
      return { eligible: pages.flatMap((p) => p.eligible.map((e) => e.id)), excluded: pages.map((p) => p.excluded) };
    };
    expect(await select(later)).toEqual({ eligible: [ada], excluded: [{ individual_without_consent: 1 }] });
    // A consent from a later file (opt-in with its date and proof) makes the individual eligible.
    await importProspects(db(), file('nom;prenom;email;consentement;date du consentement;preuve\nSeul;Eli;eli@seul-conseil.fr;oui;2026-11-27;https://salon.example/form/9\n'), opts({ policy, now: later, collectedAt: later }));
    expect((await select(later)).eligible.sort()).toEqual([eli, ada].sort());
  });
});
