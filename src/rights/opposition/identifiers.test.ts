import { describe, expect, it } from 'vitest';
import { oppositionHash } from './identifiers.js';

// Computed with the per-call derivation this replaced: the list already stored must still match.
const GOLDEN = {
  email7: 'cf91dfdf8bbe1d0f66863bfa85c93b3cf7de9f540030e3404012cc1f2ea163d7',
  phone7: 'e49153c2632fa34557db449b6750af76d0bd0f66967fc88b87c1c2c51a3794f0',
  email8: '7013540c8aec2330db26563790663fc1607b08c1b14b499ddaa0f4c23b211155',
};

describe('opposition hashes with the derived key kept per server key', () => {
  it('R-PROS-3 the hashes are those of the per-call derivation, repeated calls included', () => {
    const key = Buffer.alloc(32, 7);
    for (let i = 0; i < 3; i++) {
      expect(oppositionHash(key, 'email', 'claire.martin@acme.fr')).toBe(GOLDEN.email7);
      expect(oppositionHash(key, 'phone', '+33612345678')).toBe(GOLDEN.phone7);
    }
    // Another Buffer with the same bytes gives the same hash.
    expect(oppositionHash(Buffer.alloc(32, 7), 'email', 'claire.martin@acme.fr')).toBe(GOLDEN.email7);
    expect(oppositionHash(Buffer.alloc(32, 8), 'email', 'claire.martin@acme.fr')).toBe(GOLDEN.email8);
  });

  it('R-PROS-3 a key changed in place is never answered with the old key\'s hashes', () => {
    const key = Buffer.alloc(32, 7);
    expect(oppositionHash(key, 'email', 'claire.martin@acme.fr')).toBe(GOLDEN.email7);
    key.fill(8);
    expect(oppositionHash(key, 'email', 'claire.martin@acme.fr')).toBe(GOLDEN.email8);
    // The email and phone keys differ (labels of their own).
    expect(oppositionHash(key, 'phone', 'x')).not.toBe(oppositionHash(key, 'email', 'x'));
  });
});
