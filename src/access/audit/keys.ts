import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RempartError } from '../../errors.js';

/** The environment variable holding the audit signing key (PKCS#8 PEM); it wins over the file. */
export const AUDIT_KEY_ENV = 'REMPART_AUDIT_SIGNING_KEY';

/** Where the audit signing key comes from. */
export interface AuditKeySource {
  /** The data dir; the key file is `<dataDir>/keys/audit-signing-key.pem`. */
  readonly dataDir: string;
  readonly env?: NodeJS.ProcessEnv;
}

/** The path of the key file in a data dir. */
export function auditKeyFile(dataDir: string): string {
  return join(dataDir, 'keys', 'audit-signing-key.pem');
}

function parseKey(pem: string, where: string): KeyObject {
  let key: KeyObject;
  try {
    // Environment files often carry a PEM on one line with literal "\n".
    key = createPrivateKey({ key: pem.includes('-----BEGIN') && !pem.includes('\n') ? pem.replaceAll('\\n', '\n') : pem, format: 'pem' });
  } catch (e) {
    throw new RempartError('CONFIG_INVALID', `${where} does not hold a PKCS#8 PEM private key.`, { cause: e });
  }
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new RempartError('CONFIG_INVALID', `${where} holds a ${key.asymmetricKeyType ?? 'non-asymmetric'} key; the audit checkpoints need an Ed25519 key.`);
  }
  return key;
}

function readKeyFile(file: string): KeyObject {
  // Like ssh, refuse a private key others can read: whoever holds it can forge checkpoints (GDPR Art. 32).
  if (process.platform !== 'win32' && (statSync(file).mode & 0o077) !== 0) {
    throw new RempartError('CONFIG_INVALID', `${file} is readable by other users; restrict it with chmod 600.`);
  }
  return parseKey(readFileSync(file, 'utf8'), file);
}

/** The audit signing key from the environment or the data dir, or null when there is none yet. */
export function loadAuditKey(source: AuditKeySource): KeyObject | null {
  const fromEnv = (source.env ?? process.env)[AUDIT_KEY_ENV];
  if (fromEnv !== undefined && fromEnv.trim() !== '') return parseKey(fromEnv, AUDIT_KEY_ENV);
  const file = auditKeyFile(source.dataDir);
  return existsSync(file) ? readKeyFile(file) : null;
}

/**
 * The audit signing key: `REMPART_AUDIT_SIGNING_KEY` (PKCS#8 PEM), else
 * `<dataDir>/keys/audit-signing-key.pem`, created (Ed25519, mode 0600) on first use.
 * Several instances on one PostgreSQL server must share one key: set the variable.
 */
export function loadOrCreateAuditKey(source: AuditKeySource): KeyObject {
  const existing = loadAuditKey(source);
  if (existing) return existing;
  const file = auditKeyFile(source.dataDir);
  mkdirSync(join(source.dataDir, 'keys'), { recursive: true, mode: 0o700 });
  const { privateKey } = generateKeyPairSync('ed25519');
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  try {
    // 'wx': two processes creating the key at once keep the first one's.
    writeFileSync(file, pem, { mode: 0o600, flag: 'wx' });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    return readKeyFile(file);
  }
  return privateKey;
}

/** The public half of a signing key, to verify checkpoints with. */
export function auditPublicKey(signingKey: KeyObject): KeyObject {
  return signingKey.type === 'public' ? signingKey : createPublicKey(signingKey);
}
