import { isValidSiren, isValidSiret } from '../../identifiers/siret.js';
import { cleanText, fold } from './fold.js';
import { remembered } from './memo.js';

/** French legal forms, as written after (or before) a company name. */
export const LEGAL_FORMS: readonly string[] = [
  'SA', 'SAS', 'SASU', 'SARL', 'SARLU', 'EURL', 'SCI', 'SNC', 'SCOP', 'SCA', 'SCS', 'SE', 'SEL', 'SELARL', 'SELAS', 'SELAFA', 'SELCA',
  'GIE', 'GAEC', 'EARL', 'EI', 'EIRL', 'SCM', 'SCP', 'SEM', 'SEML', 'SPL', 'SCIC', 'ASSOCIATION', 'ASSO', 'FONDATION',
];
const FORMS = new Set(LEGAL_FORMS.map((f) => f.toLowerCase()));
// "&", "et" and "and" join the same names ("Royer & Renaud" is "Royer et Renaud"): "&" is
// dropped by folding, the words here; foreign legal forms too (GmbH, Ltd, Limited…).
const NOISE = new Set(['societe', 'ste', 'ets', 'etablissements', 'groupe', 'cie', 'compagnie', 'et', 'and', 'und', 'the', 'inc', 'ltd', 'limited', 'gmbh', 'llc', 'plc', 'ag', 'bv', 'srl', 'spa', 'corp']);

/** A company name normalised. */
export interface NormalisedCompany {
  /** NFC, spaces collapsed, the legal form kept as written in capitals ("Acme SAS"). */
  readonly display: string;
  /** The legal form found, if any. */
  readonly legalForm: string | null;
  /** Folded, without legal form or "Société"/"& Cie": what matching compares. */
  readonly key: string;
}

/**
 * Normalises a company name (R-PROS-1): the legal-form suffix or prefix recognised
 * with or without dots ("S.A.R.L.", "sarl"), written in capitals, and removed from the
 * match key with "Société", "Ets" and "& Cie".
 */
export function normaliseCompanyName(raw: string | null | undefined): NormalisedCompany | null {
  if (raw === null || raw === undefined) return null;
  return companyOf(raw);
}

// One company for many contacts: each name is worked out once.
const companyOf = remembered(normaliseCompanyNameUncached);

function normaliseCompanyNameUncached(raw: string): NormalisedCompany | null {
  const text = cleanText(raw);
  if (!/[\p{L}\p{N}]/u.test(text)) return null;
  // "S.A.R.L." → "SARL" before splitting into words.
  const undotted = text.replace(/\b((?:[A-Za-z]\.){2,})/g, (m) => m.replace(/\./g, ''));
  const words = undotted.split(' ');
  let legalForm: string | null = null;
  const kept: string[] = [];
  for (const w of words) {
    const f = fold(w).replace(/ /g, '');
    if (legalForm === null && FORMS.has(f) && words.length > 1) {
      legalForm = f.toUpperCase();
      continue;
    }
    kept.push(w);
  }
  const name = kept.join(' ').replace(/^[\s,;-]+|[\s,;-]+$/g, '');
  const display = legalForm ? `${name} ${legalForm}` : name;
  const key = fold(name)
    .split(' ')
    .filter((w) => w !== '' && !NOISE.has(w))
    .join(' ');
  return { display, legalForm, key: key === '' ? fold(name) : key };
}

/** A SIREN or SIRET normalised, or why not. */
export type CompanyIdResult =
  | { readonly ok: true; readonly siren: string; readonly siret: string | null }
  | { readonly ok: false; readonly reason: string };

/**
 * Normalises a SIREN (9 digits) or SIRET (14 digits): spaces and dots removed, the
 * check digit verified (Luhn; La Poste's SIRETs by their own rule, R-PROS-1), reusing
 * src/identifiers/siret.ts.
 */
export function normaliseCompanyId(raw: string): CompanyIdResult {
  const digits = cleanText(raw).replace(/[\s.\-/]/g, '');
  if (!/^\d+$/.test(digits)) return { ok: false, reason: 'a SIREN or SIRET has only digits' };
  if (digits.length === 14) {
    return isValidSiret(digits) ? { ok: true, siren: digits.slice(0, 9), siret: digits } : { ok: false, reason: 'the SIRET check digit is wrong' };
  }
  if (digits.length === 9) return isValidSiren(digits) ? { ok: true, siren: digits, siret: null } : { ok: false, reason: 'the SIREN check digit is wrong' };
  return { ok: false, reason: 'a SIREN has 9 digits and a SIRET 14' };
}

/**
 * Words that say what a business does or where it is, not which one it is: a name made
 * only of them ("Boulangerie du Centre", "Garage de la Gare", "Pharmacie Centrale") is
 * borne by many businesses across the country.
 */
const GENERIC_WORDS = new Set([
  // Small words.
  'a', 'au', 'aux', 'd', 'de', 'des', 'du', 'en', 'l', 'la', 'le', 'les', 'sur', 'sous', 'st', 'ste', 'saint', 'sainte', 'of',
  // Trades.
  'agence', 'alimentation', 'ambulances', 'atelier', 'auto', 'autos', 'automobiles', 'bar', 'batiment', 'boucherie', 'boulangerie', 'brasserie', 'btp',
  'cabinet', 'cafe', 'camping', 'carrosserie', 'centre', 'charcuterie', 'coiffure', 'conseil', 'conseils', 'consulting', 'construction', 'cuisine', 'cuisines',
  'ecole', 'electricite', 'entreprise', 'epicerie', 'fleurs', 'garage', 'gestion', 'hotel', 'immobilier', 'immobiliere', 'informatique', 'institut',
  'librairie', 'maconnerie', 'maison', 'marche', 'menuiserie', 'multiservices', 'nettoyage', 'optique', 'patisserie', 'peinture', 'pharmacie', 'pizzeria',
  'plomberie', 'pressing', 'restaurant', 'salon', 'service', 'services', 'supermarche', 'tabac', 'presse', 'taxi', 'taxis', 'traiteur', 'transport', 'transports',
  'travaux', 'voyages',
  // Places and qualifiers.
  'avenue', 'bourg', 'central', 'centrale', 'chateau', 'eglise', 'france', 'gare', 'grand', 'grande', 'halles', 'mairie', 'moderne', 'nord', 'sud',
  'est', 'ouest', 'nouveau', 'nouvelle', 'parc', 'place', 'plage', 'port', 'pont', 'rue', 'ville', 'vieux', 'village', 'petit', 'petite', 'lac',
]);

/**
 * Whether a company's match key (`NormalisedCompany.key`) is a common name, which alone
 * does not identify a company: every word generic (a trade, a place, a small word), or
 * one word of at most three letters ("ABC"). The import matches a common name only within
 * the same postcode or city (issue 17, item 2).
 */
export function isCommonCompanyName(key: string): boolean {
  const words = key.split(' ').filter((w) => w !== '');
  if (words.length === 0) return true;
  if (words.length === 1 && words[0]!.length <= 3) return true;
  return words.every((w) => GENERIC_WORDS.has(w));
}
