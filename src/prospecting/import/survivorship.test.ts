import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { describeEachEngine } from '../../../test/engines.js';
import { cliActor } from '../../access/actor.js';
import { newId } from '../../db/ids.js';
import type { Database } from '../../db/schema.js';
import type { Kysely } from 'kysely';
import { importProspects, type ImportOptions } from './engine.js';
import { mergeClusters } from './merge.js';
import { decideField, DEFAULT_SOURCE_RANKING, isNearVariant, type SourceRanking } from './survivorship.js';

const d1 = new Date('2026-01-10T08:00:00Z');
const d2 = new Date('2026-06-01T08:00:00Z');
const now = new Date('2026-11-26T10:00:00Z');
const key = randomBytes(32);
const actor = cliActor();
const dir = mkdtempSync(join(tmpdir(), 'rempart-survivorship-'));
let n = 0;
const file = (content: string) => {
  const p = join(dir, `f${++n}.csv`);
  writeFileSync(p, content);
  return p;
};
const held = (value: string | null, source = 'Salon', at = d1) => ({ value, source, collectedAt: at });
const offered = (value: string | null, source = 'Achat', at = d2) => ({ value, source, collectedAt: at });

describe('survivorship rules (pure)', () => {
  it('R-PROS-2 rule 1-2: nothing offered keeps; nothing held takes the offered value', () => {
    expect(decideField('jobTitle', held('DSI'), offered(null), 'exact')).toEqual({ keep: 'held', history: null });
    expect(decideField('jobTitle', held(null), offered('DSI'), 'fuzzy')).toEqual({ keep: 'offered', history: null });
  });
  it('R-PROS-2 rule 3: the same value folded records nothing', () => {
    expect(decideField('firstName', held('Amélie'), offered('AMELIE'), 'fuzzy').history).toBeNull();
  });
  it('R-PROS-2 rule 4: the policy ranking decides between sources, in both directions', () => {
    const ranking: SourceRanking = { ranking: ['CRM', 'Salon'], newerReplaces: true };
    expect(decideField('jobTitle', held('DSI', 'Salon'), offered('Directeur', 'CRM', d1), 'fuzzy', ranking)).toMatchObject({ keep: 'offered', history: { value: 'DSI', source: 'Salon', reason: 'outranked' } });
    expect(decideField('jobTitle', held('DSI', 'CRM'), offered('Directeur', 'Salon'), 'exact', ranking)).toMatchObject({ keep: 'held', history: { value: 'Directeur', reason: 'lower_rank' } });
  });
  it('R-PROS-2 rule 5: a near-variant (typo) never replaces the held value', () => {
    expect(isNearVariant('Perrin', 'Perin')).toBe(true);
    expect(isNearVariant('Martin', 'Bernard')).toBe(false);
    expect(decideField('lastName', held('Perrin'), offered('Perin'), 'exact')).toMatchObject({ keep: 'held', history: { value: 'Perin', source: 'Achat', reason: 'near_variant' } });
    expect(decideField('email', held('r.perrin@acme.fr'), offered('r.perin@acme.fr'), 'fuzzy')).toMatchObject({ keep: 'held', history: { reason: 'near_variant' } });
  });
  it('R-PROS-2 rule 6: another e-mail is a secondary value, not a replacement', () => {
    expect(decideField('email', held('a@acme.fr'), offered('amelie@gmail.com'), 'exact')).toMatchObject({ keep: 'held', history: { value: 'amelie@gmail.com', reason: 'secondary' } });
  });
  it('R-PROS-2 rule 7-8: a fuzzy match does not rewrite; an exact one lets the newer value win, the old to history', () => {
    expect(decideField('jobTitle', held('DSI'), offered('Directeur financier'), 'fuzzy')).toMatchObject({ keep: 'held', history: { reason: 'fuzzy_match' } });
    expect(decideField('jobTitle', held('DSI'), offered('Directeur financier'), 'exact')).toMatchObject({ keep: 'offered', history: { value: 'DSI', reason: 'older' } });
    expect(decideField('jobTitle', held('DSI'), offered('Directeur financier'), 'exact', { ...DEFAULT_SOURCE_RANKING, newerReplaces: false })).toMatchObject({ keep: 'held' });
  });
});

const opts = (source: string, at: Date, extra: Partial<ImportOptions> = {}): ImportOptions => ({ source, actor, key, now: at, collectedAt: at, ...extra });

describeEachEngine('survivorship in imports and merges', (store) => {
  const db = (): Kysely<Database> => store().db;
  const history = async (personId: string) => (await db().selectFrom('personFieldHistory').select(['field', 'value', 'source', 'reason']).where('personId', '=', personId).orderBy('field').execute());

  it('R-PROS-2 the typo row "Rachid Perin" merged by a fuzzy match leaves "Perrin" and his e-mail intact, the row\'s values in history', async () => {
    const mk = async (last: string, email: string, source: string, at: Date) => {
      const id = newId(at.getTime());
      await db().insertInto('people').values({ id, relation: 'prospect', firstName: 'Rachid', lastName: last, email, phones: JSON.stringify([]), postalAddresses: JSON.stringify([]), source, collectedAt: at, createdAt: at, updatedAt: at }).execute();
      return id;
    };
    const perrin = await mk('Perrin', 'r.perrin@royer-renaud.fr', 'CRM', d1);
    const typo = await mk('Perin', 'r.perin@royer-renaud.fr', 'Achat fichier', d2);
    await db().transaction().execute((tx) => mergeClusters(tx, [{ survivorId: perrin, otherIds: [typo] }], actor, now, 'test', { match: 'fuzzy', ranking: DEFAULT_SOURCE_RANKING }));
    expect(await db().selectFrom('people').select(['lastName', 'email']).where('id', '=', perrin).executeTakeFirstOrThrow()).toEqual({ lastName: 'Perrin', email: 'r.perrin@royer-renaud.fr' });
    expect(await history(perrin)).toEqual([
      { field: 'email', value: 'r.perin@royer-renaud.fr', source: 'Achat fichier', reason: 'near_variant' },
      { field: 'lastName', value: 'Perin', source: 'Achat fichier', reason: 'near_variant' },
    ]);
  });

  it('R-PROS-2 the same typo row reached by its e-mail (exact match) leaves "Perrin" and keeps "Perin" in history', async () => {
    await importProspects(db(), file('nom;prenom;email;societe\nPerrinx;Rachida;rachida@perrinx.fr;Acme\n'), opts('CRM', d1, { fuzzyPass: false }));
    await importProspects(db(), file('nom;prenom;email;societe\nPerinx;Rachida;rachida@perrinx.fr;Acme\n'), opts('Achat', d2, { fuzzyPass: false }));
    const p = await db().selectFrom('people').select(['id', 'lastName']).where('email', '=', 'rachida@perrinx.fr').executeTakeFirstOrThrow();
    expect(p.lastName).toBe('Perrinx');
    expect(await history(p.id)).toEqual([{ field: 'lastName', value: 'Perinx', source: 'Achat', reason: 'near_variant' }]);
  });

  it('R-PROS-1 "Royer & Renaud" lands on the organisation "Royer et Renaud"', async () => {
    const r1 = await importProspects(db(), file('nom;prenom;email;societe\nRoyer;Anne;anne@royer-renaud.fr;Royer et Renaud SARL\n'), opts('Salon', d1, { fuzzyPass: false }));
    const r2 = await importProspects(db(), file('nom;prenom;email;societe\nRenaud;Paul;paul@royer-renaud.fr;ROYER & RENAUD\n'), opts('Achat', d2, { fuzzyPass: false }));
    expect([r1.organisationsCreated, r2.organisationsCreated]).toEqual([1, 0]);
    const orgs = await db().selectFrom('people').select('organisationId').where('email', 'in', ['anne@royer-renaud.fr', 'paul@royer-renaud.fr']).execute();
    expect(new Set(orgs.map((o) => o.organisationId)).size).toBe(1);
  });

  it('R-PROS-6 a gmail row, and a row without a company, are imported and counted not eligible for e-mail prospecting', async () => {
    const r = await importProspects(db(), file('nom;prenom;email;societe\nMartin;Luc;luc.martin@gmail.com;Acme\nDurand;Eve;eve@durand-conseil.fr;\nPetit;Jo;jo@petit-sa.fr;Petit SA\n'), opts('Salon', d1, { fuzzyPass: false }));
    expect(r.imported).toBe(3);
    expect(r.notEligible.map((x) => [x.row, x.field, x.reason])).toEqual([
      [1, 'email', 'personal_email'],
      [2, 'company', 'no_company'],
    ]);
  });

  it('R-PROS-2 importing a file twice, or its rows in another order, leaves the same base (property)', async () => {
    const people = [
      { last: 'Lefebvre', first: 'Marc', email: 'marc@lefebvre-prop.fr', phone: '06 11 22 33 01' },
      { last: 'Garnier', first: 'Lise', email: 'lise@garnier-prop.fr', phone: '06 11 22 33 02' },
      { last: 'Chevalier', first: 'Noé', email: 'noe@chevalier-prop.fr', phone: '06 11 22 33 03' },
    ];
    const row = fc.record({ who: fc.integer({ min: 0, max: 2 }), typo: fc.boolean(), job: fc.constantFrom('', 'DSI', 'Acheteur', 'Gérant') });
    const snapshot = async () => {
      const ps = await db().selectFrom('people').select(['id', 'firstName', 'lastName', 'email', 'jobTitle', 'phones']).where('email', 'like', '%-prop.fr').orderBy('email').execute();
      const hist = await db().selectFrom('personFieldHistory').innerJoin('people', 'people.id', 'personFieldHistory.personId').select(['people.email', 'field', 'value', 'reason']).where('people.email', 'like', '%-prop.fr').execute();
      return {
        people: ps.map(({ id: _id, phones, ...p }) => ({ ...p, phones: (phones ?? []).map((x) => x.number).sort() })),
        history: hist.map((h) => `${h.email}|${h.field}|${h.value}|${h.reason}`).sort(),
      };
    };
    const clear = async () => {
      const ids = (await db().selectFrom('people').select('id').where('email', 'like', '%-prop.fr').execute()).map((r) => r.id);
      if (ids.length > 0) {
        await db().deleteFrom('prospectFieldProvenance').where('personId', 'in', ids).execute();
        await db().deleteFrom('people').where('id', 'in', ids).execute();
      }
    };
    await fc.assert(
      fc.asyncProperty(fc.array(row, { minLength: 1, maxLength: 6 }), fc.integer(), async (rows, seed) => {
        const csv = (rs: typeof rows) => file(`nom;prenom;email;telephone;fonction;societe\n${rs.map((r) => { const p = people[r.who]!; return `${r.typo ? p.last.slice(0, -1) : p.last};${p.first};${p.email};${p.phone};${r.job};Prop SA`; }).join('\n')}\n`);
        const shuffled = [...rows].map((r, i) => ({ r, k: (i * 7919 + seed) % 101 })).sort((a, b) => a.k - b.k).map((x) => x.r);
        await clear();
        await importProspects(db(), csv(rows), opts('Salon', d1, { fuzzyPass: false }));
        const once = await snapshot();
        await importProspects(db(), csv(rows), opts('Salon', d1, { fuzzyPass: false }));
        expect(await snapshot()).toEqual(once);
        await clear();
        await importProspects(db(), csv(shuffled), opts('Salon', d1, { fuzzyPass: false }));
        expect(await snapshot()).toEqual(once);
      }),
      { numRuns: 8 },
    );
  });
});
