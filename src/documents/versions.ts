/**
 * Versions of the notice and the register (D3). A version is the policy's: the SHA-256
 * of the policy file and its effective date (src/policy/load-policy.ts). Any change to
 * the file is a new version, so any change of the notice or the register is one too.
 *
 * Old versions stay readable as snapshots: the exact policy text, one file per version,
 * in a folder (`<data dir>/policy-versions/<effectiveDate>_<hash>.yaml`). The server
 * records the version it serves when it starts (GET /notice plugin); `rempart notice
 * publish` records one by hand. A snapshot re-hashes to its name, so it cannot be edited
 * unseen.
 */
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { RempartError } from '../errors.js';
import { parsePolicy, type LoadedPolicy } from '../policy/index.js';

/** The notice version a consent or a request records (D3). */
export interface NoticeVersion {
  /** SHA-256 of the policy file, hex: store this. */
  readonly hash: string;
  readonly shortHash: string;
  readonly effectiveDate: string;
}

/**
 * The notice version in force under `policy`: what a consent or a rights request must
 * record (D3). `hash` is the same value requests store in `notice_version`.
 */
export function noticeVersion(policy: LoadedPolicy): NoticeVersion {
  return { hash: policy.version.hash, shortHash: policy.version.shortHash, effectiveDate: policy.version.effectiveDate };
}

/** One stored version. */
export interface StoredVersion extends NoticeVersion {
  readonly file: string;
}

/** The folder of snapshots under a data dir. */
export function versionsDir(dataDir: string): string {
  return join(dataDir, 'policy-versions');
}

const NAME = /^(\d{4}-\d{2}-\d{2})_([0-9a-f]{64})\.yaml$/;

/** Every stored version, oldest effective date first (then by hash). */
export async function listVersions(dir: string): Promise<readonly StoredVersion[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  return names
    .flatMap((n) => {
      const m = NAME.exec(n);
      return m?.[1] && m[2] ? [{ effectiveDate: m[1], hash: m[2], shortHash: m[2].slice(0, 12), file: join(dir, n) }] : [];
    })
    .sort((a, b) => a.effectiveDate.localeCompare(b.effectiveDate) || a.hash.localeCompare(b.hash));
}

/** The outcome of recording a version. */
export interface RecordedVersion {
  readonly version: StoredVersion;
  /** False when this exact version was already stored. */
  readonly created: boolean;
}

/**
 * Stores the policy text as a version snapshot (idempotent). `text` must be the text
 * `policy` was parsed from: its hash must match, or nothing is written.
 */
export async function recordVersion(dir: string, policy: LoadedPolicy, text: string): Promise<RecordedVersion> {
  const hash = createHash('sha256').update(text, 'utf8').digest('hex');
  if (hash !== policy.version.hash) {
    throw new RempartError('CONFLICT', `policy ${policy.file} changed on disk since it was loaded; restart to publish the new version`);
  }
  const name = `${policy.version.effectiveDate}_${hash}.yaml`;
  const file = join(dir, name);
  const version = { ...noticeVersion(policy), file };
  const existing = await listVersions(dir);
  if (existing.some((v) => v.hash === hash)) return { version, created: false };
  await mkdir(dir, { recursive: true });
  // Write then rename: a crash never leaves a half-written snapshot under a version's name.
  const tmp = join(dir, `.${name}.${process.pid}.tmp`);
  await writeFile(tmp, text, { encoding: 'utf8', flag: 'wx' });
  await rename(tmp, file);
  return { version, created: true };
}

/** Reads a stored version back, checking that its text still hashes to its name. */
export async function readVersion(stored: StoredVersion): Promise<LoadedPolicy> {
  const text = await readFile(stored.file, 'utf8');
  const policy = parsePolicy(text, stored.file);
  if (policy.version.hash !== stored.hash) {
    throw new RempartError('CONFLICT', `version snapshot ${stored.file} was altered: its content no longer matches its hash`);
  }
  return policy;
}

/** Finds a stored version by hash prefix (at least 4 hex digits); NOT_FOUND or CONFLICT when none or several match. */
export async function findVersion(dir: string, prefix: string): Promise<StoredVersion> {
  const p = prefix.toLowerCase();
  if (!/^[0-9a-f]{4,64}$/.test(p)) {
    throw new RempartError('VALIDATION_FAILED', `"${prefix}" is neither a policy file nor a version hash prefix (at least 4 hex digits)`);
  }
  const matches = (await listVersions(dir)).filter((v) => v.hash.startsWith(p));
  if (matches.length === 0) throw new RempartError('NOT_FOUND', `no stored policy version starts with ${p} in ${dir}`);
  if (matches.length > 1) {
    throw new RempartError('CONFLICT', `${p} matches ${matches.length} stored versions (${matches.map((m) => m.shortHash).join(', ')}); give more digits`);
  }
  const [found] = matches;
  if (!found) throw new RempartError('NOT_FOUND', `no stored policy version starts with ${p}`);
  return found;
}
