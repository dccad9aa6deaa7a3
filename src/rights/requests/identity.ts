import { createHmac, randomInt, timingSafeEqual } from 'node:crypto';
import { RempartError } from '../../errors.js';

/** How long a one-time code stays valid. */
export const CODE_VALID_MINUTES = 30;
/** How many codes may be tried on one request before it needs a new one. */
export const MAX_CODE_ATTEMPTS = 5;

function requireKey(key: Buffer): void {
  if (key.length < 16) throw new RempartError('CONFIG_INVALID', 'The server key must be at least 16 bytes long.');
}

/** How we compare email addresses: trimmed, lower case (as the people_email_idx index on lower(btrim(email))). */
export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** A uniformly random 6-digit code, from the CSPRNG. */
export function newIdentityCode(): string {
  return String(randomInt(0, 1_000_000)).padStart(6, '0');
}

/**
 * The stored form of a code: HMAC-SHA256 keyed by the server key and bound to the request,
 * so a database reader can neither replay the code on another request nor, without the
 * key, try the million codes offline (GDPR Art. 32).
 */
export function hashIdentityCode(requestId: string, code: string, key: Buffer): string {
  requireKey(key);
  return createHmac('sha256', key).update(`rights_requests.code\0${requestId}\0${code}`, 'utf8').digest('hex');
}

/** Compares a typed code with the stored hash in constant time. */
export function codeMatches(requestId: string, code: string, storedHash: string, key: Buffer): boolean {
  const typed = Buffer.from(hashIdentityCode(requestId, code.trim(), key), 'hex');
  const stored = Buffer.from(storedHash, 'hex');
  return typed.length === stored.length && timingSafeEqual(typed, stored);
}

/**
 * The keyed hash a closed request keeps of the person's identifiers (their normalised
 * email): given the same address and the server key, the dpo can show that a request
 * was handled; without them, nothing re-identifies the person (GDPR Art. 5(1)(c),(e);
 * Recital 26: pseudonymised, hence still kept only as long as the policy's
 * `closed_requests` retention says).
 */
export function subjectHash(email: string, key: Buffer): string {
  requireKey(key);
  return createHmac('sha256', key).update(`rights_requests.subject\0${normaliseEmail(email)}`, 'utf8').digest('hex');
}
