import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { Unzip, UnzipInflate } from 'fflate';

/** What the check of a restitution package found. */
export type PackageCheck =
  | { readonly ok: true; readonly sha256: string; readonly bytes: number; readonly entries: number }
  | { readonly ok: false; readonly reason: string };

interface ManifestFile {
  readonly name: string;
  readonly sha256: string;
  readonly bytes: number;
}

/**
 * Checks a restitution package before anything is destroyed (issue 19 item 8; Art.
 * 28(3)(g)): the ZIP is read back as a stream, every entry inflated and hashed, and each
 * one must match the SHA-256 and size the manifest gives it, with no entry missing and
 * none unlisted. The archive's own SHA-256 is computed on the same pass. Memory stays flat:
 * only the manifest is held whole.
 */
export async function checkPackage(path: string): Promise<PackageCheck> {
  const whole = createHash('sha256');
  let bytes = 0;
  const seen = new Map<string, { sha256: string; bytes: number }>();
  let manifestText = '';
  let failure: string | null = null;
  const unzip = new Unzip();
  unzip.register(UnzipInflate);
  unzip.onfile = (file) => {
    const hash: Hash = createHash('sha256');
    let size = 0;
    const isManifest = file.name === 'manifest.json';
    const chunks: Uint8Array[] = [];
    file.ondata = (err, data, final) => {
      if (err) {
        failure = `entry ${file.name} does not inflate (${err.message})`;
        return;
      }
      hash.update(data);
      size += data.length;
      if (isManifest) chunks.push(data);
      if (final) {
        if (seen.has(file.name)) failure = `entry ${file.name} appears twice`;
        seen.set(file.name, { sha256: hash.digest('hex'), bytes: size });
        if (isManifest) manifestText = Buffer.concat(chunks).toString('utf8');
      }
    };
    file.start();
  };
  try {
    for await (const chunk of createReadStream(path)) {
      const b = chunk as Buffer;
      whole.update(b);
      bytes += b.length;
      unzip.push(b, false);
      if (failure !== null) return { ok: false, reason: failure };
    }
    unzip.push(new Uint8Array(0), true);
  } catch (e) {
    return { ok: false, reason: `the archive does not read (${e instanceof Error ? e.message : String(e)})` };
  }
  if (failure !== null) return { ok: false, reason: failure };
  if (!seen.has('manifest.json')) return { ok: false, reason: 'the archive has no manifest.json' };
  let files: readonly ManifestFile[];
  try {
    files = (JSON.parse(manifestText) as { files: ManifestFile[] }).files;
    if (!Array.isArray(files)) throw new Error('no files');
  } catch {
    return { ok: false, reason: 'manifest.json does not parse' };
  }
  for (const f of files) {
    const got = seen.get(f.name);
    if (!got) return { ok: false, reason: `entry ${f.name} listed in the manifest is missing` };
    if (got.sha256 !== f.sha256 || got.bytes !== f.bytes) return { ok: false, reason: `entry ${f.name} does not match its SHA-256 in the manifest` };
  }
  const listed = new Set(files.map((f) => f.name));
  const extra = [...seen.keys()].find((n) => n !== 'manifest.json' && !listed.has(n));
  if (extra !== undefined) return { ok: false, reason: `entry ${extra} is not in the manifest` };
  return { ok: true, sha256: whole.digest('hex'), bytes, entries: seen.size };
}
