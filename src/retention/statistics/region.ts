/**
 * Where a person lives, coarsened to a French région (ISO 3166-2:FR code) or, abroad, to
 * the country: the finest place the statistics keep (R-PROS-8). A postcode is never
 * stored; a département would often single people out in small groups.
 */

/** Metropolitan départements (first two digits of the postcode) by région, ISO 3166-2:FR. */
const REGIONS: Readonly<Record<string, readonly string[]>> = {
  'FR-ARA': ['01', '03', '07', '15', '26', '38', '42', '43', '63', '69', '73', '74'],
  'FR-BFC': ['21', '25', '39', '58', '70', '71', '89', '90'],
  'FR-BRE': ['22', '29', '35', '56'],
  'FR-CVL': ['18', '28', '36', '37', '41', '45'],
  'FR-20R': ['20'],
  'FR-GES': ['08', '10', '51', '52', '54', '55', '57', '67', '68', '88'],
  'FR-HDF': ['02', '59', '60', '62', '80'],
  'FR-IDF': ['75', '77', '78', '91', '92', '93', '94', '95'],
  'FR-NOR': ['14', '27', '50', '61', '76'],
  'FR-NAQ': ['16', '17', '19', '23', '24', '33', '40', '47', '64', '79', '86', '87'],
  'FR-OCC': ['09', '11', '12', '30', '31', '32', '34', '46', '48', '65', '66', '81', '82'],
  'FR-PDL': ['44', '49', '53', '72', '85'],
  'FR-PAC': ['04', '05', '06', '13', '83', '84'],
};

/** Overseas régions by the first three digits of the postcode. */
const OVERSEAS: Readonly<Record<string, string>> = {
  '971': 'FR-971',
  '972': 'FR-972',
  '973': 'FR-973',
  '974': 'FR-974',
  '976': 'FR-976',
};

const BY_DEPARTEMENT: ReadonlyMap<string, string> = new Map(
  Object.entries(REGIONS).flatMap(([region, departements]) => departements.map((d) => [d, region] as const)),
);

/** Unknown place: no address, or one we cannot place. */
export const UNKNOWN_REGION = 'unknown';

/**
 * The région of a French postcode (`FR-IDF` …), `FR` when the postcode is French but
 * places no région (Saint-Pierre-et-Miquelon, collectivities), the upper-case country
 * code abroad, `unknown` when there is nothing to go by.
 */
export function regionOf(postcode: string | undefined, country: string | undefined): string {
  const c = (country ?? '').trim().toUpperCase();
  const code = (postcode ?? '').replace(/\s+/g, '');
  if (c !== '' && c !== 'FR' && c !== 'FRANCE') return /^[A-Z]{2}$/.test(c) ? c : UNKNOWN_REGION;
  if (!/^\d{5}$/.test(code)) return c === '' ? UNKNOWN_REGION : 'FR';
  if (code.startsWith('97') || code.startsWith('98')) return OVERSEAS[code.slice(0, 3)] ?? 'FR';
  return BY_DEPARTEMENT.get(code.slice(0, 2)) ?? 'FR';
}

/** The country a region code belongs to (`FR-IDF` → `FR`); a country stays itself. */
export function countryOfRegion(region: string): string {
  if (region.startsWith('FR-')) return 'FR';
  return region;
}
