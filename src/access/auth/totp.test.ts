import { describe, expect, it } from 'vitest';
import { base32Decode, base32Encode, generateTotpSecret, hotp, matchTotp, otpauthUri, totpCode, totpStep } from './totp.js';

// RFC 6238 Appendix B, SHA-1 column: the seed is the ASCII string "12345678901234567890".
const RFC_SEED = Buffer.from('12345678901234567890', 'ascii');
const RFC_VECTORS: ReadonlyArray<readonly [number, string]> = [
  [59, '94287082'],
  [1111111109, '07081804'],
  [1111111111, '14050471'],
  [1234567890, '89005924'],
  [2000000000, '69279037'],
  [20000000000, '65353130'],
];

describe('TOTP (RFC 6238 / RFC 4226)', () => {
  it('P2.1 matches every SHA-1 test vector of RFC 6238 appendix B (8 digits)', () => {
    for (const [seconds, code] of RFC_VECTORS) {
      expect(hotp(RFC_SEED, totpStep(new Date(seconds * 1000)), 8), `T=${seconds}`).toBe(code);
    }
  });

  it('six-digit codes are the last six digits of the RFC values', () => {
    for (const [seconds, code] of RFC_VECTORS) {
      expect(totpCode(RFC_SEED, new Date(seconds * 1000))).toBe(code.slice(2));
    }
  });

  it('RFC 4226 appendix D HOTP values', () => {
    const expected = ['755224', '287082', '359152', '969429', '338314', '254676', '287922', '162583', '399871', '520489'];
    expected.forEach((code, counter) => expect(hotp(RFC_SEED, counter)).toBe(code));
  });

  it('base32 round-trips and matches RFC 4648 examples', () => {
    expect(base32Encode(Buffer.from('foobar'))).toBe('MZXW6YTBOI');
    expect(base32Decode('MZXW6YTBOI').toString()).toBe('foobar');
    expect(base32Decode('mzxw 6ytb oi======').toString()).toBe('foobar');
    const secret = generateTotpSecret();
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(base32Encode(base32Decode(secret))).toBe(secret);
    expect(() => base32Decode('0189')).toThrow();
  });

  it('accepts one step either side and nothing further; returns the step that matched', () => {
    const now = new Date(1_800_000_000_000);
    const step = totpStep(now);
    const at = (s: number) => new Date(s * 30_000);
    expect(matchTotp(RFC_SEED, totpCode(RFC_SEED, at(step)), now)).toBe(step);
    expect(matchTotp(RFC_SEED, totpCode(RFC_SEED, at(step - 1)), now)).toBe(step - 1);
    expect(matchTotp(RFC_SEED, totpCode(RFC_SEED, at(step + 1)), now)).toBe(step + 1);
    expect(matchTotp(RFC_SEED, totpCode(RFC_SEED, at(step - 2)), now)).toBeNull();
    expect(matchTotp(RFC_SEED, totpCode(RFC_SEED, at(step + 2)), now)).toBeNull();
    expect(matchTotp(RFC_SEED, 'abcdef', now)).toBeNull();
    expect(matchTotp(RFC_SEED, '1234567', now)).toBeNull();
  });

  it('otpauth URI carries issuer, account, algorithm, digits and period', () => {
    const uri = new URL(otpauthUri('JBSWY3DPEHPK3PXP', 'dpo@example.fr'));
    expect(uri.protocol).toBe('otpauth:');
    expect(uri.host).toBe('totp');
    expect(decodeURIComponent(uri.pathname)).toBe('/Rempart:dpo@example.fr');
    expect(Object.fromEntries(uri.searchParams)).toEqual({ secret: 'JBSWY3DPEHPK3PXP', issuer: 'Rempart', algorithm: 'SHA1', digits: '6', period: '30' });
  });
});
