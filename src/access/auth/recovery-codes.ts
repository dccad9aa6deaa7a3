import { randomBytes } from 'node:crypto';
import { sha256Hex } from './secrets.js';
import { base32Encode } from './totp.js';

/** How many recovery codes an enrolment hands out. */
export const RECOVERY_CODE_COUNT = 10;

/**
 * Ten single-use codes of 80 random bits each (`abcd-efgh-ijkl-mnop`): enough that their
 * SHA-256 digests cannot be brute-forced from a copy of the database.
 */
export function generateRecoveryCodes(count = RECOVERY_CODE_COUNT): string[] {
  return Array.from({ length: count }, () => {
    const raw = base32Encode(randomBytes(10)).toLowerCase();
    return raw.match(/.{4}/g)?.join('-') ?? raw;
  });
}

/** True when the text has the shape of a recovery code (as opposed to a 6-digit TOTP code). */
export function looksLikeRecoveryCode(text: string): boolean {
  return /^[a-z2-7]{16}$/.test(normaliseRecoveryCode(text));
}

/** Lower case, without spaces or dashes: how people retype a code. */
export function normaliseRecoveryCode(text: string): string {
  return text.toLowerCase().replace(/[\s-]/g, '');
}

/** The digest stored for a code (computed on the normalised form). */
export function hashRecoveryCode(code: string): string {
  return sha256Hex(normaliseRecoveryCode(code));
}
