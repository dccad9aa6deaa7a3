import { generateKeyPairSync } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AUDIT_KEY_ENV, auditKeyFile, loadAuditKey, loadOrCreateAuditKey } from './keys.js';

const dirs: string[] = [];
const tempDir = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'rempart-keys-'));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const pem = (key: ReturnType<typeof generateKeyPairSync>['privateKey']) => key.export({ type: 'pkcs8', format: 'pem' }).toString();

describe('audit signing key', () => {
  it('is created on first use in <data-dir>/keys with mode 0600, then reused', () => {
    const dataDir = tempDir();
    expect(loadAuditKey({ dataDir, env: {} })).toBeNull();
    const key = loadOrCreateAuditKey({ dataDir, env: {} });
    expect(key.asymmetricKeyType).toBe('ed25519');
    if (process.platform !== 'win32') expect(statSync(auditKeyFile(dataDir)).mode & 0o777).toBe(0o600);
    const again = loadOrCreateAuditKey({ dataDir, env: {} });
    expect(pem(again)).toBe(pem(key));
  });

  it('comes from REMPART_AUDIT_SIGNING_KEY first, even written on one line', () => {
    const dataDir = tempDir();
    const { privateKey } = generateKeyPairSync('ed25519');
    const env = { [AUDIT_KEY_ENV]: pem(privateKey).replaceAll('\n', '\\n') };
    expect(pem(loadOrCreateAuditKey({ dataDir, env }))).toBe(pem(privateKey));
    expect(loadAuditKey({ dataDir, env: {} })).toBeNull();
  });

  it('refuses a key that is not Ed25519, not a key, or readable by others', () => {
    const dataDir = tempDir();
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    expect(() => loadAuditKey({ dataDir, env: { [AUDIT_KEY_ENV]: pem(rsa) } })).toThrow(/Ed25519/);
    expect(() => loadAuditKey({ dataDir, env: { [AUDIT_KEY_ENV]: 'nope' } })).toThrow(/PKCS#8/);
    if (process.platform !== 'win32') {
      loadOrCreateAuditKey({ dataDir, env: {} });
      chmodSync(auditKeyFile(dataDir), 0o644);
      expect(() => loadAuditKey({ dataDir, env: {} })).toThrow(/chmod 600/);
    }
  });
});
