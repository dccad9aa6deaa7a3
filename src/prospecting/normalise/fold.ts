/**
 * The folded form of a text, for matching only (R-PROS-1: accents kept for display,
 * folded for matching): Unicode NFD with combining marks removed, ligatures spelt out,
 * lower case, every run of non-alphanumerics one space, trimmed.
 */
export function fold(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .replace(/œ/g, 'oe')
    .replace(/Œ/g, 'OE')
    .replace(/æ/g, 'ae')
    .replace(/Æ/g, 'AE')
    .replace(/ß/g, 'ss')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/** Unicode NFC, no control characters, runs of white space one space, trimmed: what every normaliser starts from. */
export function cleanText(text: string): string {
  return text
    .normalize('NFC')
    .replace(/[\p{Cc}\p{Cf}]+/gu, ' ')
    .replace(/\s+/gu, ' ')
    .trim();
}
