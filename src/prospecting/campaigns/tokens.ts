import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';

/**
 * The tokens in the links of a message: opaque and signed, carrying only the random id
 * of the solicitation (a UUID), what the link does and which link it is, never an email
 * or a name (no personal data in URLs). The HMAC key is derived from the server key
 * under a label of its own, so a token cannot be forged or reused for anything else.
 */

/** What a link does: `u` one-click opt-out (RFC 8058), `c` a tracked click, `o` the open pixel. */
export type TokenAction = 'u' | 'c' | 'o';

/** What a valid token says. */
export interface TokenPayload {
  readonly action: TokenAction;
  readonly solicitationId: string;
  /** For `c`: the index of the link in the campaign's list. */
  readonly link: number;
}

const ACTIONS: readonly TokenAction[] = ['u', 'c', 'o'];
const MAC_BYTES = 16;

function macKey(serverKey: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', serverKey, Buffer.alloc(0), 'rempart campaign-links v1', 32));
}

function uuidBytes(id: string): Buffer {
  const hex = id.replace(/-/g, '');
  if (!/^[0-9a-f]{32}$/i.test(hex)) throw new TypeError('not a UUID');
  return Buffer.from(hex, 'hex');
}

function uuidText(bytes: Buffer): string {
  const h = bytes.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** Signs a token: base64url of the 16-byte id, the action, the link index and a 128-bit MAC. */
export function signToken(serverKey: Buffer, payload: TokenPayload): string {
  if (!Number.isInteger(payload.link) || payload.link < 0 || payload.link > 255) throw new RangeError('link index out of range');
  const body = Buffer.concat([uuidBytes(payload.solicitationId), Buffer.from([ACTIONS.indexOf(payload.action), payload.link])]);
  const mac = createHmac('sha256', macKey(serverKey)).update(body).digest().subarray(0, MAC_BYTES);
  return Buffer.concat([body, mac]).toString('base64url');
}

/** Verifies a token; null when it is malformed, altered or signed with another key. */
export function verifyToken(serverKey: Buffer, token: string): TokenPayload | null {
  if (!/^[A-Za-z0-9_-]{40,60}$/.test(token)) return null;
  const raw = Buffer.from(token, 'base64url');
  if (raw.length !== 18 + MAC_BYTES) return null;
  const body = raw.subarray(0, 18);
  const mac = raw.subarray(18);
  const expected = createHmac('sha256', macKey(serverKey)).update(body).digest().subarray(0, MAC_BYTES);
  if (!timingSafeEqual(mac, expected)) return null;
  const action = ACTIONS[body[16] ?? 255];
  if (action === undefined) return null;
  return { action, solicitationId: uuidText(body.subarray(0, 16)), link: body[17] ?? 0 };
}
