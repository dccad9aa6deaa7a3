/**
 * French postcodes checked against communes (R-PROS-1), from the table of the npm package
 * `codes-postaux` (Base Adresse Nationale / Etalab: code under the MIT licence, data built from
 * INSEE's Code officiel géographique and DGFiP's FIMOCT, both under the Licence Ouverte /
 * Etalab 2.0; not La Poste's ODbL file). 6,201 geographic postcodes, 35,684 (postcode,
 * commune) rows; CEDEX codes are not in it, so a postcode the table does not know is left
 * unchecked rather than refused.
 *
 * The table is read once, on first use, into a Map from postcode to its communes (about
 * 40 ms and a few MiB): an import of a million rows does one Map look-up and a few string
 * comparisons per address.
 */
import { createRequire } from 'node:module';
import { jaroWinkler } from '../dedupe/similarity.js';
import { fold } from './fold.js';

interface TableRow {
  readonly codePostal: string;
  readonly codeCommune: string;
  readonly nomCommune: string;
  readonly libelleAcheminement: string;
}

/** One commune served by a postcode. */
export interface PostcodeCommune {
  /** INSEE code (an arrondissement's own for Paris, Lyon and Marseille: 75108, 69383, 13201). */
  readonly insee: string;
  /** Its name as INSEE writes it ("Paris 8e Arrondissement", "Saint-Étienne"). */
  readonly name: string;
  /** La Poste's delivery name (libellé d'acheminement) in normal form: "PARIS", "ST ETIENNE". */
  readonly label: string;
  /** Arrondissement number of Paris, Lyon or Marseille; null elsewhere. */
  readonly arrondissement: number | null;
  /** Matching keys of the name and the delivery name (see communeKey). */
  readonly keys: readonly string[];
  /** Per key, the city written in La Poste's form ("AIX EN PROVENCE" for the name, "LES MILLES" for the delivery name). */
  readonly forms: readonly string[];
}

/** A city name reduced for matching, and the arrondissement it names if any. */
export interface CommuneKey {
  readonly key: string;
  readonly arrondissement: number | null;
  /** The "CEDEX n" suffix in normal form ("CEDEX 08"), or null. */
  readonly cedex: string | null;
}

const ARTICLE_WORDS: Readonly<Record<string, string>> = { saint: 'st', sainte: 'ste' };
const ARRONDISSEMENT = /^(paris|lyon|marseille) (\d{1,2}) ?(?:e|er|eme|ieme|em|ème)?(?: arr(?:ondissement|t)?)?$/;

/**
 * The matching key of a city name: accents, case, hyphens, apostrophes and spaces gone
 * ("Saint-Étienne", "ST ETIENNE", "st-etienne" → "stetienne"; "La Ville-aux-Bois" and
 * "LAVILLE AUX BOIS" alike), SAINT/SAINTE as ST/STE, a "CEDEX n" suffix removed, and the
 * arrondissement of Paris, Lyon or Marseille taken apart ("Paris 8e", "PARIS 08", "Paris 8ème
 * arrondissement" → "paris", 8).
 */
export function communeKey(raw: string): CommuneKey {
  let f = fold(raw);
  const c = /\bcedex\b(?:\s*(\d{1,3}))?/.exec(f);
  const cedex = c ? (c[1] ? `CEDEX ${c[1]}` : 'CEDEX') : null;
  f = f.replace(/\s*\bcedex\b(?:\s*\d{1,3})?/g, '').trim();
  let arrondissement: number | null = null;
  const arr = ARRONDISSEMENT.exec(f);
  if (arr) {
    arrondissement = Number(arr[2]);
    f = arr[1]!;
  }
  const key = f
    .split(' ')
    .map((w) => ARTICLE_WORDS[w] ?? w)
    .join('');
  return { key, arrondissement, cedex };
}

let table: Map<string, PostcodeCommune[]> | null = null;

/** The postcode → communes Map, built on first use. */
function communeTable(): Map<string, PostcodeCommune[]> {
  if (table !== null) return table;
  const require = createRequire(import.meta.url);
  const rows = require('codes-postaux/codes-postaux.json') as readonly TableRow[];
  const built = new Map<string, PostcodeCommune[]>();
  for (const r of rows) {
    let list = built.get(r.codePostal);
    if (list === undefined) {
      list = [];
      built.set(r.codePostal, list);
    }
    const byName = communeKey(r.nomCommune);
    const byLabel = communeKey(r.libelleAcheminement);
    // An arrondissement is delivered under its city's name, the postcode giving the number
    // ("75016 PARIS", though the table spells some "PARIS 16").
    const city = byName.arrondissement === null ? null : byName.key.toUpperCase();
    const label = city ?? cityForm(r.libelleAcheminement);
    const nameForm = city ?? cityForm(r.nomCommune);
    let c = list.find((x) => x.insee === r.codeCommune);
    if (c === undefined) {
      c = { insee: r.codeCommune, name: r.nomCommune, label, arrondissement: byName.arrondissement, keys: [], forms: [] };
      list.push(c);
    }
    // A commune may have two delivery names under one postcode: all its keys match.
    for (const [k, form] of [[byName.key, nameForm], [byLabel.key, label]] as const) {
      if (c.keys.includes(k)) continue;
      (c.keys as string[]).push(k);
      (c.forms as string[]).push(form);
    }
  }
  table = built;
  return built;
}

/** Capitals, no accents or punctuation, SAINT → ST (the form normaliseCity gives). */
function cityForm(raw: string): string {
  return fold(raw)
    .split(' ')
    .filter((w) => w !== '')
    .map((w) => (w === 'saint' ? 'ST' : w === 'sainte' ? 'STE' : w.toUpperCase()))
    .join(' ');
}

/** The communes a postcode serves; empty when the table does not know it (CEDEX codes among them). */
export function communesOfPostcode(postcode: string): readonly PostcodeCommune[] {
  return communeTable().get(postcode) ?? [];
}

/** What the table says of a city given with a postcode. */
export type CityCheck =
  /** The postcode is not in the table (a CEDEX code, a new code): nothing to check against. */
  | { readonly status: 'unknown-postcode' }
  /**
   * The city is one of the postcode's communes; `city` is its name in La Poste's form;
   * `commune` null when the name fits several (13016 serves Marseille's 15th and 16th).
   */
  | { readonly status: 'match'; readonly city: string; readonly commune: PostcodeCommune | null }
  /** The city was missing and the postcode serves one commune (or one city's arrondissements) only: `city` is it. */
  | { readonly status: 'filled'; readonly city: string; readonly commune: PostcodeCommune | null }
  /** The city was missing and the postcode serves several communes. */
  | { readonly status: 'ambiguous' }
  /** The city is none of the postcode's communes (or names another arrondissement). */
  | { readonly status: 'mismatch'; readonly reason: string };

/** Typing errors in a city name tolerated ("Marseile", "Bordeau"): Jaro-Winkler on the keys. */
const TYPO_SIMILARITY = 0.92;
/** Words too common at the start of commune names to identify one. */
const COMMON_FIRST = new Set(['st', 'ste', 'le', 'la', 'les', 'l', 'saint', 'sainte', 'mont', 'bourg', 'ville', 'villeneuve', 'chateau', 'fontaine', 'val', 'port', 'pont']);

/**
 * Checks a city against the communes of its postcode (R-PROS-1). Exact on the matching keys
 * (communeKey) against the INSEE name or La Poste's delivery name; a typing error is
 * tolerated (the table's form is returned); a name that begins with the same distinctive
 * word as a commune of the postcode is accepted as written (a former commune merged into a
 * new one, "Cherbourg-Octeville" under Cherbourg-en-Cotentin's 50100, is still a delivered
 * address). For Paris, Lyon and Marseille an arrondissement given must be the postcode's.
 * `postcode` must already be normalised (5 digits).
 */
export function checkCity(postcode: string, city: string): CityCheck {
  // Files repeat the same few thousand (postcode, city) pairs: each is worked out once.
  const memoKey = `${postcode}\u0000${city}`;
  const known = memo.get(memoKey);
  if (known !== undefined) return known;
  const result = checkCityUncached(postcode, city);
  if (memo.size >= MEMO_LIMIT) memo.clear();
  memo.set(memoKey, result);
  return result;
}

const memo = new Map<string, CityCheck>();
/** Bounds the memo (a file of distinct pairs would otherwise grow it without end). */
const MEMO_LIMIT = 200_000;

function checkCityUncached(postcode: string, city: string): CityCheck {
  const communes = communesOfPostcode(postcode);
  if (communes.length === 0) return { status: 'unknown-postcode' };
  const given = communeKey(city);
  if (given.key === '') {
    const first = communes[0]!;
    if (communes.some((c) => c.label !== first.label)) return { status: 'ambiguous' };
    return { status: 'filled', city: first.label, commune: communes.length === 1 ? first : null };
  }
  const withSuffix = (label: string) => (given.cedex !== null ? `${label} ${given.cedex}` : label);
  const arrondissementOk = (c: PostcodeCommune) => given.arrondissement === null || c.arrondissement === null || c.arrondissement === given.arrondissement;
  let wrongArrondissement = false;
  // A commune named so wins over one merely delivered under that name (75016 "PARIS" is
  // Paris 16e, though part of Boulogne-Billancourt is delivered as PARIS too).
  for (const byName of [true, false]) {
    let found: { city: string; commune: PostcodeCommune | null } | null = null;
    for (const c of communes) {
      const k = c.keys.indexOf(given.key);
      if (k < 0 || (k === 0) !== byName) continue;
      if (!arrondissementOk(c)) wrongArrondissement = true;
      else if (found === null) found = { city: withSuffix(c.forms[k]!), commune: c };
      else found.commune = null;
    }
    if (found !== null) return { status: 'match', ...found };
  }
  if (wrongArrondissement) return { status: 'mismatch', reason: 'the arrondissement does not match the postcode' };
  let best: PostcodeCommune | null = null;
  let bestForm = '';
  let bestScore = 0;
  for (const c of communes) {
    c.keys.forEach((k, x) => {
      const s = jaroWinkler(given.key, k);
      if (s > bestScore) {
        bestScore = s;
        best = c;
        bestForm = c.forms[x]!;
      }
    });
  }
  if (best !== null && bestScore >= TYPO_SIMILARITY && given.key.length >= 4 && arrondissementOk(best)) return { status: 'match', city: withSuffix(bestForm), commune: best };
  const head = fold(city).split(' ')[0] ?? '';
  if (head.length >= 4 && !COMMON_FIRST.has(head)) {
    for (const c of communes) {
      if ((fold(c.name).split(' ')[0] ?? '') === head && arrondissementOk(c)) return { status: 'match', city: cityForm(city), commune: c };
    }
  }
  return { status: 'mismatch', reason: 'the city is not a commune of this postcode' };
}
