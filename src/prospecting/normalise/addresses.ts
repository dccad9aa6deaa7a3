import { checkCity } from './communes.js';
import { cleanText, fold } from './fold.js';
import { remembered } from './memo.js';

/**
 * Street types and their standard abbreviations (La Poste, norme AFNOR XP Z 10-011),
 * with the spellings files use for them. The abbreviation is the normal form, as
 * La Poste's address normalisation (RNVP) writes it.
 */
export const STREET_TYPES: readonly { readonly abbr: string; readonly full: string; readonly variants: readonly string[] }[] = [
  { abbr: 'ALL', full: 'ALLEE', variants: ['allee', 'allees', 'all', 'al'] },
  { abbr: 'AV', full: 'AVENUE', variants: ['avenue', 'av', 'ave', 'aven', 'avn'] },
  { abbr: 'BD', full: 'BOULEVARD', variants: ['boulevard', 'bd', 'bld', 'blvd', 'bvd', 'boul', 'bl'] },
  { abbr: 'CAR', full: 'CARREFOUR', variants: ['carrefour', 'car', 'carref'] },
  { abbr: 'CHE', full: 'CHEMIN', variants: ['chemin', 'che', 'chem', 'ch', 'chm'] },
  { abbr: 'CHS', full: 'CHAUSSEE', variants: ['chaussee', 'chs', 'chau'] },
  { abbr: 'CITE', full: 'CITE', variants: ['cite'] },
  { abbr: 'COR', full: 'CORNICHE', variants: ['corniche', 'cor'] },
  { abbr: 'CRS', full: 'COURS', variants: ['cours', 'crs'] },
  { abbr: 'DOM', full: 'DOMAINE', variants: ['domaine', 'dom'] },
  { abbr: 'ESP', full: 'ESPLANADE', variants: ['esplanade', 'esp'] },
  { abbr: 'FG', full: 'FAUBOURG', variants: ['faubourg', 'fg', 'fbg', 'faub'] },
  { abbr: 'HAM', full: 'HAMEAU', variants: ['hameau', 'ham'] },
  { abbr: 'IMP', full: 'IMPASSE', variants: ['impasse', 'imp'] },
  { abbr: 'LD', full: 'LIEU DIT', variants: ['lieu dit', 'lieudit', 'ld'] },
  { abbr: 'LOT', full: 'LOTISSEMENT', variants: ['lotissement', 'lot'] },
  { abbr: 'MTE', full: 'MONTEE', variants: ['montee', 'mte'] },
  { abbr: 'PAS', full: 'PASSAGE', variants: ['passage', 'pas', 'pass', 'psg'] },
  { abbr: 'PL', full: 'PLACE', variants: ['place', 'pl', 'plc'] },
  { abbr: 'PLT', full: 'PLATEAU', variants: ['plateau', 'plt'] },
  { abbr: 'PRO', full: 'PROMENADE', variants: ['promenade', 'pro', 'prom'] },
  { abbr: 'PRV', full: 'PARVIS', variants: ['parvis', 'prv'] },
  { abbr: 'QUA', full: 'QUARTIER', variants: ['quartier', 'qua', 'qrt'] },
  { abbr: 'QUAI', full: 'QUAI', variants: ['quai', 'qu', 'q'] },
  { abbr: 'RES', full: 'RESIDENCE', variants: ['residence', 'res', 'resid'] },
  { abbr: 'RLE', full: 'RUELLE', variants: ['ruelle', 'rle'] },
  { abbr: 'ROC', full: 'ROCADE', variants: ['rocade', 'roc'] },
  { abbr: 'RPT', full: 'ROND POINT', variants: ['rond point', 'rondpoint', 'rpt', 'rd pt'] },
  { abbr: 'RTE', full: 'ROUTE', variants: ['route', 'rte', 'rt'] },
  { abbr: 'RUE', full: 'RUE', variants: ['rue', 'r'] },
  { abbr: 'SEN', full: 'SENTIER', variants: ['sentier', 'sente', 'sen'] },
  { abbr: 'SQ', full: 'SQUARE', variants: ['square', 'sq', 'squ'] },
  { abbr: 'TPL', full: 'TERRE PLEIN', variants: ['terre plein', 'terreplein', 'tpl'] },
  { abbr: 'TRA', full: 'TRAVERSE', variants: ['traverse', 'tra', 'trav'] },
  { abbr: 'VLA', full: 'VILLA', variants: ['villa', 'vla'] },
  { abbr: 'VLGE', full: 'VILLAGE', variants: ['village', 'vlge'] },
];

/**
 * Variant → abbreviation. A variant is one or two words, and the line's first two words are
 * longer than its first word, so looking the two-word start up before the one-word start is
 * "longest variant first" ("rond point" wins over "rd"). The first type listing a variant keeps it.
 */
const VARIANTS: ReadonlyMap<string, string> = new Map(
  STREET_TYPES.flatMap((t) => t.variants.map((v) => [v, t.abbr] as const))
    .reverse(),
);

/** Number suffixes (indices de répétition) written after the house number. */
const REPETITION: Readonly<Record<string, string>> = { b: 'BIS', bis: 'BIS', t: 'TER', ter: 'TER', q: 'QUATER', quater: 'QUATER', quinquies: 'QUINQUIES' };

/** Words AFNOR abbreviates wherever they appear in a street name. */
const WORD_ABBR: Readonly<Record<string, string>> = { saint: 'ST', sainte: 'STE', st: 'ST', ste: 'STE' };

/**
 * The first address line in La Poste's normal form (AFNOR XP Z 10-011): capitals, no
 * accents or punctuation, the house number with its repetition index, the street type
 * by its standard abbreviation ("12 bis, Avenue des Champs-Élysées" → "12 BIS AV DES
 * CHAMPS ELYSEES"; "3 r. Saint-Jean" → "3 RUE ST JEAN").
 */
export function normaliseStreetLine(raw: string): string {
  return streetLineOf(raw);
}

// Street lines repeat (the same office for many contacts, the same building in many files).
const streetLineOf = remembered(normaliseStreetLineUncached);

function normaliseStreetLineUncached(raw: string): string {
  let f = fold(cleanText(raw)).replace(/\b(\d+)\s*(bis|ter|quater|quinquies|b|t|q)\b/g, '$1 $2');
  // "12, avenue" and "12 avenue": the comma is gone with the fold.
  const words: string[] = [];
  const m = /^(\d+)(?: (bis|ter|quater|quinquies|b|t|q))?(?: |$)/.exec(f);
  if (m) {
    words.push(m[1] ?? '');
    if (m[2]) words.push(REPETITION[m[2]] ?? m[2].toUpperCase());
    f = f.slice(m[0].length);
  }
  const firstSpace = f.indexOf(' ');
  const secondSpace = firstSpace < 0 ? -1 : f.indexOf(' ', firstSpace + 1);
  for (const variant of [secondSpace < 0 ? (firstSpace < 0 ? null : f) : f.slice(0, secondSpace), firstSpace < 0 ? f : f.slice(0, firstSpace)]) {
    const abbr = variant === null ? undefined : VARIANTS.get(variant);
    if (abbr !== undefined && variant !== null) {
      words.push(abbr);
      f = f.slice(variant.length).trim();
      break;
    }
  }
  for (const w of f.split(' ')) if (w !== '') words.push(WORD_ABBR[w] ?? w.toUpperCase());
  return words.join(' ');
}

/** A French postcode's département (INSEE code): `75`, `2A`, `2B`, `971`…; null when none. */
export function departementOfPostcode(postcode: string): string | null {
  if (!/^\d{5}$/.test(postcode)) return null;
  const two = postcode.slice(0, 2);
  if (two === '00') return null;
  // Corsica: 200xx–201xx are Corse-du-Sud (2A), 202xx–206xx Haute-Corse (2B).
  if (two === '20') {
    const three = Number(postcode.slice(0, 3));
    return three <= 201 ? '2A' : three <= 206 ? '2B' : null;
  }
  if (two === '97') {
    const dom = postcode.slice(0, 3);
    // 971 Guadeloupe, 972 Martinique, 973 Guyane, 974 La Réunion, 976 Mayotte; 975 Saint-Pierre-et-Miquelon, 977/978 via 971xx.
    return ['971', '972', '973', '974', '975', '976'].includes(dom) ? dom : null;
  }
  if (two === '98') {
    // Monaco (980xx) is not France; 986–988 are the Pacific collectivities.
    const com = postcode.slice(0, 3);
    return ['986', '987', '988'].includes(com) ? com : null;
  }
  return two;
}

/** A postcode normalised, or why it is not one. */
export type PostcodeResult = { readonly ok: true; readonly postcode: string; readonly departement: string } | { readonly ok: false; readonly reason: string };

/**
 * Normalises a French postcode: spaces removed, a leading zero restored when a
 * spreadsheet dropped it (`1000` → `01000`), 5 digits, and a département that exists
 * (metropolitan 01–95, Corsica 2A/2B from 20xxx, overseas 971–976, Pacific 986–988).
 * When `departement` is given (from a commune table), the postcode must belong to it.
 */
export function normalisePostcode(raw: string, departement?: string): PostcodeResult {
  return departement === undefined ? postcodeOf(raw) : normalisePostcodeUncached(raw, departement);
}

// A file holds a few thousand distinct postcodes.
const postcodeOf = remembered((raw: string) => normalisePostcodeUncached(raw, undefined), 20_000);

function normalisePostcodeUncached(raw: string, departement: string | undefined): PostcodeResult {
  const compact = cleanText(raw).replace(/[\s.]/g, '').replace(/^F-?/i, '');
  const padded = /^\d{4}$/.test(compact) ? `0${compact}` : compact;
  if (!/^\d{5}$/.test(padded)) return { ok: false, reason: 'a French postcode has 5 digits' };
  const dep = departementOfPostcode(padded);
  if (dep === null) return { ok: false, reason: 'no French département has this postcode' };
  if (departement !== undefined && departement.toUpperCase() !== dep && !(departement === '20' && (dep === '2A' || dep === '2B'))) {
    return { ok: false, reason: `the postcode is not in département ${departement}` };
  }
  return { ok: true, postcode: padded, departement: dep };
}

/** A city name in La Poste's form: capitals, no accents or punctuation, SAINT → ST; CEDEX kept. */
export function normaliseCity(raw: string): string {
  return cityOf(raw);
}

const cityOf = remembered(normaliseCityUncached, 20_000);

function normaliseCityUncached(raw: string): string {
  return fold(cleanText(raw))
    .split(' ')
    .filter((w) => w !== '')
    .map((w) => WORD_ABBR[w] ?? w.toUpperCase())
    .join(' ');
}

/** The parts of a postal address as a file gives them. */
export interface AddressInput {
  readonly line1?: string | null;
  readonly line2?: string | null;
  readonly postcode?: string | null;
  readonly city?: string | null;
  readonly country?: string | null;
}

/** An address normalised, or the problems that make it unusable. */
export type AddressResult =
  | {
      readonly ok: true;
      readonly address: { readonly line1: string; readonly line2?: string; readonly postcode: string; readonly city: string; readonly country: string };
      readonly departement: string | null;
      /** INSEE code of the commune the postcode and city agree on; null when unchecked (abroad, a CEDEX or unknown postcode). */
      readonly commune: string | null;
    }
  | { readonly ok: false; readonly field: 'address' | 'postcode' | 'city'; readonly reason: string };

const FRANCE = new Set(['', 'fr', 'fra', 'france', 'france metropolitaine']);

/**
 * Normalises a postal address (R-PROS-1): the street line and city in La Poste's
 * form, the postcode checked, and checked against the city with the commune table
 * (communes.ts): a city that is not a commune of its postcode makes the address unusable
 * (field `city`: one of the two is wrong and nothing says which, so mail would go astray);
 * a missing city is filled when the postcode serves one commune only; a postcode the table
 * does not know (CEDEX) is kept with the city as given. Usable means a street line, a valid
 * postcode and a city. Addresses outside France keep their text (trimmed) with the postcode
 * unchecked. Reasons never quote the values.
 */
export function normaliseAddress(input: AddressInput): AddressResult {
  const line1 = cleanText(input.line1 ?? '');
  const city = cleanText(input.city ?? '');
  const country = fold(input.country ?? '');
  if (line1 === '') return { ok: false, field: 'address', reason: 'no street line' };
  const line2 = cleanText(input.line2 ?? '');
  if (!FRANCE.has(country)) {
    if (city === '') return { ok: false, field: 'city', reason: 'no city' };
    const postcode = cleanText(input.postcode ?? '');
    const iso = /^[a-z]{2}$/.test(country) ? country.toUpperCase() : cleanText(input.country ?? '');
    return { ok: true, address: { line1, ...(line2 ? { line2 } : {}), postcode, city, country: iso }, departement: null, commune: null };
  }
  const pc = normalisePostcode(input.postcode ?? '');
  if (!pc.ok) return city === '' ? { ok: false, field: 'city', reason: 'no city' } : { ok: false, field: 'postcode', reason: pc.reason };
  const check = checkCity(pc.postcode, city);
  let outCity: string;
  let commune: string | null = null;
  switch (check.status) {
    case 'match':
    case 'filled':
      outCity = check.city;
      commune = check.commune?.insee ?? null;
      break;
    case 'mismatch':
      return { ok: false, field: 'city', reason: check.reason };
    case 'ambiguous':
      return { ok: false, field: 'city', reason: 'no city, and the postcode serves several communes' };
    case 'unknown-postcode':
      if (city === '') return { ok: false, field: 'city', reason: 'no city' };
      outCity = normaliseCity(city);
  }
  return {
    ok: true,
    address: { line1: normaliseStreetLine(line1), ...(line2 ? { line2: normaliseStreetLine(line2) } : {}), postcode: pc.postcode, city: outCity, country: 'FR' },
    departement: pc.departement,
    commune,
  };
}
