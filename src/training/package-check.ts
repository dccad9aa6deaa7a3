import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { Inflate } from 'fflate';

/** What the check of a restitution package found. */
export type PackageCheck =
  | { readonly ok: true; readonly sha256: string; readonly bytes: number; readonly entries: number }
  | { readonly ok: false; readonly reason: string };

interface ManifestFile {
  readonly name: string;
  readonly sha256: string;
  readonly bytes: number;
}

interface Entry {
  readonly name: string;
  readonly method: number;
  readonly compressedSize: number;
  readonly size: number;
  readonly headerOffset: number;
}

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

async function readAt(fh: FileHandle, position: number, length: number): Promise<Buffer> {
  const buf = Buffer.alloc(length);
  const { bytesRead } = await fh.read(buf, 0, length, position);
  return buf.subarray(0, bytesRead);
}

/** The entries of a ZIP, from its central directory (APPNOTE 4.3.12, 4.3.16). */
async function centralDirectory(fh: FileHandle, size: number): Promise<Entry[] | string> {
  const tailLength = Math.min(size, 22 + 65_535);
  const tail = await readAt(fh, size - tailLength, tailLength);
  let at = -1;
  for (let i = tail.length - 22; i >= 0; i--) {
    if (tail.readUInt32LE(i) === EOCD) {
      at = i;
      break;
    }
  }
  if (at < 0) return 'the archive has no central directory';
  const count = tail.readUInt16LE(at + 10);
  const cdSize = tail.readUInt32LE(at + 12);
  const cdOffset = tail.readUInt32LE(at + 16);
  if (count === 0xffff || cdOffset === 0xffffffff) return 'ZIP64 archives are not read here';
  const cd = await readAt(fh, cdOffset, cdSize);
  const entries: Entry[] = [];
  let p = 0;
  for (let k = 0; k < count; k++) {
    if (p + 46 > cd.length || cd.readUInt32LE(p) !== CENTRAL) return 'the central directory is damaged';
    const nameLength = cd.readUInt16LE(p + 28);
    entries.push({
      method: cd.readUInt16LE(p + 10),
      compressedSize: cd.readUInt32LE(p + 20),
      size: cd.readUInt32LE(p + 24),
      headerOffset: cd.readUInt32LE(p + 42),
      name: cd.toString('utf8', p + 46, p + 46 + nameLength),
    });
    p += 46 + nameLength + cd.readUInt16LE(p + 30) + cd.readUInt16LE(p + 32);
  }
  return entries;
}

/** Inflates one entry from its byte range and hashes it; the manifest's text is kept. */
async function hashEntry(path: string, fh: FileHandle, e: Entry): Promise<{ sha256: string; bytes: number; text?: string } | string> {
  const local = await readAt(fh, e.headerOffset, 30);
  if (local.length < 30 || local.readUInt32LE(0) !== LOCAL) return `entry ${e.name} has no local header`;
  const start = e.headerOffset + 30 + local.readUInt16LE(26) + local.readUInt16LE(28);
  const hash = createHash('sha256');
  let bytes = 0;
  const keep: Uint8Array[] = [];
  const take = (data: Uint8Array): void => {
    hash.update(data);
    bytes += data.length;
    if (e.name === 'manifest.json') keep.push(data);
  };
  if (e.method !== 0 && e.method !== 8) return `entry ${e.name} uses an unknown compression method`;
  try {
    const inflate = e.method === 8 ? new Inflate((data) => take(data)) : null;
    if (e.compressedSize > 0) {
      for await (const chunk of createReadStream(path, { start, end: start + e.compressedSize - 1 })) {
        if (inflate) inflate.push(chunk as Buffer, false);
        else take(chunk as Buffer);
      }
    }
    inflate?.push(new Uint8Array(0), true);
  } catch (err) {
    return `entry ${e.name} does not inflate (${err instanceof Error ? err.message : String(err)})`;
  }
  // Sizes are 32-bit in a ZIP without ZIP64.
  if (bytes % 2 ** 32 !== e.size) return `entry ${e.name} does not have the size its header gives`;
  return { sha256: hash.digest('hex'), bytes, ...(e.name === 'manifest.json' ? { text: Buffer.concat(keep).toString('utf8') } : {}) };
}

/**
 * Checks a restitution package before anything is destroyed (issue 19 item 8; Art.
 * 28(3)(g)): every entry found through the central directory (as unzip tools do; a
 * streaming reader that looks for signatures inside the data can cut an entry short),
 * inflated from its own byte range and hashed, must match the SHA-256 and size the
 * manifest gives it, with no entry missing and none unlisted; then the archive's own
 * SHA-256. Memory stays flat: only the manifest is held whole.
 */
export async function checkPackage(path: string): Promise<PackageCheck> {
  let fh: FileHandle;
  try {
    fh = await open(path, 'r');
  } catch {
    return { ok: false, reason: 'the archive cannot be opened' };
  }
  try {
    const { size } = await fh.stat();
    const entries = await centralDirectory(fh, size);
    if (typeof entries === 'string') return { ok: false, reason: entries };
    const seen = new Map<string, { sha256: string; bytes: number }>();
    let manifestText: string | null = null;
    for (const e of entries) {
      if (seen.has(e.name)) return { ok: false, reason: `entry ${e.name} appears twice` };
      const got = await hashEntry(path, fh, e);
      if (typeof got === 'string') return { ok: false, reason: got };
      seen.set(e.name, got);
      if (got.text !== undefined) manifestText = got.text;
    }
    if (manifestText === null) return { ok: false, reason: 'the archive has no manifest.json' };
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
    const whole = createHash('sha256');
    for await (const chunk of createReadStream(path)) whole.update(chunk as Buffer);
    return { ok: true, sha256: whole.digest('hex'), bytes: size, entries: seen.size };
  } finally {
    await fh.close();
  }
}
