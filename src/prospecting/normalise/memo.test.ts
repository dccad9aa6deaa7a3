import { describe, expect, it } from 'vitest';
import { remembered } from './memo.js';

describe('remembered (bounded cache of the normalisers)', () => {
  it('computes each input once, remembers null results too, and holds at most max entries', () => {
    const calls: string[] = [];
    const f = remembered((s: string) => {
      calls.push(s);
      return s === '' ? null : s.length;
    }, 3);
    expect([f('a'), f('bb'), f(''), f('a'), f('')]).toEqual([1, 2, null, 1, null]);
    expect(calls).toEqual(['a', 'bb', '']);
    // A fourth distinct input clears the cache (memory stays bounded): 'a' is worked out again.
    expect(f('cccc')).toBe(4);
    expect(f('a')).toBe(1);
    expect(calls).toEqual(['a', 'bb', '', 'cccc', 'a']);
  });
});
