import { createHmac, hkdfSync } from 'node:crypto';

/** An email lowered and trimmed: the form the opposition list hashes (R-PROS-3). */
export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

/**
 * A phone number as E.164 (`+33612345678`), or null when it cannot be one. French
 * national numbers (`06 12 34 56 78`) get +33, the company's home country; `00` is the
 * international prefix.
 */
export function normalisePhone(phone: string): string | null {
  const compact = phone.trim().replace(/[\s.\-()/]/g, '');
  let digits: string;
  if (compact.startsWith('+')) digits = compact.slice(1);
  else if (compact.startsWith('00')) digits = compact.slice(2);
  else if (/^0\d{9}$/.test(compact)) digits = `33${compact.slice(1)}`;
  else digits = compact;
  // E.164: at most 15 digits, the country code never starts with 0.
  return /^[1-9]\d{6,14}$/.test(digits) ? `+${digits}` : null;
}

type Kind = 'email' | 'phone';

/**
 * The derived keys, per server key. Deriving (HKDF) cost ~68 µs a call, the campaign
 * guard's main cost when it hashes every person of a page: derived once per key instead.
 * Keyed by the Buffer's identity, with a copy of its bytes checked on every use, so a
 * key mutated in place is never answered with the old key's hashes.
 */
const derived = new WeakMap<Buffer, { readonly bytes: Buffer; readonly keys: Readonly<Record<Kind, Buffer>> }>();

function derivedKey(serverKey: Buffer, kind: Kind): Buffer {
  const hit = derived.get(serverKey);
  if (hit !== undefined && hit.bytes.equals(serverKey)) return hit.keys[kind];
  const derive = (k: Kind): Buffer => Buffer.from(hkdfSync('sha256', serverKey, Buffer.alloc(0), `rempart opposition-list ${k} v1`, 32));
  const entry = { bytes: Buffer.from(serverKey), keys: { email: derive('email'), phone: derive('phone') } };
  derived.set(serverKey, entry);
  return entry.keys[kind];
}

/**
 * The keyed hash of a normalised identifier. The key is derived from the server key
 * under a label of its own, so these hashes cannot be joined with the connection
 * log's (R-PROS-3: the list can serve no other purpose).
 */
export function oppositionHash(serverKey: Buffer, kind: Kind, normalised: string): string {
  return createHmac('sha256', derivedKey(serverKey, kind)).update(normalised, 'utf8').digest('hex');
}
