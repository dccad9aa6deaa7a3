import { describe, expect, it } from 'vitest';
import { isValidSiren, isValidSiret, LA_POSTE_SIREN, luhnCheckDigit, makeSiren, makeSiret } from './siret.js';

/** A tiny deterministic generator, so the property checks below are repeatable. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('SIREN', () => {
  it.each([
    ['732829320', true], // IBM France
    ['356000000', true], // La Poste
    ['732829321', false], // check digit off by one
    ['732829302', false], // two digits swapped
    ['73282932', false], // too short
    ['7328293200', false], // too long
    ['732 829 320', false], // spaces are the caller's to strip
    ['73282932a', false],
    ['', false],
  ])('%s → %s', (siren, ok) => {
    expect(isValidSiren(siren)).toBe(ok);
  });

  it('makes valid, 9-digit SIRENs that never start with 0', () => {
    const rng = lcg(1);
    for (let i = 0; i < 2000; i++) {
      const siren = makeSiren(rng);
      expect(siren).toMatch(/^[1-9]\d{8}$/);
      expect(isValidSiren(siren)).toBe(true);
    }
  });

  it('computes the Luhn check digit', () => {
    expect(luhnCheckDigit('73282932')).toBe(0);
    expect(luhnCheckDigit('7328293200007')).toBe(4);
  });
});

describe('SIRET', () => {
  it.each([
    ['73282932000074', true], // IBM France, head office
    ['35600000000048', true], // La Poste head office: Luhn-valid
    ['35600000000001', true], // a La Poste SIRET valid by its own rule (digit sum 15), not by Luhn
    ['35600000000002', false], // La Poste, digit sum 16
    ['73282932000001', false], // same digits as the La Poste one, but the rule is La Poste's alone
    ['73282932000075', false],
    ['73282932000047', false], // last two digits swapped
    ['7328293200007', false],
    ['732829320000740', false],
    ['732 829 320 00074', false],
    ['7328293200007X', false],
  ])('%s → %s', (siret, ok) => {
    expect(isValidSiret(siret)).toBe(ok);
  });

  it('makes valid SIRETs that start with the SIREN and carry the establishment number', () => {
    const rng = lcg(2);
    for (let i = 0; i < 2000; i++) {
      const siren = makeSiren(rng);
      const nic = 1 + Math.floor(rng() * 9999);
      const siret = makeSiret(siren, nic);
      expect(siret).toHaveLength(14);
      expect(siret.slice(0, 9)).toBe(siren);
      expect(siret.slice(9, 13)).toBe(String(nic).padStart(4, '0'));
      expect(isValidSiret(siret)).toBe(true);
    }
  });

  it("reproduces IBM France's head-office SIRET", () => {
    expect(makeSiret('732829320', 7)).toBe('73282932000074');
  });

  it("uses La Poste's rule for La Poste", () => {
    for (const nic of [1, 2, 3, 999, 9999]) {
      const siret = makeSiret(LA_POSTE_SIREN, nic);
      expect([...siret].reduce((s, d) => s + Number(d), 0) % 5).toBe(0);
      expect(isValidSiret(siret)).toBe(true);
    }
  });

  it('refuses an invalid SIREN or establishment number', () => {
    expect(() => makeSiret('732829321', 1)).toThrow(RangeError);
    expect(() => makeSiret('732829320', 0)).toThrow(RangeError);
    expect(() => makeSiret('732829320', 10000)).toThrow(RangeError);
  });
});
