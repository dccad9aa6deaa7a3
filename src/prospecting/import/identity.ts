import { foldName } from '../dedupe/fold.js';
import { isOneTransposition, jaroWinkler } from '../dedupe/similarity.js';

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
 * surnames are needed: without one, nothing says the two are one person.
 */
export function namesAgree(a: Names, b: Names): boolean {
  const [af, al, bf, bl] = [foldName(a.firstName ?? ''), foldName(a.lastName ?? ''), foldName(b.firstName ?? ''), foldName(b.lastName ?? '')];
  if (al === '' || bl === '') return false;
  if (close(al, bl, 0.9) && givenAgree(af, bf)) return true;
  return af !== '' && bf !== '' && close(al, bf, 0.9) && close(af, bl, 0.9);
}
