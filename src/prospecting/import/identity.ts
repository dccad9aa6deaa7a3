import { foldName } from '../dedupe/fold.js';
import { isOneTransposition, jaroWinkler, levenshtein } from '../dedupe/similarity.js';

/**
 * Identity evidence at import (issue 17, item 3). A phone number alone is not identity:
 * colleagues share a switchboard, a family a landline, and a number is given again to
 * someone else. So an exact phone match merges only with a name that agrees, and a number
 * that several records hold is a switchboard, never a merge key.
 */

/** A number held by at least this many records is a switchboard: never a merge key, nor a reason to review. */
export const SWITCHBOARD_HOLDERS = 3;

/** Two folded strings within one typo (a transposition, or Jaro-Winkler at least `threshold`). */
export const close = (a: string, b: string, threshold: number): boolean => a === b || isOneTransposition(a, b) || jaroWinkler(a, b) >= threshold;

/** Given names that agree: close, or one is the other's initial or short form ("J." ~ "Jérôme"); a missing one does not disagree. */
export function givenAgree(a: string, b: string): boolean {
  if (a === '' || b === '') return true;
  if (a.length === 1 || b.length === 1) return a[0] === b[0];
  return close(a, b, 0.9) || a.startsWith(b) || b.startsWith(a);
}

/** A person's names as an import compares them. */
export interface Names {
  readonly firstName: string | null;
  readonly lastName: string | null;
}

/**
 * Whether two records' names agree: the surnames within one typo and the given names
 * agreeing (`givenAgree`), or the two swapped; accents, case and particles folded. Both
 * surnames are needed: without one, nothing says the two are one person. Meant beside an
 * exact phone: on its own it is no proof of identity.
 */
export function namesAgree(a: Names, b: Names): boolean {
  const [af, al, bf, bl] = [foldName(a.firstName ?? ''), foldName(a.lastName ?? ''), foldName(b.firstName ?? ''), foldName(b.lastName ?? '')];
  if (al === '' || bl === '') return false;
  if (surnamesClose(al, bl) && (givenAgree(af, bf) || surnamesClose(af, bf))) return true;
  // Given name and surname swapped on one side (an initial allowed where the given name now is).
  return af !== '' && bf !== '' && ((surnamesClose(al, bf) && givenAgree(af, bl)) || (surnamesClose(af, bl) && givenAgree(al, bf)));
}

/**
 * Surnames within one typo: `close`, or one edit apart, which Jaro-Winkler misses on short
 * names ("Roy"/"Ry", "Petit"/"Peit"; measured on the bench's generated file: 4.6 % of the
 * true phone pairs refused by `close` alone). Used beside an exact phone, a strong clue.
 */
function surnamesClose(a: string, b: string): boolean {
  const shorter = Math.min(a.length, b.length);
  return close(a, b, 0.9) || (shorter >= 2 && levenshtein(a, b, 2) <= (shorter >= 6 ? 2 : 1));
}
