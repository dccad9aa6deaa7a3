import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { describeEachEngine } from '../../../test/engines.js';
import { cliActor } from '../../access/actor.js';
import { newId } from '../../db/ids.js';
import { mulberry32 } from '../dedupe/rng.js';
import { importProspects, type ImportOptions } from './engine.js';
import { dedupeProspectBase, queueReviewPairs } from './linkage.js';
import { decideReviewPair } from './review.js';

const dir = mkdtempSync(join(tmpdir(), 'rempart-linkage-'));
let files = 0;
const HEADER = 'Nom;Prénom;E-mail;Téléphone;Société;Fonction;Adresse;Code postal;Ville';

/** One generated prospect, as the columns of HEADER. */
interface Prospect {
  last: string;
  first: string;
  email: string;
  phone: string;
  company: string;
  job: string;
  street: string;
  postcode: string;
  city: string;
}

const FIRST = ['Hélène', 'Jérôme', 'François', 'Léa', 'Amélie', 'Cédric', 'Noémie', 'Benoît', 'Zoé', 'Raphaël', 'Chloé', 'Grégoire', 'Inès', 'Loïc', 'Maëlle', 'Stéphane', 'Agnès', 'Thérèse', 'Anaïs', 'Gaël', 'Valérie', 'Séverine', 'Frédéric', 'Émilie', 'Joël', 'Mélanie', 'Rémi', 'Océane', 'Aurélien', 'Bérénice'];
const LAST = ['Lefèvre', 'Dubois', 'Moreau', 'Girard', 'Bonnet', 'Mercier', 'Chevalier', 'Lemaître', 'Gauthier', 'Perrin', 'Robin', 'Clément', 'Morin', 'Nicolas', 'Henry', 'Roussel', 'Mathieu', 'Garnier', 'Faure', 'Rousseau', 'Blanc', 'Guérin', 'Muller', 'Boyer', 'Fournier', 'Lambert', 'Fontaine', 'Barbier', 'Brunet', 'Schmitt', 'Colin', 'Vidal', 'Caron', 'Picard', 'Roger', 'Renaud', 'Arnaud', 'Aubert', 'Rolland', 'Leclerc'];
const COMPANY = ['Acme', 'Batiplus', 'Cimenterie du Rhône', 'Dataviz', 'Electrosud', 'Ferronnerie Martin', 'Gestimmo', 'Hexalog', 'Imprimerie Nouvelle', 'Jardins de France', 'Kinetic', 'Logistique Ouest', 'Mécanique Alpine', 'Novatex', 'Optiroute', 'Pixelia', 'Quadrature', 'Robotix', 'Solvéo', 'Transalp'];
const JOB = ['Directeur achats', 'DSI', 'Responsable RH', 'Directrice commerciale', 'Gérant', 'Chef de projet', 'Comptable', 'Responsable logistique'];
const PLACE: readonly (readonly [string, string])[] = [['75008', 'Paris'], ['69003', 'Lyon'], ['13001', 'Marseille'], ['31000', 'Toulouse'], ['33000', 'Bordeaux'], ['44000', 'Nantes'], ['59000', 'Lille'], ['67000', 'Strasbourg'], ['35000', 'Rennes'], ['21000', 'Dijon']];
const STREET = ['rue de la Paix', 'avenue Foch', 'boulevard Voltaire', 'rue Nationale', 'place de la République', 'rue du Moulin', 'chemin des Vignes', 'allée des Tilleuls'];

const fold = (s: string) => s.normalize('NFD').replace(/\p{M}/gu, '');
const slug = (s: string) => fold(s).toLowerCase().replace(/[^a-z0-9]+/g, '');

/** `n` distinct prospects, the same ones for the same seed; phones and emails unique. */
function generate(n: number, seed: number): Prospect[] {
  const rnd = mulberry32(seed);
  const pick = <T,>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const out: Prospect[] = [];
  const names = new Set<string>();
  while (out.length < n) {
    const first = pick(FIRST);
    const last = pick(LAST);
    if (names.has(`${first} ${last}`)) continue;
    names.add(`${first} ${last}`);
    const company = pick(COMPANY);
    const [postcode, city] = pick(PLACE);
    out.push({
      last,
      first,
      email: `${slug(first)}.${slug(last)}@${slug(company)}.fr`,
      phone: `06 ${String(10 + out.length).padStart(2, '0')} ${String(Math.floor(rnd() * 100)).padStart(2, '0')} ${String(Math.floor(rnd() * 100)).padStart(2, '0')} ${String(seed % 100).padStart(2, '0')}`,
      company,
      job: pick(JOB),
      street: `${1 + Math.floor(rnd() * 90)} ${pick(STREET)}`,
      postcode,
      city,
    });
  }
  return out;
}

function csv(rows: readonly Prospect[]): string {
  const p = join(dir, `f${++files}.csv`);
  writeFileSync(p, [HEADER, ...rows.map((r) => [r.last, r.first, r.email, r.phone, r.company, r.job, r.street, r.postcode, r.city].join(';'))].join('\n') + '\n');
  return p;
}

/** A typing error: two neighbouring letters swapped, past the first. */
const typo = (s: string) => (s.length < 4 ? s : s.slice(0, 2) + s[3] + s[2] + s.slice(4));

const key = randomBytes(32);
const actor = cliActor();
const day1 = new Date('2026-09-01T09:00:00Z');
const day2 = new Date('2026-11-26T10:00:00Z');
const opts = (now: Date, source: string, extra: Partial<ImportOptions> = {}): ImportOptions => ({ source, actor, key, now, ...extra });

describeEachEngine('whole-base record linkage', (store) => {
  const db = () => store().db;

  it('R-PROS-2 an import merges a prospect already in the base under another spelling (accent lost, surname typo, other email provider) by the fuzzy pass', async () => {
    const base = generate(120, 7);
    const first = await importProspects(db(), csv(base), opts(day1, 'Salon 2026'));
    expect(first).toMatchObject({ imported: 120, created: 120, rejected: [] });
    const people0 = await db().selectFrom('people').select('id').execute();

    const [a, b, c] = [base[3]!, base[10]!, base[21]!];
    // None shares an email or a phone with its original: the exact matcher cannot see them.
    const variants: Prospect[] = [
      // Accents lost, capitals, email at a personal provider, no phone.
      { ...a, first: fold(a.first), last: fold(a.last).toUpperCase(), email: `${slug(a.first)}.${slug(a.last)}@gmail.com`, phone: '' },
      // A typo in the surname and in the email, no phone.
      { ...b, last: typo(b.last), email: `${slug(b.first)}.${typo(slug(b.last))}@${slug(b.company)}.fr`, phone: '' },
      // Accents lost, another email provider, the switchboard instead of the mobile.
      { ...c, first: fold(c.first), email: `${slug(c.first)}${slug(c.last)}@orange.fr`, phone: '01 44 55 66 77' },
    ];
    // Fresh prospects beside them, so the new file is not only duplicates.
    const fresh = generate(40, 99).filter((p) => !base.some((q) => q.first === p.first && q.last === p.last));
    const originals = await Promise.all([a, b, c].map((p) => db().selectFrom('people').select('id').where('email', '=', p.email).executeTakeFirstOrThrow()));
    const report = await importProspects(db(), csv([...variants, ...fresh]), opts(day2, 'Achat fichier 2026'));
    expect(report).toMatchObject({ imported: variants.length + fresh.length, rejected: [] });
    // Each variant ended in its original record (the older survives; its e-mail stays primary, the variant's a secondary value).
    for (const [i, v] of variants.entries()) expect(await holdersOf(v.email)).toEqual([originals[i]!.id]);
    // Some variants may also be caught by the exact matcher first; the rest by the fuzzy pass.
    expect(report.merged).toBe(3);
    expect(report.fuzzyMerged).toBeGreaterThanOrEqual(2);
    expect(report.created).toBe(fresh.length);
    expect((await db().selectFrom('people').select('id').execute()).length).toBe(people0.length + fresh.length);
    // The merge is audited as a record-linkage merge.
    const audit = await db().selectFrom('auditQueue').select('event').execute();
    expect(JSON.stringify(audit)).toContain('dedupe pass');
  });

  /** A base of 120 distinct prospects plus the given extra rows, imported on day 1 without the fuzzy pass. */
  async function seed(extra: readonly Prospect[] = []): Promise<Prospect[]> {
    const base = generate(120, 11);
    await importProspects(db(), csv([...base, ...extra]), opts(day1, 'Salon 2026', { fuzzyPass: false }));
    return base;
  }
  /** Who holds this e-mail, as primary or as a secondary value in their history (survivorship.ts). */
  const holdersOf = async (email: string) => {
    const primary = await db().selectFrom('people').select('id').where('email', '=', email).execute();
    const secondary = await db().selectFrom('personFieldHistory').select('personId as id').where('field', '=', 'email').where('value', '=', email).execute();
    return [...new Set([...primary, ...secondary].map((r) => r.id))];
  };
  const idOf = async (email: string) => {
    const [id, ...more] = await holdersOf(email);
    if (id === undefined || more.length > 0) throw new Error(`expected one holder, got ${more.length + (id === undefined ? 0 : 1)}`);
    return id;
  };

  it('R-PROS-2 an uncertain pair (same name, nothing else in common) lands in the review queue, not merged', async () => {
    const base = await seed();
    // Same given name and surname, at another company in another town, another email, no phone:
    // the model puts it in the review band (deterministic: the data and the engine's seed are fixed).
    const o = base[8]!;
    const other = PLACE.find(([pc]) => pc !== o.postcode)!;
    const twin: Prospect = { ...o, email: `${slug(o.last)}.${slug(other[1])}@wanadoo.fr`, phone: '', company: COMPANY.find((x) => x !== o.company)!, job: 'Consultant', street: '3 rue Haute', postcode: other[0], city: other[1] };
    const report = await importProspects(db(), csv([twin]), opts(day2, 'Formulaire web'));
    expect(report).toMatchObject({ imported: 1, merged: 0, fuzzyMerged: 0 });
    expect(report.queuedForReview).toBeGreaterThanOrEqual(1);
    const [left, right] = [await idOf(o.email), await idOf(twin.email)];
    // The suite shares one store: the pairs of this import are those involving the new record.
    const queued = await db().selectFrom('dedupeReviewQueue').selectAll().where((eb) => eb.or([eb('leftPersonId', '=', right), eb('rightPersonId', '=', right)])).execute();
    expect(queued).toHaveLength(report.queuedForReview);
    const pair = queued.find((q) => q.leftPersonId === left && q.rightPersonId === right);
    expect(pair).toMatchObject({ status: 'pending' });
    expect(pair!.score).toBeGreaterThanOrEqual(0.5);
  });

  it('R-PROS-2 a pair a reviewer rejected is neither queued again nor merged by the next passes', async () => {
    const base = await seed();
    const o = base[8]!;
    const other = PLACE.find(([pc]) => pc !== o.postcode)!;
    const twin: Prospect = { ...o, email: `${slug(o.last)}.${slug(other[1])}@wanadoo.fr`, phone: '', company: COMPANY.find((x) => x !== o.company)!, job: 'Consultant', street: '3 rue Haute', postcode: other[0], city: other[1] };
    await importProspects(db(), csv([twin]), opts(day2, 'Formulaire web'));
    const [pair] = await db().selectFrom('dedupeReviewQueue').selectAll().where('rightPersonId', '=', await idOf(twin.email)).where('leftPersonId', '=', await idOf(o.email)).execute();
    expect(pair).toBeDefined();
    await decideReviewPair(db(), pair!.id, 'reject', actor, day2);
    await dedupeProspectBase(db(), { actor, key, now: day2 });
    // The row keeps its decision (a merge elsewhere may re-point its ends to a survivor), the two
    // ends are still two records, and no other row pairs them again.
    const kept = await db().selectFrom('dedupeReviewQueue').selectAll().where('id', '=', pair!.id).executeTakeFirstOrThrow();
    expect(kept.status).toBe('rejected');
    expect(kept.leftPersonId).not.toBe(kept.rightPersonId);
    expect(await db().selectFrom('people').select('id').where('id', 'in', [kept.leftPersonId, kept.rightPersonId]).execute()).toHaveLength(2);
    const requeued = await db()
      .selectFrom('dedupeReviewQueue')
      .select('id')
      .where('id', '!=', pair!.id)
      .where((eb) => eb.or([eb.and([eb('leftPersonId', '=', kept.leftPersonId), eb('rightPersonId', '=', kept.rightPersonId)]), eb.and([eb('leftPersonId', '=', kept.rightPersonId), eb('rightPersonId', '=', kept.leftPersonId)])]))
      .execute();
    expect(requeued).toEqual([]);

    // Stronger: a pair the pass would merge (the first test's kind), once rejected, stays two records.
    const p = base[9]!;
    const variant: Prospect = { ...p, first: fold(p.first), last: fold(p.last), email: `${slug(p.first)}.${slug(p.last)}@gmail.com`, phone: '' };
    await importProspects(db(), csv([variant]), opts(day2, 'Autre salon', { fuzzyPass: false }));
    const [l, r] = [await idOf(p.email), await idOf(variant.email)];
    await db().insertInto('dedupeReviewQueue').values({ id: newId(day2.getTime()), leftPersonId: l, rightPersonId: r, score: 0.99, comparison: JSON.stringify({}), status: 'rejected', importJobId: null, createdAt: day2, decidedAt: day2, decidedBy: actor.id }).execute();
    const last = await dedupeProspectBase(db(), { actor, key, now: day2 });
    expect(last.mergedInto.has(r)).toBe(false);
    expect(last.skippedRejected).toBeGreaterThan(0);
    expect(await db().selectFrom('people').select('id').where('id', 'in', [l, r]).execute()).toHaveLength(2);
  });

  it('R-PROS-2 clusters merged in several chunks (transactions) end as one chunk would: each variant in its original, one audit entry pair per cluster', async () => {
    const base = await seed();
    // (Index 13, Gaël Moreau, is left out: an earlier test of this file leaves a second
    // "Gaël Moreau" in the shared base, and the model fitted on it then scores the pair
    // below the review band; the chunking, not the model, is what this test is about.)
    const picked = [12, 14, 15, 16, 17].map((i) => base[i]!);
    const variant = (x: Prospect): Prospect => ({ ...x, first: fold(x.first), last: fold(x.last).toUpperCase(), email: `${slug(x.first)}.${slug(x.last)}@gmail.com`, phone: '' });
    await importProspects(db(), csv(picked.map(variant)), opts(day2, 'Achat fichier 2026', { fuzzyPass: false }));
    const originals = await Promise.all(picked.map((p) => idOf(p.email)));
    const variants = await Promise.all(picked.map((p) => idOf(variant(p).email)));
    const merges = async () => (await db().selectFrom('auditQueue').select('event').execute()).filter((e) => JSON.stringify(e.event).includes('dedupe pass: 1 record(s) merged by record linkage')).length;
    const audit0 = await merges();
    // Two merged records per transaction: three chunks for five clusters.
    const report = await dedupeProspectBase(db(), { actor, key, now: day2, onlyTouching: variants, mergeChunkSize: 2 });
    expect(report).toMatchObject({ merged: 5, skippedRestricted: 0, skippedRejected: 0 });
    expect(variants.map((v) => report.mergedInto.get(v))).toEqual(originals);
    for (const [i, p] of picked.entries()) expect(await idOf(variant(p).email)).toBe(originals[i]);
    expect(await db().selectFrom('people').select('id').where('id', 'in', variants).execute()).toEqual([]);
    // An update entry (the survivor) and a delete entry (the record merged away) per cluster.
    expect((await merges()) - audit0).toBe(10);
  });

  it('R-PROS-2 GDPR Art. 18 a restricted person is never merged; the same variant of an unrestricted one is', async () => {
    const base = await seed();
    const [p, q] = [base[2]!, base[4]!];
    const variant = (x: Prospect): Prospect => ({ ...x, first: fold(x.first), last: fold(x.last).toUpperCase(), email: `${slug(x.first)}.${slug(x.last)}@gmail.com`, phone: '' });
    const restricted = await idOf(p.email);
    await db().insertInto('personStates').values({ personId: restricted, restrictedAt: day1 }).execute();
    const objected = await idOf(q.email);
    await db().insertInto('personStates').values({ personId: objected, objectedProspectingAt: day1 }).execute();
    const report = await importProspects(db(), csv([variant(p), variant(q)]), opts(day2, 'Achat fichier 2026'));
    expect(report.fuzzyMerged).toBe(1);
    // The restricted record is untouched and its variant is a record of its own.
    expect(await db().selectFrom('people').select(['id', 'email']).where('id', '=', restricted).executeTakeFirstOrThrow()).toEqual({ id: restricted, email: p.email });
    expect(await idOf(variant(p).email)).not.toBe(restricted);
    // The unrestricted one merged, its objection kept on the survivor (GDPR Art. 21(3)).
    expect(await idOf(variant(q).email)).toBe(objected);
    const state = await db().selectFrom('personStates').select('objectedProspectingAt').where('personId', '=', objected).executeTakeFirstOrThrow();
    expect(state.objectedProspectingAt).not.toBeNull();
  });

  it('R-PROS-2 more review pairs than PostgreSQL binds parameters in one statement are queued at once', async () => {
    const [a, b] = [newId(), newId()];
    for (const id of [a, b]) await db().insertInto('people').values({ id, purpose: 'prospecting', relation: 'prospect', lastName: 'Parametres', phones: JSON.stringify([]), postalAddresses: JSON.stringify([]), source: 'test', collectedAt: day1 }).execute();
    // 7 columns × 10,000 rows: 70,000 values, past the 65,535 parameters of one statement.
    const pairs = Array.from({ length: 10_000 }, (_, i) => ({ left: a, right: b, score: 0.5 + i / 100_000, comparison: { engine: 'test' } }));
    await db().transaction().execute((tx) => queueReviewPairs(tx, pairs, day1, null));
    const rows = await db().selectFrom('dedupeReviewQueue').select((eb) => eb.fn.countAll<string>().as('n')).where('leftPersonId', '=', a).executeTakeFirstOrThrow();
    expect(Number(rows.n)).toBe(10_000);
    await db().deleteFrom('dedupeReviewQueue').where('leftPersonId', '=', a).execute();
  });
});
