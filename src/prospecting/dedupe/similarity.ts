/**
 * String similarities used by the comparison levels. Written for hot loops: no allocation
 * per call beyond two shared scratch buffers, char codes rather than characters.
 */

let flagsA = new Uint8Array(64);
let flagsB = new Uint8Array(64);
let row = new Int32Array(66);

function ensure(len: number): void {
  if (flagsA.length < len) {
    flagsA = new Uint8Array(len * 2);
    flagsB = new Uint8Array(len * 2);
  }
  if (row.length < len + 2) row = new Int32Array(len * 2 + 2);
}

/** Per ASCII code, the positions of that character in the second string (bit-parallel Jaro). */
const positions = new Int32Array(128);

/** Jaro similarity of two strings, in [0, 1]. */
export function jaro(a: string, b: string): number {
  const la = a.length;
  const lb = b.length;
  if (la === 0 || lb === 0) return la === lb ? 1 : 0;
  if (a === b) return 1;
  if (la <= 31 && lb <= 31) {
    const r = jaroBits(a, b);
    if (r >= 0) return r;
  }
  return jaroClassic(a, b);
}

/**
 * Jaro with the positions of each character of `b` as a bit mask: one AND per character
 * of `a` instead of a scan of the window (as RapidFuzz does). Strings of at most 31 ASCII
 * characters; returns -1 when `b` is not ASCII.
 */
function jaroBits(a: string, b: string): number {
  const la = a.length;
  const lb = b.length;
  let ascii = true;
  for (let j = 0; j < lb; j++) {
    const c = b.charCodeAt(j);
    if (c >= 128) {
      ascii = false;
      break;
    }
    positions[c]! |= 1 << j;
  }
  if (!ascii) {
    for (let j = 0; j < lb; j++) {
      const c = b.charCodeAt(j);
      if (c < 128) positions[c] = 0;
    }
    return -1;
  }
  const window = Math.max(0, (Math.max(la, lb) >> 1) - 1);
  let flagA = 0;
  let flagB = 0;
  let m = 0;
  for (let i = 0; i < la; i++) {
    const c = a.charCodeAt(i);
    if (c >= 128) continue;
    let mask = positions[c]! & ~flagB;
    if (mask === 0) continue;
    const lo = i - window;
    const hi = Math.min(lb - 1, i + window);
    if (hi < 0) continue;
    mask &= ((1 << (hi + 1)) - 1) | 0;
    if (lo > 0) mask &= ~((1 << lo) - 1);
    if (mask === 0) continue;
    flagB |= mask & -mask;
    flagA |= 1 << i;
    m++;
  }
  for (let j = 0; j < lb; j++) positions[b.charCodeAt(j)] = 0;
  if (m === 0) return 0;
  let t = 0;
  let fa = flagA;
  let fb = flagB;
  while (fa !== 0) {
    const ia = 31 - Math.clz32(fa & -fa);
    fa &= fa - 1;
    const jb = 31 - Math.clz32(fb & -fb);
    fb &= fb - 1;
    if (a.charCodeAt(ia) !== b.charCodeAt(jb)) t++;
  }
  return (m / la + m / lb + (m - t / 2) / m) / 3;
}

/** Jaro by scanning each window (any length, any characters); `jaro` uses it beyond 31 characters or outside ASCII. */
export function jaroClassic(a: string, b: string): number {
  const la = a.length;
  const lb = b.length;
  ensure(Math.max(la, lb));
  const window = Math.max(0, (Math.max(la, lb) >> 1) - 1);
  flagsA.fill(0, 0, la);
  flagsB.fill(0, 0, lb);
  let matches = 0;
  for (let i = 0; i < la; i++) {
    const lo = Math.max(0, i - window);
    const hi = Math.min(lb - 1, i + window);
    const c = a.charCodeAt(i);
    for (let j = lo; j <= hi; j++) {
      if (flagsB[j] === 0 && b.charCodeAt(j) === c) {
        flagsA[i] = 1;
        flagsB[j] = 1;
        matches++;
        break;
      }
    }
  }
  if (matches === 0) return 0;
  let transpositions = 0;
  let k = 0;
  for (let i = 0; i < la; i++) {
    if (flagsA[i] === 0) continue;
    while (flagsB[k] === 0) k++;
    if (a.charCodeAt(i) !== b.charCodeAt(k)) transpositions++;
    k++;
  }
  const m = matches;
  return (m / la + m / lb + (m - transpositions / 2) / m) / 3;
}

/** Jaro-Winkler similarity (prefix scale 0.1, prefix up to 4 characters), in [0, 1]. */
export function jaroWinkler(a: string, b: string): number {
  const j = jaro(a, b);
  if (j === 0) return 0;
  const max = Math.min(4, a.length, b.length);
  let prefix = 0;
  while (prefix < max && a.charCodeAt(prefix) === b.charCodeAt(prefix)) prefix++;
  return j + prefix * 0.1 * (1 - j);
}

/**
 * Levenshtein distance of two strings, or `limit + 1` as soon as it is known to exceed
 * `limit` (the comparison levels only ask "within 1? within 2?").
 */
export function levenshtein(a: string, b: string, limit = Number.MAX_SAFE_INTEGER): number {
  if (a === b) return 0;
  let la = a.length;
  let lb = b.length;
  if (Math.abs(la - lb) > limit) return limit + 1;
  if (la === 0) return lb;
  if (lb === 0) return la;
  if (la > lb) {
    const t = a;
    a = b;
    b = t;
    la = a.length;
    lb = b.length;
  }
  ensure(la + 1);
  for (let i = 0; i <= la; i++) row[i] = i;
  for (let j = 1; j <= lb; j++) {
    let prev = row[0]!;
    row[0] = j;
    let best = j;
    const c = b.charCodeAt(j - 1);
    for (let i = 1; i <= la; i++) {
      const old = row[i]!;
      const cost = a.charCodeAt(i - 1) === c ? 0 : 1;
      let v = prev + cost;
      const del = row[i]! + 1;
      const ins = row[i - 1]! + 1;
      if (del < v) v = del;
      if (ins < v) v = ins;
      row[i] = v;
      prev = old;
      if (v < best) best = v;
    }
    if (best > limit) return limit + 1;
  }
  const d = row[la]!;
  return d > limit ? limit + 1 : d;
}

/**
 * Damerau (optimal string alignment) distance restricted to "one adjacent transposition":
 * true when `a` and `b` differ only by swapping two neighbouring characters (typing errors
 * such as 1905/1950 in a date, or 'ie'/'ei' in a name).
 */
export function isOneTransposition(a: string, b: string): boolean {
  if (a.length !== b.length || a === b) return false;
  let i = 0;
  while (i < a.length && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  if (i + 1 >= a.length) return false;
  if (a.charCodeAt(i) !== b.charCodeAt(i + 1) || a.charCodeAt(i + 1) !== b.charCodeAt(i)) return false;
  return a.slice(i + 2) === b.slice(i + 2);
}

/** Characters the bit-parallel Jaro handles in one 32-bit word. */
const WORD = 31;

/**
 * Jaro-Winkler of the first 31 characters of each string: the comparison levels' measure.
 * Long values (addresses, company names) differ mostly early or are near-equal; cutting
 * them keeps every comparison on the bit-parallel path, several times faster.
 */
export function jaroWinklerHead(a: string, b: string): number {
  return jaroWinkler(a.length > WORD ? a.slice(0, WORD) : a, b.length > WORD ? b.slice(0, WORD) : b);
}
