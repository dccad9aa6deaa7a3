import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FILE_STORES } from '../../mail/file-stores.js';

/** Every file of the file stores (src/mail/file-stores.ts) under the data dir, recursively. */
export async function fileStoreFiles(dataDir: string): Promise<{ store: string; path: string }[]> {
  const out: { store: string; path: string }[] = [];
  for (const store of FILE_STORES) {
    for (const path of await walk(join(dataDir, ...store.path.split('/')))) out.push({ store: store.id, path });
  }
  return out;
}

async function walk(dir: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  const files: string[] = [];
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory()) files.push(...(await walk(p)));
    else if (e.isFile()) files.push(p);
  }
  return files;
}

/**
 * A file's text as searched: raw, and with quoted-printable soft breaks and escapes
 * undone (RFC 2045 §6.7), since mail bodies in the outbox are often so encoded.
 */
export async function searchableText(path: string): Promise<string> {
  const raw = (await readFile(path)).toString('utf8');
  const qp = raw.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
  return `${raw}\n${Buffer.from(qp, 'latin1').toString('utf8')}`.toLowerCase();
}
