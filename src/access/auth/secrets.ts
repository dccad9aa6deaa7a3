import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** A random secret of `bytes` bytes, base64url (no padding), from the OS CSPRNG. */
export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

/**
 * Hex SHA-256 of a high-entropy secret (session, CSRF and API tokens, recovery codes).
 * A fast hash is enough for 128+ bit random values: there is nothing to brute-force,
 * unlike passwords, which get argon2id (password.ts).
 */
export function sha256Hex(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

/** Compares two hex digests in constant time (no early exit that would leak a prefix). */
export function digestsEqual(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && x.length > 0 && timingSafeEqual(x, y);
}

/**
 * The CSRF token of a session, derived from its cookie token: the page can ask for it
 * again after a reload (GET /session) without the server keeping it in clear, and a
 * third party, which cannot read the HttpOnly cookie, cannot compute it.
 */
export function csrfTokenFor(sessionToken: string): string {
  return createHmac('sha256', sessionToken).update('rempart csrf v1').digest('base64url');
}
