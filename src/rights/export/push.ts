import { createHmac } from 'node:crypto';
import { RempartError } from '../../errors.js';
import { checkOutgoingUrl } from '../../http/outgoing-url.js';

/** Where and how to send a portability archive to another controller (GDPR Art. 20(2)). */
export interface PushOptions {
  /** The receiving controller's endpoint: https, or http on the loopback address (tests, a local relay). */
  readonly url: string;
  /** The key shared with the receiver, to sign the body (HMAC-SHA256). */
  readonly hmacKey: string | Uint8Array;
  /** Milliseconds before giving up (default 30 s). */
  readonly timeoutMs?: number;
}

/** How a push went: the receiver's HTTP status, or why none came. */
export interface PushResult {
  readonly ok: boolean;
  readonly status: number | null;
  readonly error: string | null;
}

/** The header that carries the body's signature. */
export const SIGNATURE_HEADER = 'x-rempart-signature';

/** `sha256=<hex HMAC-SHA256 of body>`: what the receiver recomputes with the shared key to trust the archive. */
export function portabilitySignature(body: Uint8Array, key: string | Uint8Array): string {
  return `sha256=${createHmac('sha256', key).update(body).digest('hex')}`;
}

/** Loopback addresses, where plain http never leaves the machine. */
const LOOPBACK = new Set(['127.0.0.1', '[::1]']);

/** Checks the receiver's URL: personal data leaves only over TLS (GDPR Art. 32(1)(a)), loopback excepted. */
export function checkPushUrl(url: string): URL {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new RempartError('VALIDATION_FAILED', 'The receiving endpoint is not a valid URL.', { details: [{ field: 'url', message: 'is not a URL' }] });
  }
  const allowed = u.protocol === 'https:' || (u.protocol === 'http:' && LOOPBACK.has(u.hostname));
  if (!allowed) {
    throw new RempartError('VALIDATION_FAILED', 'The receiving endpoint must use https (personal data travels only encrypted).', {
      details: [{ field: 'url', message: 'must be an https URL' }],
    });
  }
  if (u.username !== '' || u.password !== '') {
    throw new RempartError('VALIDATION_FAILED', 'The receiving endpoint URL must not carry credentials.', { details: [{ field: 'url', message: 'has credentials' }] });
  }
  // SSRF: loopback and private ranges only when the config allows them.
  checkOutgoingUrl(url, 'url');
  return u;
}

/**
 * Sends a portability archive straight to another controller (GDPR Art. 20(2)): one
 * POST of the ZIP, signed with HMAC-SHA256 in `x-rempart-signature`. Redirects are not
 * followed (they could lead off TLS or elsewhere); the result reports the status.
 */
export async function pushPortability(zip: Uint8Array, options: PushOptions): Promise<PushResult> {
  const url = checkPushUrl(options.url);
  const body = new Uint8Array(zip);
  try {
    const res = await fetch(url, {
      method: 'POST',
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(options.timeoutMs ?? 30_000),
      headers: {
        'content-type': 'application/zip',
        [SIGNATURE_HEADER]: portabilitySignature(body, options.hmacKey),
      },
    });
    await res.arrayBuffer().catch(() => undefined);
    const ok = res.status >= 200 && res.status < 300;
    return { ok, status: res.status, error: ok ? null : `the receiver answered HTTP ${res.status}` };
  } catch (e) {
    const timedOut = e instanceof Error && (e.name === 'TimeoutError' || e.name === 'AbortError');
    return { ok: false, status: null, error: timedOut ? 'timed out' : `could not reach the receiver (${e instanceof Error ? e.message : String(e)})` };
  }
}
