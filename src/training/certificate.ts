import { createHmac, createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';

/** A destruction certificate as written to its file: the statement, and its Ed25519 signature. */
export interface SignedCertificate {
  readonly certificate: DestructionCertificate;
  readonly signature: { readonly algorithm: 'Ed25519'; readonly publicKey: string; readonly value: string };
}

/** What a close certifies (Art. 28(3)(g); P4.3). */
export interface DestructionCertificate {
  readonly kind: 'rempart.training.destruction-certificate';
  readonly version: 1;
  readonly engagementId: string;
  readonly clientOrganisationId: string;
  readonly engagementName: string;
  readonly endChoice: string;
  readonly destroyed: Readonly<Record<string, number>>;
  readonly package: { readonly sha256: string; readonly bytes: number };
  /** How the package reached the client: uploaded (to, at), served once by the API, or written as a file for the operator. */
  readonly delivery?: { readonly method: 'file' | 'upload' | 'download'; readonly to: string | null; readonly at: string | null };
  readonly destroyedAt: string;
  readonly destroyedBy: string;
}

// PKCS#8 header of an Ed25519 private key (RFC 8410): followed by the 32-byte seed.
const PKCS8_ED25519 = Buffer.from('302e020100300506032b657004220420', 'hex');

function privateKey(serverKey: Buffer): KeyObject {
  const seed = createHmac('sha256', serverKey).update('rempart:training:certificate-signing').digest();
  return createPrivateKey({ key: Buffer.concat([PKCS8_ED25519, seed]), format: 'der', type: 'pkcs8' });
}

/** The server's certificate-signing public key (SPKI, PEM), published so that clients can pin it. */
export function certificatePublicKeyPem(serverKey: Buffer): string {
  return createPublicKey(privateKey(serverKey)).export({ format: 'pem', type: 'spki' }).toString();
}

/** JSON with sorted keys: the bytes signed do not depend on key order. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o).sort().map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

/** Signs a certificate with the server's key. Ed25519 is deterministic: the same certificate always gets the same signature. */
export function signCertificate(serverKey: Buffer, certificate: DestructionCertificate): SignedCertificate {
  const key = privateKey(serverKey);
  const value = sign(null, Buffer.from(canonicalJson(certificate)), key).toString('base64');
  const publicKey = createPublicKey(key).export({ format: 'der', type: 'spki' }).toString('base64');
  return { certificate, signature: { algorithm: 'Ed25519', publicKey, value } };
}

/** The answer of a verification. */
export type VerifyOutcome = { readonly ok: true; readonly certificate: DestructionCertificate } | { readonly ok: false; readonly reason: string };

/**
 * Checks a certificate file's text offline: it parses, is signed with Ed25519, and the
 * signature holds over its statement; with `pinnedKeyPem`, the key must also be the
 * server's published one (otherwise anyone could sign a forged certificate with a key of theirs).
 */
export function verifyCertificate(text: string, pinnedKeyPem?: string): VerifyOutcome {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return { ok: false, reason: 'the file is not JSON' };
  }
  const d = doc as Partial<SignedCertificate> | null;
  if (!d || typeof d !== 'object' || !d.certificate || typeof d.certificate !== 'object' || !d.signature || typeof d.signature !== 'object') return { ok: false, reason: 'not a destruction certificate (certificate and signature expected)' };
  if (d.certificate.kind !== 'rempart.training.destruction-certificate') return { ok: false, reason: 'not a destruction certificate (unknown kind)' };
  if (d.signature.algorithm !== 'Ed25519' || typeof d.signature.publicKey !== 'string' || typeof d.signature.value !== 'string') return { ok: false, reason: 'the signature is not an Ed25519 signature' };
  let key: KeyObject;
  try {
    key = createPublicKey({ key: Buffer.from(d.signature.publicKey, 'base64'), format: 'der', type: 'spki' });
  } catch {
    return { ok: false, reason: 'the public key does not parse' };
  }
  if (pinnedKeyPem !== undefined) {
    let pinned: KeyObject;
    try {
      pinned = createPublicKey(pinnedKeyPem);
    } catch {
      return { ok: false, reason: 'the pinned key does not parse' };
    }
    if (!pinned.equals(key)) return { ok: false, reason: "the certificate is not signed with the server's published key" };
  }
  const good = verify(null, Buffer.from(canonicalJson(d.certificate)), key, Buffer.from(d.signature.value, 'base64'));
  return good ? { ok: true, certificate: d.certificate } : { ok: false, reason: 'the signature does not match the certificate (it was changed after signing)' };
}
