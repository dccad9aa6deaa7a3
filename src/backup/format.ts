import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes, type CipherGCM } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { RempartError } from '../errors.js';

/**
 * The backup file (GDPR Art. 32(1)(b)–(c): confidentiality, and the ability to restore):
 *
 *   "RMPBAK01" (8 bytes) | IV (12 bytes) | AES-256-GCM( gzip( NDJSON lines ) ) | GCM tag (16 bytes)
 *
 * The lines are, in order: for each table a `{"table": …, "columns": […]}` line then one
 * line per row (the row as PostgreSQL's `row_to_json` writes it), and last an `{"end": …}`
 * line holding the manifest (tables, row counts, a SHA-256 per table's lines). The key is
 * derived from the server key under a label of its own: a stolen backup without the
 * server key reads as noise, and the tag makes any changed byte fail the restore before
 * the target is touched.
 */

export const MAGIC = Buffer.from('RMPBAK01', 'ascii');
const IV_BYTES = 12;
const TAG_BYTES = 16;
export const FORMAT = 'rempart-backup/1';

/** What a backup holds, written last inside it and beside it (`FILE.manifest.json`). No personal data: names and counts. */
export interface BackupManifest {
  readonly format: typeof FORMAT;
  readonly createdAt: string;
  readonly engine: 'pglite' | 'postgres';
  /** The migrations applied to the database backed up, in order. */
  readonly migrations: readonly string[];
  readonly tables: readonly { readonly name: string; readonly rows: number; readonly sha256: string }[];
}

/** A parsed line of the plaintext stream. */
export type BackupLine =
  | { readonly kind: 'table'; readonly name: string; readonly columns: readonly string[] }
  | { readonly kind: 'row'; readonly json: string }
  | { readonly kind: 'end'; readonly manifest: BackupManifest };

export function backupKey(serverKey: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', serverKey, Buffer.alloc(0), 'rempart backup v1', 32));
}

/** A cipher for a new backup, and the header to write before its output. */
export function newCipher(serverKey: Buffer): { header: Buffer; cipher: CipherGCM } {
  const iv = randomBytes(IV_BYTES);
  return { header: Buffer.concat([MAGIC, iv]), cipher: createCipheriv('aes-256-gcm', backupKey(serverKey), iv) };
}

function corrupt(file: string, why: string): RempartError {
  return new RempartError('VALIDATION_FAILED', `${file} is not a usable Rempart backup: ${why}. Nothing was restored.`, {
    details: [{ field: 'FILE', message: why }],
  });
}

/**
 * Reads a backup's lines, decrypting and decompressing as it streams. The GCM tag is
 * checked at the end of the stream: a caller that must not act on unverified data reads
 * the file once to the end (`verifyBackup`) before reading it again to apply it.
 */
export async function* readBackupLines(file: string, serverKey: Buffer): AsyncGenerator<BackupLine> {
  const size = (await stat(file)).size;
  if (size < MAGIC.length + IV_BYTES + TAG_BYTES) throw corrupt(file, 'the file is too short');
  const fh = await open(file, 'r');
  const head = Buffer.alloc(MAGIC.length + IV_BYTES);
  const tag = Buffer.alloc(TAG_BYTES);
  try {
    await fh.read(head, 0, head.length, 0);
    await fh.read(tag, 0, TAG_BYTES, size - TAG_BYTES);
  } finally {
    await fh.close();
  }
  if (!head.subarray(0, MAGIC.length).equals(MAGIC)) throw corrupt(file, 'it does not start with the backup header');
  const decipher = createDecipheriv('aes-256-gcm', backupKey(serverKey), head.subarray(MAGIC.length));
  decipher.setAuthTag(tag);
  const body = createReadStream(file, { start: head.length, end: size - TAG_BYTES - 1 });
  const plain = body.pipe(decipher).pipe(createGunzip());
  const lines = createInterface({ input: plain as Readable, crlfDelay: Infinity });
  const failure = new Promise<never>((_, reject) => {
    const fail = (): void => reject(corrupt(file, 'it was changed, truncated, or encrypted under another server key'));
    decipher.once('error', fail);
    plain.once('error', fail);
  });
  failure.catch(() => undefined);
  const it = lines[Symbol.asyncIterator]();
  let sawEnd = false;
  for (;;) {
    const next = await Promise.race([it.next(), failure]);
    if (next.done) break;
    const line = next.value;
    if (line === '') continue;
    if (line.startsWith('{"table":')) {
      const v = JSON.parse(line) as { table: string; columns: string[] };
      yield { kind: 'table', name: v.table, columns: v.columns };
    } else if (line.startsWith('{"end":')) {
      sawEnd = true;
      yield { kind: 'end', manifest: (JSON.parse(line) as { end: BackupManifest }).end };
    } else {
      yield { kind: 'row', json: line };
    }
  }
  // The tag is checked when the decipher ends: wait for it, or for its failure.
  await Promise.race([new Promise<void>((resolve) => (plain.readableEnded ? resolve() : plain.once('end', () => resolve()))), failure]);
  if (!sawEnd) throw corrupt(file, 'its end marker is missing');
}

/**
 * Reads the whole backup and checks it: the GCM tag (no byte changed), and each table's
 * row count and SHA-256 against the manifest. Returns the manifest.
 */
export async function verifyBackup(file: string, serverKey: Buffer): Promise<BackupManifest> {
  const seen = new Map<string, { rows: number; hash: ReturnType<typeof createHash> }>();
  let current: { rows: number; hash: ReturnType<typeof createHash> } | undefined;
  let manifest: BackupManifest | undefined;
  for await (const line of readBackupLines(file, serverKey)) {
    if (line.kind === 'table') {
      current = { rows: 0, hash: createHash('sha256') };
      seen.set(line.name, current);
    } else if (line.kind === 'row') {
      if (!current) throw corrupt(file, 'a row comes before any table');
      current.rows++;
      current.hash.update(line.json).update('\n');
    } else {
      manifest = line.manifest;
    }
  }
  if (!manifest || manifest.format !== FORMAT) throw corrupt(file, `its format is not ${FORMAT}`);
  for (const t of manifest.tables) {
    const s = seen.get(t.name);
    if (!s || s.rows !== t.rows || s.hash.digest('hex') !== t.sha256) throw corrupt(file, `table ${t.name} does not match its manifest`);
  }
  if (seen.size !== manifest.tables.length) throw corrupt(file, 'it holds a table its manifest does not list');
  return manifest;
}
