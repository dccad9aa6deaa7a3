import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** RFC 6238 §4: time steps of 30 seconds from the Unix epoch. */
export const TOTP_PERIOD_SECONDS = 30;
/** Six digits, what every authenticator app shows by default. */
export const TOTP_DIGITS = 6;
/** RFC 6238 §5.2: accept one step either side, for clock drift and typing time. */
export const TOTP_WINDOW = 1;
/** RFC 4226 §4 R6: a shared secret of at least 128 bits; 160 is recommended. */
export const TOTP_SECRET_BYTES = 20;

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** RFC 4648 base32 without padding, the encoding authenticator apps expect for the secret. */
export function base32Encode(bytes: Uint8Array): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
  return out;
}

/** Decodes RFC 4648 base32 (case, spaces and padding ignored); throws on other characters. */
export function base32Decode(text: string): Buffer {
  const clean = text.toUpperCase().replace(/[\s=]/g, '');
  const out: number[] = [];
  let bits = 0;
  let value = 0;
  for (const ch of clean) {
    const index = BASE32.indexOf(ch);
    if (index < 0) throw new Error('not base32');
    value = ((value << 5) | index) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

/** A new random TOTP secret, base32. */
export function generateTotpSecret(): string {
  return base32Encode(randomBytes(TOTP_SECRET_BYTES));
}

/** The RFC 6238 time step that contains `now`. */
export function totpStep(now: Date, period = TOTP_PERIOD_SECONDS): number {
  return Math.floor(now.getTime() / 1000 / period);
}

/** RFC 4226 HOTP (HMAC-SHA-1, dynamic truncation) of `counter`, zero-padded to `digits`. */
export function hotp(secret: Uint8Array, counter: number, digits = TOTP_DIGITS): string {
  const message = Buffer.alloc(8);
  message.writeBigUInt64BE(BigInt(counter));
  const mac = createHmac('sha1', secret).update(message).digest();
  const offset = (mac[mac.length - 1] ?? 0) & 0x0f;
  const binary = mac.readUInt32BE(offset) & 0x7fffffff;
  return (binary % 10 ** digits).toString().padStart(digits, '0');
}

/** The RFC 6238 code for `now`. */
export function totpCode(secret: Uint8Array, now: Date, digits = TOTP_DIGITS): string {
  return hotp(secret, totpStep(now), digits);
}

/**
 * The time step whose code is `code`, looking `TOTP_WINDOW` steps either side of
 * `now`, or null. Every candidate is computed and compared in constant time so the
 * answer's timing says nothing about which step matched. The caller refuses a step
 * already used (RFC 6238 §5.2: a code is valid once).
 */
export function matchTotp(secret: Uint8Array, code: string, now: Date): number | null {
  if (!/^\d{6}$/.test(code)) return null;
  const given = Buffer.from(code);
  const current = totpStep(now);
  let matched: number | null = null;
  for (let step = current - TOTP_WINDOW; step <= current + TOTP_WINDOW; step++) {
    const equal = timingSafeEqual(Buffer.from(hotp(secret, step)), given);
    if (equal && matched === null) matched = step;
  }
  return matched;
}

/**
 * The `otpauth://` URI an authenticator app reads from a QR code (Google Authenticator
 * key-URI format): issuer, account, secret, SHA1, 6 digits, 30 seconds.
 */
export function otpauthUri(secretBase32: string, accountName: string, issuer = 'Rempart'): string {
  const label = `${encodeURIComponent(issuer)}:${encodeURIComponent(accountName)}`;
  const params = new URLSearchParams({
    secret: secretBase32,
    issuer,
    algorithm: 'SHA1',
    digits: String(TOTP_DIGITS),
    period: String(TOTP_PERIOD_SECONDS),
  });
  return `otpauth://totp/${label}?${params.toString()}`;
}
