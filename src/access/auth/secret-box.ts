import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

const VERSION = 'v1';
const IV_BYTES = 12; // NIST SP 800-38D: 96-bit nonces for GCM

/**
 * Encrypts small secrets (TOTP seeds) with AES-256-GCM, so a copy of the database
 * alone does not give the second factor away (GDPR Art. 32(1)(a), encryption). The key
 * is derived with HKDF from the server key under a label of its own, so the same server
 * key serves other uses (keyed hashes of identifiers) without the two ever meeting.
 */
export class SecretBox {
  private readonly key: Buffer;

  constructor(serverKey: Buffer, label: string) {
    if (serverKey.length < 32) throw new Error('the server key must have at least 32 bytes');
    this.key = Buffer.from(hkdfSync('sha256', serverKey, Buffer.alloc(0), `rempart ${label} ${VERSION}`, 32));
  }

  /**
   * `v1.<iv>.<tag>.<ciphertext>`, base64url. `context` (e.g. the account id) is bound as
   * associated data: a box copied to another row does not open there.
   */
  seal(plaintext: string, context: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [VERSION, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), ct.toString('base64url')].join('.');
  }

  /** The plaintext of a box sealed with the same key and context, or null when it does not open. */
  open(box: string, context: string): string | null {
    const [version, iv, tag, ct] = box.split('.');
    if (version !== VERSION || iv === undefined || tag === undefined || ct === undefined) return null;
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'));
      decipher.setAAD(Buffer.from(context, 'utf8'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(ct, 'base64url')), decipher.final()]).toString('utf8');
    } catch {
      return null;
    }
  }
}
