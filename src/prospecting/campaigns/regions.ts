/**
 * The French administrative regions (2016 map, INSEE codes) and the départements in each,
 * so that a segment can say "Bretagne" and a postcode can be placed. A French postcode
 * starts with its département (two digits; 20 for Corsica, three digits overseas), which
 * is enough for aggregate statistics and targeting; the few postcodes that straddle a
 * border are counted where their prefix points.
 */

/** One region: its INSEE code, its ISO 3166-2 code, its name, and the postcode prefixes of its départements. */
export interface Region {
  readonly code: string;
  /** ISO 3166-2:FR (`FR-BRE`): the code the anonymised statistics store uses (src/retention/statistics). */
  readonly iso: string;
  readonly name: string;
  readonly prefixes: readonly string[];
}

const r = (code: string, iso: string, name: string, prefixes: string): Region => Object.freeze({ code, iso, name, prefixes: Object.freeze(prefixes.split(' ')) });

/** Every region, metropolitan and overseas. */
export const REGIONS: readonly Region[] = Object.freeze([
  r('84', 'FR-ARA', 'Auvergne-Rhône-Alpes', '01 03 07 15 26 38 42 43 63 69 73 74'),
  r('27', 'FR-BFC', 'Bourgogne-Franche-Comté', '21 25 39 58 70 71 89 90'),
  r('53', 'FR-BRE', 'Bretagne', '22 29 35 56'),
  r('24', 'FR-CVL', 'Centre-Val de Loire', '18 28 36 37 41 45'),
  r('94', 'FR-20R', 'Corse', '20'),
  r('44', 'FR-GES', 'Grand Est', '08 10 51 52 54 55 57 67 68 88'),
  r('32', 'FR-HDF', 'Hauts-de-France', '02 59 60 62 80'),
  r('11', 'FR-IDF', 'Île-de-France', '75 77 78 91 92 93 94 95'),
  r('28', 'FR-NOR', 'Normandie', '14 27 50 61 76'),
  r('75', 'FR-NAQ', 'Nouvelle-Aquitaine', '16 17 19 23 24 33 40 47 64 79 86 87'),
  r('76', 'FR-OCC', 'Occitanie', '09 11 12 30 31 32 34 46 48 65 66 81 82'),
  r('52', 'FR-PDL', 'Pays de la Loire', '44 49 53 72 85'),
  r('93', 'FR-PAC', "Provence-Alpes-Côte d'Azur", '04 05 06 13 83 84'),
  r('01', 'FR-971', 'Guadeloupe', '971'),
  r('02', 'FR-972', 'Martinique', '972'),
  r('03', 'FR-973', 'Guyane', '973'),
  r('04', 'FR-974', 'La Réunion', '974'),
  r('06', 'FR-976', 'Mayotte', '976'),
]);

const fold = (s: string): string =>
  s
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();

/** The region an INSEE code (`53`), an ISO code (`FR-BRE`) or a name (`Bretagne`, `ile de france`, accents and case ignored) names, or null. */
export function findRegion(codeOrName: string): Region | null {
  const key = fold(codeOrName);
  const code = codeOrName.trim().toUpperCase();
  return REGIONS.find((x) => x.code === code || x.iso === code || fold(x.name) === key) ?? null;
}

/** The region of a French postcode (`35000` → Bretagne), or null when it is not one. */
export function regionOfPostcode(postcode: string | null | undefined): Region | null {
  const pc = (postcode ?? '').replace(/\s/g, '');
  if (!/^\d{5}$/.test(pc) && !/^2[AB]\d{3}$/i.test(pc)) return null;
  if (/^2[AB]/i.test(pc)) return REGIONS.find((x) => x.code === '94') ?? null;
  const three = pc.slice(0, 3);
  const two = pc.slice(0, 2);
  return REGIONS.find((x) => x.prefixes.includes(three) || x.prefixes.includes(two)) ?? null;
}
