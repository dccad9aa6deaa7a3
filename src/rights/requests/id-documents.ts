import { mkdir, unlink, writeFile } from 'node:fs/promises';
import { isAbsolute, join, normalize, sep } from 'node:path';
import { RempartError } from '../../errors.js';
import { ID_DOCUMENTS_STORE } from '../../mail/index.js';
import type { RequestDeps } from './context.js';
import { loadRequest } from './load.js';

/** The largest ID document accepted (a phone photo or a scanned PDF). */
export const MAX_ID_DOCUMENT_BYTES = 10 * 1024 * 1024;

const STATES_OPEN_TO_DOUBT = new Set(['identity_pending', 'in_progress', 'extended']);

/** The kinds of file accepted, by their first bytes, with the extension they get. */
function kindOf(content: Buffer): string | null {
  if (content.subarray(0, 5).toString('latin1') === '%PDF-') return 'pdf';
  if (content[0] === 0xff && content[1] === 0xd8 && content[2] === 0xff) return 'jpg';
  if (content.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'png';
  return null;
}

function dataDirOf(deps: RequestDeps): string {
  if (deps.dataDir === undefined) throw new RempartError('CONFIG_INVALID', 'ID documents need a data directory; none was given to the request commands.');
  return deps.dataDir;
}

/**
 * Records that the dpo has a real doubt about who made a request, and why (GDPR Art.
 * 12(6): "reasonable doubts concerning the identity"). Only then may an ID document be
 * asked for and uploaded: asking everyone for one would collect more than needed
 * (Art. 5(1)(c); CNIL guidance on the rights of access).
 */
export async function recordDoubt(deps: RequestDeps, id: string, reason: string): Promise<void> {
  const why = reason.trim();
  if (why === '') throw new RempartError('VALIDATION_FAILED', 'Say what the doubt is.', { details: [{ field: 'reason', message: 'is required' }] });
  const row = await loadRequest(deps.db, id);
  if (!STATES_OPEN_TO_DOUBT.has(row.state)) throw new RempartError('CONFLICT', `The request is ${row.state}; a doubt can only be recorded while it is open.`);
  await deps.db.updateTable('rightsRequests').set({ doubtReason: why }).where('id', '=', id).execute();
}

/**
 * Stores the ID document of a request whose identity is in doubt, under
 * `<dataDir>/uploads/id-documents/<request id>.<ext>`, mode 0600 (Art. 32). Refused
 * unless the dpo recorded a doubt first. The file is deleted when the request closes.
 */
export async function attachIdDocument(deps: RequestDeps, id: string, content: Buffer): Promise<void> {
  const row = await loadRequest(deps.db, id);
  if (row.doubtReason === null) {
    throw new RempartError('CONFLICT', 'An ID document is accepted only once the dpo has recorded a real doubt about the identity (GDPR Art. 12(6)).');
  }
  if (!STATES_OPEN_TO_DOUBT.has(row.state)) throw new RempartError('CONFLICT', `The request is ${row.state}; it no longer takes documents.`);
  if (content.length === 0 || content.length > MAX_ID_DOCUMENT_BYTES) {
    throw new RempartError('VALIDATION_FAILED', `The ID document must hold between 1 byte and ${MAX_ID_DOCUMENT_BYTES} bytes.`, { details: [{ field: 'content', message: 'wrong size' }] });
  }
  const ext = kindOf(content);
  if (ext === null) {
    throw new RempartError('UNSUPPORTED_MEDIA_TYPE', 'The ID document must be a PDF, JPEG or PNG file.', { details: [{ field: 'content', message: 'not a PDF, JPEG or PNG' }] });
  }
  const dataDir = dataDirOf(deps);
  const dir = join(dataDir, ...ID_DOCUMENTS_STORE.path.split('/'));
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const relative = `${ID_DOCUMENTS_STORE.path}/${row.id}.${ext}`;
  // A replaced document goes first; one document per request.
  if (row.idDocumentPath !== null && row.idDocumentPath !== relative) await deleteIdDocument(dataDir, row.idDocumentPath);
  await writeFile(join(dataDir, ...relative.split('/')), content, { mode: 0o600 });
  await deps.db.updateTable('rightsRequests').set({ idDocumentPath: relative }).where('id', '=', id).execute();
}

/**
 * Deletes an ID document (when its request closes: Art. 5(1)(e)). Only paths inside the
 * ID-documents folder are touched, whatever the column says. A file already gone is fine.
 */
export async function deleteIdDocument(dataDir: string, relativePath: string): Promise<void> {
  const rel = normalize(relativePath);
  const root = normalize(ID_DOCUMENTS_STORE.path.split('/').join(sep)) + sep;
  if (isAbsolute(rel) || !rel.startsWith(root) || rel.includes(`..${sep}`)) {
    throw new RempartError('INTERNAL', 'An ID document path points outside the ID-documents folder.');
  }
  try {
    await unlink(join(dataDir, rel));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
}
