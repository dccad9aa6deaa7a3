import { createHash } from 'node:crypto';
import { strToU8, unzipSync, zipSync, type Zippable } from 'fflate';
import type { ExportPolicyVersion } from './access-export.js';

/** One file of an export archive. */
export interface ArchiveFile {
  readonly name: string;
  readonly content: string | Uint8Array;
}

/** The manifest of an export archive: what it holds, with digests, so the person can check nothing was altered. */
export interface ExportManifest {
  readonly kind: 'access' | 'portability';
  readonly generatedAt: string;
  readonly policyVersion: ExportPolicyVersion;
  readonly files: readonly { readonly name: string; readonly bytes: number; readonly sha256: string }[];
}

/** The name of the manifest inside every export archive. */
export const MANIFEST_FILE = 'manifest.json';

/**
 * Packs the files and their manifest (sizes and SHA-256 digests) into one ZIP. File
 * times are the export's own time, so the same export always packs to the same bytes.
 */
export function packArchive(
  files: readonly ArchiveFile[],
  meta: { readonly kind: ExportManifest['kind']; readonly generatedAt: string; readonly policyVersion: ExportPolicyVersion },
): Buffer {
  const bytes = files.map((f) => ({ name: f.name, data: typeof f.content === 'string' ? strToU8(f.content) : f.content }));
  const manifest: ExportManifest = {
    kind: meta.kind,
    generatedAt: meta.generatedAt,
    policyVersion: meta.policyVersion,
    files: bytes.map((f) => ({ name: f.name, bytes: f.data.byteLength, sha256: createHash('sha256').update(f.data).digest('hex') })),
  };
  // ZIP stores DOS times, which start in 1980.
  const mtime = new Date(Math.max(Date.parse(meta.generatedAt), Date.UTC(1980, 0, 2)));
  const entries: Zippable = {};
  for (const f of [...bytes, { name: MANIFEST_FILE, data: strToU8(`${JSON.stringify(manifest, null, 2)}\n`) }]) {
    entries[f.name] = [f.data, { mtime, level: 6 }];
  }
  return Buffer.from(zipSync(entries));
}

/** Opens an export archive: its files by name (for tests and for checking an answer before it is sent). */
export function unpackArchive(zip: Uint8Array): Readonly<Record<string, Uint8Array>> {
  return unzipSync(zip);
}
