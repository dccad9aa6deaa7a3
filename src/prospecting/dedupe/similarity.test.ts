import { describe, expect, it } from 'vitest';
import { isOneTransposition, jaro, jaroClassic, jaroWinkler, levenshtein } from './similarity.js';

describe('string similarities (R-PROS-2 comparison levels)', () => {
  it.each([
    // Reference values (Winkler 1990; the classic examples).
    ['martha', 'marhta', 0.9444, 0.9611],
    ['dwayne', 'duane', 0.8222, 0.84],
    ['dixon', 'dicksonx', 0.7667, 0.8133],
    ['jellyfish', 'smellyfish', 0.8963, 0.8963],
    ['crate', 'trace', 0.7333, 0.7333],
    ['abc', 'xyz', 0, 0],
    ['same', 'same', 1, 1],
    ['', '', 1, 1],
    ['a', '', 0, 0],
    // Non-ASCII falls back too.
    ['élodie', 'elodie', 0.8889, 0.8889],
  ])('R-PROS-2 jaro(%s, %s) = %f, jaro-winkler = %f', (a, b, j, jw) => {
    expect(jaro(a, b)).toBeCloseTo(j, 3);
    expect(jaroWinkler(a, b)).toBeCloseTo(jw, 3);
    expect(jaro(b, a)).toBeCloseTo(j, 3);
  });

  it('R-PROS-2 the bit-parallel Jaro agrees with the classic one on random short strings', () => {
    let seed = 7;
    const rnd = (): number => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    const word = (): string => Array.from({ length: 1 + Math.floor(rnd() * 31) }, () => 'abcde'[Math.floor(rnd() * 5)]).join('');
    for (let k = 0; k < 2000; k++) {
      const a = word();
      const b = word();
      expect(jaro(a, b)).toBeCloseTo(jaroClassic(a, b), 12);
    }
  });

  it.each([
    ['kitten', 'sitting', 3],
    ['flaw', 'lawn', 2],
    ['19560409', '19560419', 1],
    ['', 'abc', 3],
    ['abc', 'abc', 0],
  ])('R-PROS-2 levenshtein(%s, %s) = %i', (a, b, d) => {
    expect(levenshtein(a, b)).toBe(d);
    expect(levenshtein(b, a)).toBe(d);
  });

  it('R-PROS-2 levenshtein stops at the limit', () => {
    expect(levenshtein('kitten', 'sitting', 1)).toBe(2);
    expect(levenshtein('abcdef', 'a', 2)).toBe(3);
  });

  it('R-PROS-2 one adjacent transposition', () => {
    expect(isOneTransposition('19560409', '19650409')).toBe(true);
    expect(isOneTransposition('dupont', 'dupnot')).toBe(true);
    expect(isOneTransposition('dupont', 'dupont')).toBe(false);
    expect(isOneTransposition('dupont', 'dupond')).toBe(false);
  });
});
