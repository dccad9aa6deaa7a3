import { describe, expect, it } from 'vitest';
import { KeyFilter } from './key-filter.js';

describe('KeyFilter', () => {
  it('R-PROS-2 never says "absent" for a key it holds, across growth, and rarely says "maybe" for others', () => {
    const filter = new KeyFilter(1000);
    const held = Array.from({ length: 50_000 }, (_, i) => `e:person${i}@exemple.fr`);
    for (const k of held) filter.add(k);
    expect(held.every((k) => filter.mightHave(k))).toBe(true);
    const others = Array.from({ length: 50_000 }, (_, i) => `p:+336${String(i).padStart(8, '0')}`);
    const falseMaybe = others.filter((k) => filter.mightHave(k)).length;
    // About 1 % per part; six parts of doubling size here.
    expect(falseMaybe / others.length).toBeLessThan(0.05);
    expect(filter.mightHave('e:nobody@exemple.fr') && filter.mightHave('e:nobody2@exemple.fr') && filter.mightHave('e:nobody3@exemple.fr')).toBe(false);
    // About 1.2 bytes a key, whatever the growth.
    expect(filter.bytes).toBeLessThan(held.length * 4);
  });
});
