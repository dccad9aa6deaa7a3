import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isLocked, lockDurationMs } from './lockout.js';
import { checkPasswordRules, generatePassword, hashPassword, verifyPassword } from './password.js';
import { SlidingWindowLimiter } from './rate-limit.js';
import { generateRecoveryCodes, hashRecoveryCode, looksLikeRecoveryCode } from './recovery-codes.js';
import { SecretBox } from './secret-box.js';
import { csrfTokenFor, digestsEqual, sha256Hex } from './secrets.js';

describe('lockout backoff', () => {
  it('P2.1 no lock below 5 failures, then 1 min doubling per failure, capped at 1 h', () => {
    expect([0, 1, 4].map(lockDurationMs)).toEqual([0, 0, 0]);
    const minutes = [5, 6, 7, 8, 9, 10, 11, 12, 50, 10_000].map((n) => lockDurationMs(n) / 60_000);
    expect(minutes).toEqual([1, 2, 4, 8, 16, 32, 60, 60, 60, 60]);
  });

  it('a lock runs until its end, exclusive', () => {
    const end = new Date('2026-11-26T10:00:00Z');
    expect(isLocked(end, new Date('2026-11-26T09:59:59Z'))).toBe(true);
    expect(isLocked(end, end)).toBe(false);
    expect(isLocked(null, end)).toBe(false);
  });
});

describe('sliding-window rate limit', () => {
  it('allows `limit` hits per window, then says how long to wait', () => {
    const limiter = new SlidingWindowLimiter(3, 60_000);
    expect([0, 1000, 2000].map((t) => limiter.hit('a', t))).toEqual([0, 0, 0]);
    expect(limiter.hit('a', 3000)).toBe(57_000);
    expect(limiter.hit('b', 3000)).toBe(0);
    expect(limiter.hit('a', 60_001)).toBe(0);
  });

  it('forgets the least recently used keys beyond its bound', () => {
    const limiter = new SlidingWindowLimiter(1, 60_000, 2);
    limiter.hit('a', 0);
    limiter.hit('b', 0);
    limiter.hit('c', 0);
    expect(limiter.hit('a', 1)).toBe(0);
    expect(limiter.hit('c', 1)).toBeGreaterThan(0);
  });
});

describe('passwords (argon2id)', () => {
  it('hashes with argon2id and OWASP parameters, verifies, and refuses short passwords', async () => {
    const hash = await hashPassword('correct horse battery');
    expect(hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(await verifyPassword(hash, 'correct horse battery')).toBe(true);
    expect(await verifyPassword(hash, 'correct horse batterY')).toBe(false);
    expect(await verifyPassword('not a hash', 'x')).toBe(false);
    expect(() => checkPasswordRules('elevenchars')).toThrow(/12/);
    expect(() => checkPasswordRules('twelve chars')).not.toThrow();
    expect(generatePassword()).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });

  it('the same characters typed in another Unicode form still match (NFC)', async () => {
    const hash = await hashPassword('caf\u00e9 au lait noir');
    expect(await verifyPassword(hash, 'cafe\u0301 au lait noir')).toBe(true);
  });
});

describe('secret box (AES-256-GCM)', () => {
  it('opens what it sealed, only with the same key and context; the box does not contain the secret', () => {
    const key = randomBytes(32);
    const box = new SecretBox(key, 'totp-secret');
    const sealed = box.seal('JBSWY3DPEHPK3PXP', 'account-1');
    expect(sealed).not.toContain('JBSWY3DPEHPK3PXP');
    expect(box.open(sealed, 'account-1')).toBe('JBSWY3DPEHPK3PXP');
    expect(box.open(sealed, 'account-2')).toBeNull();
    expect(new SecretBox(randomBytes(32), 'totp-secret').open(sealed, 'account-1')).toBeNull();
    expect(new SecretBox(key, 'other-use').open(sealed, 'account-1')).toBeNull();
    expect(box.open('v1.garbage', 'account-1')).toBeNull();
    expect(() => new SecretBox(randomBytes(16), 'x')).toThrow();
  });
});

describe('tokens, digests and recovery codes', () => {
  it('digests compare in constant time and only when equal', () => {
    expect(digestsEqual(sha256Hex('a'), sha256Hex('a'))).toBe(true);
    expect(digestsEqual(sha256Hex('a'), sha256Hex('b'))).toBe(false);
    expect(digestsEqual('', '')).toBe(false);
  });

  it('the CSRF token is derived from the session token and differs per session', () => {
    expect(csrfTokenFor('s1')).toBe(csrfTokenFor('s1'));
    expect(csrfTokenFor('s1')).not.toBe(csrfTokenFor('s2'));
  });

  it('ten distinct 80-bit recovery codes, recognised however they are retyped', () => {
    const codes = generateRecoveryCodes();
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    for (const code of codes) {
      expect(code).toMatch(/^[a-z2-7]{4}(-[a-z2-7]{4}){3}$/);
      expect(looksLikeRecoveryCode(code.toUpperCase().replace(/-/g, ' '))).toBe(true);
      expect(hashRecoveryCode(code.toUpperCase())).toBe(hashRecoveryCode(code));
    }
    expect(looksLikeRecoveryCode('123456')).toBe(false);
  });
});
