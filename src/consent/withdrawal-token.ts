import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { isUuid } from '../db/ids.js';

/**
 * The one-click withdrawal link's token (GDPR Art. 7(3)): the consent event id and a
 * truncated HMAC under a key derived from the server key, base64url. Opaque, and it
 * carries no personal data: the URL says nothing of who the person is (P1.6).
 */
const MAC_BYTES = 16;

function macKey(serverKey: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', serverKey, Buffer.alloc(0), 'rempart consent-withdrawal v1', 32));
}

function uuidBytes(id: string): Buffer {
  return Buffer.from(id.replace(/-/g, ''), 'hex');
}

/** The token for the consent event `eventId`. */
export function withdrawalToken(serverKey: Buffer, eventId: string): string {
  const id = uuidBytes(eventId);
  const mac = createHmac('sha256', macKey(serverKey)).update(id).digest().subarray(0, MAC_BYTES);
  return Buffer.concat([id, mac]).toString('base64url');
}

/** The consent event id a token was made for, or null when it is malformed or forged. */
export function readWithdrawalToken(serverKey: Buffer, token: string): string | null {
  if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return null;
  const raw = Buffer.from(token, 'base64url');
  if (raw.length !== 16 + MAC_BYTES) return null;
  const id = raw.subarray(0, 16);
  const expected = createHmac('sha256', macKey(serverKey)).update(id).digest().subarray(0, MAC_BYTES);
  if (!timingSafeEqual(expected, raw.subarray(16))) return null;
  const hex = id.toString('hex');
  const uuid = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  return isUuid(uuid) ? uuid : null;
}
