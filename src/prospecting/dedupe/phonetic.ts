/**
 * A French-aware phonetic key, a simplified cousin of Soundex-FR / "Phonex": names that
 * sound alike in French get the same key (Lefèvre, Lefebvre, Lefeuvre; Gauthier, Gautier;
 * Dupont, Dupond; Philippe, Filipe). Used for a comparison level and for blocking, never
 * alone as proof of identity.
 */

/** Ordered rewrites on an upper-case, accent-free string of letters. */
const REWRITES: readonly (readonly [RegExp, string])[] = [
  [/PH/g, 'F'],
  [/TH/g, 'T'],
  [/SCH/g, 'CH'],
  [/SH/g, 'CH'],
  [/CK/g, 'K'],
  [/QU/g, 'K'],
  [/Q/g, 'K'],
  [/GU([EIY])/g, 'G$1'],
  [/G([EIY])/g, 'J$1'],
  [/C([EIY])/g, 'S$1'],
  [/CH/g, '#'],
  [/C/g, 'K'],
  [/X/g, 'KS'],
  [/W/g, 'V'],
  [/Y/g, 'I'],
  [/Z/g, 'S'],
  [/GN/g, 'N'],
  [/EAU/g, 'O'],
  [/AU/g, 'O'],
  [/OU/g, 'U'],
  [/EU/g, 'E'],
  [/OE/g, 'E'],
  [/(AI|EI)N/g, '1'],
  [/(AI|EI|ET$|ER$|EZ$)/g, 'E'],
  [/([AEIOU])S([AEIOU])/g, '$1Z$2'],
  [/(IN|IM|UN|UM|YN)(?![AEIOU1-3])/g, '1'],
  [/(AN|AM|EN|EM)(?![AEIOU1-3])/g, '2'],
  [/(ON|OM)(?![AEIOU1-3])/g, '3'],
  [/BV/g, 'V'],
  [/H/g, ''],
];

const VOWELS = /[AEIOU]/;

/** The phonetic key of a name ('' for a value without letters). */
export function frenchPhonetic(folded: string): string {
  let s = folded.toUpperCase().replace(/[^A-Z]/g, '');
  if (s === '') return '';
  // Silent final letters of French spelling.
  s = s.replace(/(?<=.)([STDXZ]|E|ES|ENT)$/, '');
  for (const [re, to] of REWRITES) s = s.replace(re, to);
  // Silent final letters again (rewrites can expose one), then double letters.
  s = s.replace(/(?<=.)[STDX]$/, '');
  let out = s.charAt(0);
  let prev = out;
  for (let i = 1; i < s.length; i++) {
    const c = s.charAt(i);
    if (c === prev) continue;
    prev = c;
    // Vowels after the first letter carry little in spelling variants of names.
    if (VOWELS.test(c)) continue;
    out += c;
  }
  return out.slice(0, 8);
}
