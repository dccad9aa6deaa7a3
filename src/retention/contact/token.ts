import { createHash, createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';

/**
 * The token of the one-click links of a re-permission message: opaque and signed. It
 * carries only the random id of the request row (a UUID) and a MAC under a key derived
 * from the server key for this use alone, never an email or a name (no personal data in
 * URLs). The database keeps only its SHA-256, so a copy of the database mints no links.
 */

const MAC_BYTES = 16;

function macKey(serverKey: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', serverKey, Buffer.alloc(0), 'rempart repermission v1', 32));
}

/** The token of a request id. */
export function signRepermissionToken(serverKey: Buffer, requestId: string): string {
  const hex = requestId.replace(/-/g, '');
  if (!/^[0-9a-f]{32}$/i.test(hex)) throw new TypeError('not a UUID');
  const body = Buffer.from(hex, 'hex');
  const mac = createHmac('sha256', macKey(serverKey)).update(body).digest().subarray(0, MAC_BYTES);
  return Buffer.concat([body, mac]).toString('base64url');
}

/** The request id a token stands for; null when it is malformed, altered or signed with another key. */
export function verifyRepermissionToken(serverKey: Buffer, token: string): string | null {
  if (!/^[A-Za-z0-9_-]{40,50}$/.test(token)) return null;
  const raw = Buffer.from(token, 'base64url');
  if (raw.length !== 16 + MAC_BYTES) return null;
  const body = raw.subarray(0, 16);
  const expected = createHmac('sha256', macKey(serverKey)).update(body).digest().subarray(0, MAC_BYTES);
  if (!timingSafeEqual(raw.subarray(16), expected)) return null;
  const h = body.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** What the database keeps of a token. */
export function tokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
