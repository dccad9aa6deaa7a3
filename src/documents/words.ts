/**
 * Sentences from data: numbers and durations in words, lists joined as a person would
 * write them, dates in full. The notice (D2) is a legal text read by clients, so it says
 * "trois ans", not "P3Y".
 */
import { parseDuration } from '../policy/index.js';

/** The languages the documents are written in. */
export type Lang = 'fr' | 'en';

/** True when `text` names a language the documents are written in. */
export function isLang(text: string): text is Lang {
  return text === 'fr' || text === 'en';
}

const NUMBERS: Readonly<Record<Lang, readonly string[]>> = {
  fr: ['zéro', 'un', 'deux', 'trois', 'quatre', 'cinq', 'six', 'sept', 'huit', 'neuf', 'dix'],
  en: ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten'],
};

/** A count as French and English typography write it: in words up to ten, in digits above. */
export function numberInWords(n: number, lang: Lang): string {
  return Number.isInteger(n) && n >= 0 && n <= 10 ? (NUMBERS[lang][n] ?? String(n)) : String(n);
}

const UNITS: Readonly<Record<Lang, Readonly<Record<'y' | 'm' | 'd', readonly [string, string]>>>> = {
  fr: { y: ['an', 'ans'], m: ['mois', 'mois'], d: ['jour', 'jours'] },
  en: { y: ['year', 'years'], m: ['month', 'months'], d: ['day', 'days'] },
};

function counted(n: number, unit: 'y' | 'm' | 'd', lang: Lang): string {
  const [one, many] = UNITS[lang][unit];
  return `${numberInWords(n, lang)} ${n === 1 ? one : many}`;
}

/**
 * An ISO-8601 duration in words: `P3Y` → "trois ans" / "three years", `P10Y` → "dix ans".
 * Under two years a duration is told in months (`P1Y` → "12 mois" / "12 months"), as the
 * annex and the CNIL's guidance write short periods; `P0D` gives an empty string (no period).
 */
export function durationInWords(iso: string, lang: Lang): string {
  const d = parseDuration(iso);
  const months = d.years * 12 + d.months;
  const parts: string[] = [];
  if (months > 0 && months < 24) parts.push(counted(months, 'm', lang));
  else {
    if (d.years > 0) parts.push(counted(d.years, 'y', lang));
    if (d.months > 0) parts.push(counted(d.months, 'm', lang));
  }
  if (d.days > 0) parts.push(counted(d.days, 'd', lang));
  return joinList(parts, lang);
}

/** True when the duration is zero (`P0D`, `P0Y`…). */
export function isZeroDuration(iso: string): boolean {
  const d = parseDuration(iso);
  return d.years === 0 && d.months === 0 && d.days === 0;
}

/** The sum of two durations, unit by unit (`P3Y` + `P2Y` = `P5Y`). */
export function addDurations(a: string, b: string): string {
  const x = parseDuration(a);
  const y = parseDuration(b);
  const years = x.years + y.years;
  const months = x.months + y.months;
  const days = x.days + y.days;
  const parts = `${years > 0 ? `${years}Y` : ''}${months > 0 ? `${months}M` : ''}${days > 0 ? `${days}D` : ''}`;
  return parts === '' ? 'P0D' : `P${parts}`;
}

/** Items joined as a sentence: "a, b et c" / "a, b and c"; one item alone; empty for none. */
export function joinList(items: readonly string[], lang: Lang, conjunction?: string): string {
  const and = conjunction ?? (lang === 'fr' ? 'et' : 'and');
  if (items.length <= 1) return items[0] ?? '';
  return `${items.slice(0, -1).join(', ')} ${and} ${items[items.length - 1] ?? ''}`;
}

const MONTHS: Readonly<Record<Lang, readonly string[]>> = {
  fr: ['janvier', 'février', 'mars', 'avril', 'mai', 'juin', 'juillet', 'août', 'septembre', 'octobre', 'novembre', 'décembre'],
  en: ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'],
};

/** A `YYYY-MM-DD` date in full: "20 juin 2018" / "20 June 2018" ("1er" in French, as the language writes it). */
export function dateInWords(iso: string, lang: Lang): string {
  const [y, m, d] = iso.split('-').map(Number);
  const month = MONTHS[lang][(m ?? 1) - 1] ?? '';
  const day = lang === 'fr' && d === 1 ? '1er' : String(d);
  return `${day} ${month} ${y}`;
}

/** The text with its first letter in lower case (a label used inside a sentence), acronyms kept. */
export function lowerFirst(text: string): string {
  if (text.length > 1 && text[1] === text[1]?.toUpperCase() && /[A-Z]/.test(text[1] ?? '')) return text;
  return text.charAt(0).toLowerCase() + text.slice(1);
}

/** The text with its first letter in upper case (a sentence start). */
export function upperFirst(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** A full sentence used as a clause: first letter lowered, final full stop removed. */
export function asClause(sentence: string): string {
  return lowerFirst(sentence.trim().replace(/\.$/, ''));
}

/** The name of a country in the language (ISO 3166-1 alpha-2 code), e.g. FR → "France". */
export function countryName(code: string, lang: Lang): string {
  try {
    return new Intl.DisplayNames([lang], { type: 'region' }).of(code.toUpperCase()) ?? code;
  } catch {
    return code;
  }
}
