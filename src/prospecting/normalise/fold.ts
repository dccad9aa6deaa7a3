import { remembered } from './memo.js';

/** The folding of one character, before runs of separators are collapsed (see fold). */
function foldPipeline(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .replace(/œ/g, 'oe')
    .replace(/Œ/g, 'OE')
    .replace(/æ/g, 'ae')
    .replace(/Æ/g, 'AE')
    .replace(/ß/g, 'ss')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ');
}

function foldSlow(text: string): string {
  return foldPipeline(text).trim();
}

/**
 * Per character of Latin-1, Œ/œ and the typographic apostrophes (what French files hold), its
 * folded form (a separator as one space): such a text folds character by character, with no
 * Unicode normalisation per call. Built from foldPipeline itself, so both ways agree.
 */
const FOLD_CHAR: ReadonlyMap<number, string> = new Map(
  [...Array.from({ length: 0x100 }, (_, c) => c), 0x152, 0x153, 0x2018, 0x2019].map((c) => [c, foldPipeline(String.fromCharCode(c))] as const),
);
const ASCII = /^\p{ASCII}*$/u;

function foldByChar(text: string): string | null {
  let out = '';
  let space = true; // at the start, a separator is dropped (the trim)
  for (let i = 0; i < text.length; i++) {
    const f = FOLD_CHAR.get(text.charCodeAt(i));
    if (f === undefined) return null;
    if (f === ' ') {
      if (!space) out += ' ';
      space = true;
    } else if (f !== '') {
      out += f;
      space = false;
    }
  }
  return space && out !== '' ? out.slice(0, -1) : out;
}

const foldRemembered = remembered((text: string) => foldByChar(text) ?? foldSlow(text), 20_000);

/**
 * The folded form of a text, for matching only (R-PROS-1: accents kept for display,
 * folded for matching): Unicode NFD with combining marks removed, ligatures spelt out,
 * lower case, every run of non-alphanumerics one space, trimmed.
 */
export function fold(text: string): string {
  // ASCII folds without Unicode work: lower case, separators collapsed.
  if (ASCII.test(text)) return text.toLowerCase().replace(/[^a-z0-9]+/g, ' ').trim();
  return foldRemembered(text);
}

/**
 * Printable Latin-1 (but the soft hyphen and the no-break space), Œ/œ and the typographic
 * apostrophes, single spaces between words: such a text is already in NFC (nothing in it
 * composes) with no control character and no run of white space, so cleanText leaves it as it is.
 */
const CLEAN = /^[\x21-\x7e\xa1-\xac\xae-\xff\u0152\u0153\u2018\u2019]+(?: [\x21-\x7e\xa1-\xac\xae-\xff\u0152\u0153\u2018\u2019]+)*$/;

/** Unicode NFC, no control characters, runs of white space one space, trimmed: what every normaliser starts from. */
export function cleanText(text: string): string {
  if (CLEAN.test(text)) return text;
  return text
    .normalize('NFC')
    .replace(/[\p{Cc}\p{Cf}]+/gu, ' ')
    .replace(/\s+/gu, ' ')
    .trim();
}
