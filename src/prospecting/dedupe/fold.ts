/**
 * Comparison-level normalisation: what two values must share to count as "the same" for
 * matching. Display values are normalised elsewhere (src/prospecting/normalise/); this
 * folding is deliberately lossy (accents, case, punctuation) and used only for scoring.
 */

const COMBINING = /[\u0300-\u036f]/g;
const LIGATURES: Readonly<Record<string, string>> = { œ: 'oe', Œ: 'oe', æ: 'ae', Æ: 'ae', ß: 'ss', ø: 'o', Ø: 'o', ł: 'l', Ł: 'l', đ: 'd', Đ: 'd' };
const LIGATURE_RE = /[œŒæÆßøØłŁđĐ]/g;

/** Lower case, accents and ligatures folded, anything but letters and digits turned to one space, trimmed. */
export function fold(value: string): string {
  let s = value;
  // Plain ASCII is the common case: skip NFD when there is nothing to decompose.
  if (/[^ -~]/.test(s)) {
    s = s.replace(LIGATURE_RE, (c) => LIGATURES[c] ?? c).normalize('NFD').replace(COMBINING, '');
  }
  return s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

/** Only the digits of a value. */
export function digitsOf(value: string): string {
  return value.replace(/\D+/g, '');
}

/** French name particles and Anglo forms that spelling variants keep or drop. */
const NAME_PARTICLES = new Set(['de', 'du', 'des', 'la', 'le', 'd', 'l', 'van', 'von', 'der', 'den', 'mc', 'mac']);

/** A name folded, its particles dropped when something else remains ("de la Fontaine" ~ "Lafontaine" ~ "Fontaine"), spaces removed. */
export function foldName(value: string): string {
  const tokens = fold(value).split(' ').filter((t) => t !== '');
  const kept = tokens.filter((t) => !NAME_PARTICLES.has(t));
  return (kept.length > 0 ? kept : tokens).join('');
}

/** Legal forms of companies (French and common foreign ones): not part of the name for matching. */
const LEGAL_FORMS = new Set([
  'sa', 'sas', 'sasu', 'sarl', 'eurl', 'sci', 'snc', 'scs', 'sca', 'scop', 'scp', 'selarl', 'selas', 'gie', 'ei', 'eirl', 'earl', 'gaec',
  'association', 'ste', 'societe', 'ltd', 'limited', 'inc', 'llc', 'plc', 'gmbh', 'ag', 'bv', 'nv', 'srl', 'spa', 'co', 'corp', 'cie', 'et',
]);

/** A company name folded, legal forms and "et cie" dropped, tokens kept in order. */
export function foldCompany(value: string): string {
  const tokens = fold(value).split(' ').filter((t) => t !== '');
  const kept = tokens.filter((t) => !LEGAL_FORMS.has(t));
  return (kept.length > 0 ? kept : tokens).join(' ');
}

/** Street-type abbreviations (French first, then English) expanded to one spelling. */
const STREET_WORDS: Readonly<Record<string, string>> = {
  r: 'rue', av: 'avenue', ave: 'avenue', bd: 'boulevard', bld: 'boulevard', boul: 'boulevard', pl: 'place', imp: 'impasse', che: 'chemin', chem: 'chemin',
  rte: 'route', all: 'allee', sq: 'square', qu: 'quai', crs: 'cours', fbg: 'faubourg', lot: 'lotissement', res: 'residence', st: 'saint', ste: 'sainte',
  str: 'street', rd: 'road', dr: 'drive', cres: 'crescent', cct: 'circuit', pde: 'parade', cl: 'close', ct: 'court', hwy: 'highway', tce: 'terrace',
  bis: 'b', ter: 't',
};

/** An address folded, its street-type abbreviations expanded. */
export function foldAddress(value: string): string {
  return fold(value)
    .split(' ')
    .map((t) => STREET_WORDS[t] ?? t)
    .join(' ');
}

/** A city folded: "St-Étienne" ~ "saint etienne", "Cedex" and arrondissement numbers dropped. */
export function foldCity(value: string): string {
  const tokens = fold(value)
    .split(' ')
    .filter((t) => t !== '' && t !== 'cedex' && !/^\d+(er|e|eme)?$/.test(t))
    .map((t) => (t === 'st' ? 'saint' : t === 'ste' ? 'sainte' : t));
  return tokens.join(' ');
}

/**
 * A date as `YYYYMMDD` when it can be read (`YYYY-MM-DD`, `YYYYMMDD`, `DD/MM/YYYY`,
 * `DD.MM.YYYY`), else its digits: a typo'd date still compares by edit distance.
 */
export function foldDate(value: string): string {
  const v = value.trim();
  let m = /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})/.exec(v);
  if (m) return `${m[1]}${m[2]!.padStart(2, '0')}${m[3]!.padStart(2, '0')}`;
  m = /^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$/.exec(v);
  if (m) return `${m[3]}${m[2]!.padStart(2, '0')}${m[1]!.padStart(2, '0')}`;
  return digitsOf(v);
}

/** An email lower-cased and trimmed; Gmail-style "+tag" suffixes of the local part dropped. */
export function foldEmail(value: string): string {
  const v = value.trim().toLowerCase();
  const at = v.lastIndexOf('@');
  if (at < 0) return v;
  const local = v.slice(0, at);
  const plus = local.indexOf('+');
  return (plus > 0 ? local.slice(0, plus) : local) + v.slice(at);
}

/**
 * A phone number as its last 9 digits: the French national significant number, the same
 * whether written 06…, +33 6… or 0033 6…; shorter numbers are kept whole.
 */
export function foldPhone(value: string): string {
  const d = digitsOf(value);
  return d.length > 9 ? d.slice(d.length - 9) : d;
}

/** An identifier (SIRET, social security number…): letters and digits only, upper-cased. */
export function foldId(value: string): string {
  return fold(value).replace(/ /g, '').toUpperCase();
}
