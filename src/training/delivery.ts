import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { RempartError } from '../errors.js';
import { checkPushUrl } from '../rights/export/push.js';

/** Where the client asked its package to be uploaded. */
export interface UploadTarget {
  /** The client's endpoint: https (http on loopback only), outside private ranges unless the config allows them. */
  readonly url: string;
  /** PUT (default: the URL names the object, as pre-signed storage URLs do) or POST. */
  readonly method?: 'PUT' | 'POST';
  /** Milliseconds before giving up (default 10 minutes: packages can be large). */
  readonly timeoutMs?: number;
}

/** The header that carries the package's SHA-256, which the client checks against the certificate. */
export const PACKAGE_SHA256_HEADER = 'x-rempart-package-sha256';

/** Refuses an upload URL that is not https or points into our own network (SSRF), naming the field. */
export function checkUploadUrl(url: string): URL {
  try {
    return checkPushUrl(url);
  } catch (e) {
    if (e instanceof RempartError) throw new RempartError(e.code, e.message, { details: e.details.map((d) => ({ ...d, field: 'uploadUrl' })), cause: e });
    throw e;
  }
}

/**
 * Uploads the restitution package to the client's URL (issue 19 item 8), streamed from the
 * file, with its SHA-256 in a header. Redirects are not followed (they could lead off TLS
 * or into our own network). Only a 2xx answer counts as delivered; anything else throws,
 * and the close stops before destroying anything.
 */
export async function uploadPackage(path: string, sha256: string, bytes: number, target: UploadTarget): Promise<void> {
  const url = checkUploadUrl(target.url);
  let status: number;
  try {
    const init = {
      method: target.method ?? 'PUT',
      body: Readable.toWeb(createReadStream(path)) as ReadableStream<Uint8Array>,
      duplex: 'half',
      redirect: 'manual',
      signal: AbortSignal.timeout(target.timeoutMs ?? 600_000),
      headers: { 'content-type': 'application/zip', [PACKAGE_SHA256_HEADER]: sha256, 'x-rempart-package-bytes': String(bytes) },
    } as RequestInit;
    const res = await fetch(url, init);
    await res.arrayBuffer().catch(() => undefined);
    status = res.status;
  } catch (e) {
    const timedOut = e instanceof Error && (e.name === 'TimeoutError' || e.name === 'AbortError');
    throw new RempartError('CONFLICT', `The package could not be uploaded to the client's URL (${timedOut ? 'timed out' : 'unreachable'}); nothing was destroyed, close again to retry.`, {
      details: [{ field: 'uploadUrl', message: timedOut ? 'timed out' : 'unreachable' }],
      cause: e,
    });
  }
  if (status < 200 || status >= 300) {
    throw new RempartError('CONFLICT', `The client's URL answered HTTP ${status} to the package upload; nothing was destroyed, close again to retry.`, {
      details: [{ field: 'uploadUrl', message: `answered HTTP ${status}` }],
    });
  }
}
