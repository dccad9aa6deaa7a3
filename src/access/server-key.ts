import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RempartError } from '../errors.js';

/** The environment variable holding the server key (base64, at least 32 bytes); it wins over the file. */
export const SERVER_KEY_ENV = 'REMPART_SERVER_KEY';

/**
 * The server key: keyed hashes of identifiers in the connection log (no clear email of
 * a failed login is kept) and, through HKDF, the box that seals TOTP secrets (GDPR
 * Art. 32). `REMPART_SERVER_KEY` (base64), else `<dataDir>/keys/server.key`, created
 * (32 random bytes, mode 0600) on first use. Instances sharing a PostgreSQL server must
 * share it: set the variable.
 */
export function loadOrCreateServerKey(dataDir: string, env: NodeJS.ProcessEnv = process.env): Buffer {
  const fromEnv = env[SERVER_KEY_ENV];
  if (fromEnv !== undefined && fromEnv.trim() !== '') {
    const key = Buffer.from(fromEnv.trim(), 'base64');
    if (key.length < 32) throw new RempartError('CONFIG_INVALID', `${SERVER_KEY_ENV} must hold at least 32 bytes, base64-encoded.`);
    return key;
  }
  const dir = join(dataDir, 'keys');
  const file = join(dir, 'server.key');
  if (existsSync(file)) {
    if (process.platform !== 'win32' && (statSync(file).mode & 0o077) !== 0) {
      throw new RempartError('CONFIG_INVALID', `${file} is readable by other users; restrict it with chmod 600.`);
    }
    return Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
  }
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const key = randomBytes(32);
  try {
    writeFileSync(file, key.toString('base64'), { mode: 0o600, flag: 'wx' });
    return key;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    return Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
  }
}
