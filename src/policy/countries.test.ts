import { describe, expect, it } from 'vitest';
import { EU_COUNTRIES, EU_EEA_COUNTRIES, hasAdequacyDecision, isEuEea, transferGround } from './countries.js';

describe('countries', () => {
  it('P3.1 lists the 27 EU member states and the 3 other EEA states', () => {
    expect(EU_COUNTRIES.size).toBe(27);
    expect(EU_EEA_COUNTRIES.size).toBe(30);
    expect(['FR', 'DE', 'GR', 'IS', 'LI', 'NO', 'fr'].every(isEuEea)).toBe(true);
    expect(['CH', 'GB', 'US', 'EL'].some(isEuEea)).toBe(false);
  });

  it('P3.1 knows the adequacy decisions; the US counts only through the DPF', () => {
    expect(['AD', 'AR', 'CA', 'FO', 'GG', 'IL', 'IM', 'JP', 'JE', 'NZ', 'KR', 'CH', 'GB', 'UY'].every(hasAdequacyDecision)).toBe(true);
    expect(hasAdequacyDecision('US')).toBe(false);
    expect(hasAdequacyDecision('FR')).toBe(false);
  });

  it('P3.1 gives the ground of a transfer, or null when it must be refused', () => {
    expect(transferGround('FR')).toBe('eu_eea');
    expect(transferGround('NO', 'scc')).toBe('eu_eea');
    expect(transferGround('JP')).toBe('adequacy');
    expect(transferGround('US')).toBeNull();
    expect(transferGround('US', 'adequacy')).toBe('adequacy');
    expect(transferGround('US', 'scc')).toBe('scc');
    expect(transferGround('CN', 'adequacy')).toBeNull();
    expect(transferGround('IN', 'bcr')).toBe('bcr');
    expect(transferGround('BR')).toBeNull();
  });
});
