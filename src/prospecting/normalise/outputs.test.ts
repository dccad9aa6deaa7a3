/**
 * The normalisers' results on a few thousand generated values, pinned by digest: the fast
 * paths and caches added for the import's speed (issue 6) must change no result. The digests
 * were computed with the normalisers as they were before those changes (commit d89fe41); the
 * values are generated here from a fixed seed, so no personal-looking data is stored.
 * Each table is run twice: the second pass answers from the caches, and must agree.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../dedupe/rng.js';
import {
  checkCity,
  cleanText,
  communeKey,
  emailProblem,
  fold,
  normaliseAddress,
  normaliseCity,
  normaliseCompanyName,
  normaliseEmailAddress,
  normaliseName,
  normalisePhoneNumber,
  normalisePostcode,
  normaliseStreetLine,
  splitFullName,
} from './index.js';

const random = mulberry32(20261126);
const pick = <T,>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
const digits = (n: number) => Array.from({ length: n }, () => String(Math.floor(random() * 10))).join('');

const GIVEN = ['jean', 'Marie', 'JEAN-PIERRE', 'Élodie', 'hélène', 'Gaëlle', 'Loïc', 'Anne-Sophie', 'Benoît', 'Zoé', 'Chloé', 'Noël', 'François', 'Œnone', 'Thérèse', 'Maëlle', 'Ève'];
const SURNAME = ['DUPONT', 'de la fontaine', "D'ALEMBERT", 'd’Artagnan', 'Le Goff', 'van der Berg', 'McDonald', 'Müller', 'Lefèvre', 'du Pont de Nemours', 'O’Brien', 'Saint-Exupéry', 'LÉVÊQUE', 'Quéméner', 'Da Silva', 'Œuvray'];
const COMPANIES = ['Acme SAS', 'SARL Boulangerie Dupont', 'Société Générale SA', 'Dupont & Cie', 'Les Éditions du Midi EURL', 's.a.r.l. Martin', 'SCI Les Tilleuls', 'Groupe Horizon S.A.S.', 'Ets Bréval', 'Atelier Lumière SASU', 'Transports Garonne SNC', 'Cévennes Énergie SCOP', 'SAS', 'ASSOCIATION Les Amis'];
const STREETS = ['12 avenue des Champs-Élysées', '12, Av. des Champs Elysées', '12 bis boulevard Voltaire', '12B bd Voltaire', '3 r. Saint-Jean', '5 pl. de la République', '8 chem. des Vignes', 'Lieu-dit Les Granges', '9 rond-point des Arts', '14 ter, rue Nationale', '10 Fbg St Honoré', '7 qu. des Orfèvres', '2 allée des Tilleuls', 'rue de la Paix', '40 route de Lyon', '1 impasse du Moulin', '33 rd pt du Général de Gaulle', '6 terre plein Sud', '4 Résidence Les Pins', 'BP 42'];
const PLACES: readonly (readonly [string, string])[] = [
  ['75008', 'Paris'], ['75016', 'PARIS 16'], ['69003', 'Lyon 3e'], ['13008', 'Marseille'], ['42000', 'Saint-Étienne'], ['42000', 'st-etienne cedex 1'], ['35000', 'Rennes'],
  ['35000', 'Renes'], ['50100', 'Cherbourg-Octeville'], ['11700', 'LAREDORTE'], ['97400', 'Saint-Denis'], ['20000', 'Ajaccio'], ['1000', 'Bourg-en-Bresse'], ['01090', ''],
  ['75 002', 'Paris'], ['99999', 'Nulle Part'], ['75008', 'Lyon'], ['PARIS', 'Paris'], ['92100', 'Boulogne-Billancourt'], ['F-67000', 'Strasbourg'],
];
const DOMAINS = ['acme.fr', 'Gmail.com', 'orange.fr', 'sous.domaine.example.com', 'exemple', '-acme.fr', 'acme.f'];
const ODD = [' ', '  ', '\t', '\u00a0', '\u202f', '\u00ad', '\u200b', '\u0301', '’', '-', '.', ',', "'", 'œ', 'Æ', 'ß', 'İ', '😀', '\u0000'];

/** A value as files spoil them: case changed, decomposed accents, spaces, a stray character. */
function spoil(s: string): string {
  const k = random();
  if (k < 0.15) return s.toUpperCase();
  if (k < 0.3) return s.toLowerCase();
  if (k < 0.4) return s.normalize('NFD');
  if (k < 0.5) return `  ${s.replace(/ /g, '  ')} `;
  if (k < 0.6) return s + pick(ODD);
  if (k < 0.65) return pick(ODD) + s;
  return s;
}

function phone(): string {
  const k = random();
  const national =
    k < 0.5 ? `0${pick(['1', '2', '3', '4', '5', '6', '7', '8', '9'])}${digits(8)}` : k < 0.75 ? `0${pick(['262', '269', '590', '596', '594', '639', '692', '694', '696', '508', '708', '800', '809'])}${digits(6)}` : digits(5 + Math.floor(random() * 10));
  const pairs = national.match(/..?/g) ?? [];
  switch (Math.floor(random() * 9)) {
    case 0: return pairs.join(' ');
    case 1: return pairs.join('.');
    case 2: return pairs.join('-');
    case 3: return national.slice(1);
    case 4: return `+33 ${national.slice(1)}`;
    case 5: return `+33 (0)${national.slice(1)}`;
    case 6: return `0033${national.slice(1)}`;
    case 7: return spoil(pairs.join(' '));
    default: return pick(['+44 20 7946 0958', '+32 470 12 34 56', 'n/a', '', '01 23 45 67 89 / 06', '+1 212 555 0100', '+262 692 12 34 56']);
  }
}

const sha = (values: readonly unknown[]) => createHash('sha256').update(values.map((v) => JSON.stringify(v) ?? 'undefined').join('\n')).digest('hex');

/** Per table, its inputs (generated once, in a fixed order) and the function under test. */
const TABLES: readonly (readonly [string, readonly unknown[], (input: never) => unknown])[] = (() => {
  const n = 3000;
  const from = <T,>(make: () => T) => Array.from({ length: n }, make);
  const text = () => Array.from({ length: Math.floor(random() * 12) }, () => (random() < 0.6 ? pick([...'abcdeXYZ 19']) : pick([...ODD, 'é', 'È', 'ç', 'ô', '¨', '½', 'µ', 'ñ', 'ø', 'Ω']))).join('');
  const names = from(() => spoil(pick(random() < 0.5 ? GIVEN : SURNAME)));
  const places = from(() => pick(PLACES));
  return [
    ['cleanText', from(text), (s: string) => cleanText(s)],
    ['fold', from(text), (s: string) => fold(s)],
    ['names', names, (s: string) => normaliseName(s)],
    ['full names', from(() => `${spoil(pick(GIVEN))} ${spoil(pick(SURNAME))}`), (s: string) => splitFullName(s)],
    ['emails', from(() => spoil(`${pick(['jean.dupont', 'marie', 'a..b', 'x', 'prenom.nom+salon', '', 'jean dupont'])}${pick(['@', '@', '@@', ''])}${pick(DOMAINS)}`)), (s: string) => [normaliseEmailAddress(s), emailProblem(s)]],
    ['phones', from(phone), (s: string) => normalisePhoneNumber(s)],
    ['companies', from(() => spoil(pick(COMPANIES))), (s: string) => normaliseCompanyName(s)],
    ['street lines', from(() => spoil(pick(STREETS))), (s: string) => normaliseStreetLine(s)],
    ['postcodes', from(() => spoil(pick(places)[0])), (s: string) => normalisePostcode(s)],
    ['cities', from(() => spoil(pick(places)[1])), (s: string) => [normaliseCity(s), communeKey(s)]],
    ['city checks', from(() => [pick(places)[0], spoil(pick(places)[1])] as const), ([p, c]: readonly [string, string]) => checkCity(p, c)],
    [
      'addresses',
      from(() => {
        const [postcode, city] = pick(places);
        return { line1: random() < 0.05 ? '' : spoil(pick(STREETS)), line2: random() < 0.1 ? pick(STREETS) : null, postcode: spoil(postcode), city: spoil(city), country: pick(['', '', '', 'France', 'FR', 'BE', ' belgique ']) };
      }),
      (a: Parameters<typeof normaliseAddress>[0]) => normaliseAddress(a),
    ],
  ];
})();

/** Digests of the results before the speed changes, per table. */
const EXPECTED: Readonly<Record<string, string>> = {
  "cleanText": "1c631c500083a56c7f5d82511541a46910d2be6f383ec10b6e89a8d9f7939f20",
  "fold": "b22b5831f7ae97295875aca71f6a255ad487feb1e354a7c54eb1f5160d856edf",
  "names": "48db65b8b8c73b5d8755ac9b112be9722efadee8549a33e34d9cb0a15c178a91",
  "full names": "2c6325697eb8c5fddf2159dbcaea465608bdade7483766688321fde164c64b79",
  "emails": "0ede0b84ad8ee18baabb3d256d367a00e6940afc8e483f0d1ca8eea34ee40549",
  "phones": "9e6649e6e5a41c6d2ada2185e6755b51e173c4256e4346b95a4edaffc6ec3a8f",
  "companies": "2c76d4333c8f6958816e92a6e249fa6dbe6f8b77e567550a6402c9cf38d11c87",
  "street lines": "16eb5d792e7b49b43457d09ffdeb814741b0572ed6f5d9d0e57a847668d5ed5a",
  "postcodes": "aac310aa92401f4d18ee697bf533f8506aff4a87dee4b35b54a94d7ff39931da",
  "cities": "869b4ef277d5d3724ccb8febd70a7354ca53642d36764b1ea0edbc274da95e2d",
  "city checks": "64c2dae31a9a84ad22357159324b58c65d3e2317d92a99852c17a9bd1dd4b9c7",
  "addresses": "afef17c1951d683ac791ec781056001cc90f43faffc8c4a5b7a5d479f327fe20",
};

describe('R-PROS-1 normaliser results are unchanged by the fast paths and caches', () => {
  it.each(TABLES.map(([name, inputs, fn]) => [name, inputs, fn] as const))('R-PROS-1 %s: same digest as before, cold and from the caches', (name, inputs, fn) => {
    const cold = sha(inputs.map((x) => fn(x as never)));
    const warm = sha(inputs.map((x) => fn(x as never)));
    expect(cold).toBe(EXPECTED[name]);
    expect(warm).toBe(cold);
  });
});
