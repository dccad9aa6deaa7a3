import { cleanText, fold } from './fold.js';
import { remembered } from './memo.js';

/** A person's name part, ready to display and to match. */
export interface NormalisedName {
  /** NFC, French capitalisation, accents kept (R-PROS-1). */
  readonly display: string;
  /** Folded for matching: no accents, lower case, separators as spaces. */
  readonly folded: string;
}

/**
 * Nobiliary and patronymic particles written in lower case inside a name ("Charles de
 * Gaulle", "Ludwig van Beethoven"). "Le" and "La" are not here: French usage
 * capitalises the article of a surname ("Le Goff", "Jean de La Fontaine").
 */
export const NAME_PARTICLES: ReadonlySet<string> = new Set(['de', 'du', 'des', 'd', 'van', 'von', 'der', 'den', 'ter', 'ten', 'zu', 'di', 'da', 'del', 'della', 'dos', 'das', 'do', 'y', 'e']);

const isUpper = (s: string) => s === s.toUpperCase() && s !== s.toLowerCase();
const isLower = (s: string) => s === s.toLowerCase() && s !== s.toUpperCase();

function capitalise(word: string): string {
  if (word === '') return word;
  const [first = '', ...rest] = Array.from(word);
  return first.toUpperCase() + rest.join('').toLowerCase();
}

/**
 * One word (between spaces, hyphens and apostrophes). A word typed in mixed case by
 * someone who knew it ("McDonald", "DiCaprio", a Belgian "Van") is kept; a word in all
 * capitals or all lower case (what files hold) gets French capitalisation, particles
 * in lower case unless the word ends the name.
 */
function word(w: string, isLast: boolean, wholeCase: 'upper' | 'lower' | 'mixed'): string {
  if (wholeCase === 'mixed' && !isUpper(w) && !isLower(w)) return w;
  if (!isLast && NAME_PARTICLES.has(fold(w))) return w.toLowerCase();
  return capitalise(w);
}

/**
 * Normalises a given name or surname (R-PROS-1): NFC, typographic apostrophes made
 * straight, spaces collapsed, French capitalisation (hyphenated given names each
 * capitalised: "jean-pierre" → "Jean-Pierre"; particles in lower case: "DE LA
 * FONTAINE" → "de La Fontaine", "D'ALEMBERT" → "d'Alembert"), accents kept. Null when
 * nothing name-like is left.
 */
export function normaliseName(raw: string | null | undefined): NormalisedName | null {
  if (raw === null || raw === undefined) return null;
  return nameOf(raw);
}

// Files hold a few thousand distinct given names and surnames: each is worked out once.
const nameOf = remembered(normaliseNameUncached);

function normaliseNameUncached(raw: string): NormalisedName | null {
  const text = cleanText(raw)
    .replace(/[’‘`´]/g, "'")
    .replace(/\s*-\s*/g, '-')
    .replace(/^[\s.,;:'"-]+|[\s.,;:"-]+$/g, '');
  if (!/\p{L}/u.test(text)) return null;
  const wholeCase = isUpper(text) ? 'upper' : isLower(text) ? 'lower' : 'mixed';
  // Split into words and the separators between them, keeping the separators.
  const tokens = text.split(/([ '-])/);
  const isWord = (t: string) => t !== ' ' && t !== "'" && t !== '-' && t !== '';
  let lastWord = -1;
  tokens.forEach((t, i) => {
    if (isWord(t)) lastWord = i;
  });
  const display = tokens.map((t, i) => (isWord(t) ? word(t, i === lastWord, wholeCase) : t)).join('');
  return { display, folded: fold(display) };
}

/** A full name split into given name and surname. */
export interface SplitName {
  readonly firstName: string | null;
  readonly lastName: string | null;
}

/**
 * Splits a full name written in one column. French files often write the surname in
 * capitals ("DUPONT Jean", "Jean DUPONT"): the words in capitals are the surname. Else
 * the last word is the surname, after any particles ("Jean de La Fontaine").
 */
export function splitFullName(raw: string): SplitName {
  const text = cleanText(raw);
  if (text === '') return { firstName: null, lastName: null };
  const words = text.split(' ');
  if (words.length === 1) return { firstName: null, lastName: text };
  const caps = words.map((w) => isUpper(w) && Array.from(w.replace(/[^\p{L}]/gu, '')).length > 1);
  const capsCount = caps.filter(Boolean).length;
  if (capsCount > 0 && capsCount < words.length) {
    // The capitalised words, with particles between them, are the surname.
    const last = words.filter((w, i) => caps[i] || (NAME_PARTICLES.has(fold(w)) && caps[i + 1]));
    const first = words.filter((w) => !last.includes(w));
    return { firstName: first.join(' ') || null, lastName: last.join(' ') || null };
  }
  let cut = words.length - 1;
  while (cut > 1 && (NAME_PARTICLES.has(fold(words[cut - 1] ?? '')) || ['le', 'la'].includes(fold(words[cut - 1] ?? '')))) cut--;
  return { firstName: words.slice(0, cut).join(' '), lastName: words.slice(cut).join(' ') };
}
