import type { FastifyInstance } from 'fastify';

/**
 * Security headers on every answer (GDPR Art. 32: security of processing; issue 20 item 7).
 *
 * - `Content-Security-Policy` on every answer: pages load scripts only from this origin
 *   (the web app's bundle), no plugin, no base rewriting; `frame-ancestors 'none'` so no
 *   other site can frame the back office or the portal (clickjacking). Styles allow
 *   `'unsafe-inline'`: the generated documents (notice, access export, consent proof) carry
 *   their stylesheet inline so that they stand alone when saved. Non-HTML answers get
 *   `default-src 'none'`: a JSON or CSV answer opened as a page runs nothing.
 * - `X-Frame-Options: DENY` for browsers that ignore `frame-ancestors`; `nosniff` so a CSV
 *   or JSON is never run as script; `Referrer-Policy: no-referrer` since one-click links
 *   (`/u/:token`, `/consent/withdraw/:token`) carry a token that must not leak to the
 *   next site; `Cross-Origin-Opener-Policy` and `Permissions-Policy` for the rest.
 * - `Strict-Transport-Security` only on HTTPS (directly, or through a trusted proxy's
 *   `X-Forwarded-Proto`): sent over HTTP it would be ignored, or lock out a local set-up.
 * - `Cache-Control: no-store` on every answer that did not set its own (static assets do):
 *   API answers, one-click pages and documents may hold personal data, which no browser
 *   or proxy cache should keep.
 */
export const PAGE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

export const DATA_CSP = "default-src 'none'; frame-ancestors 'none'";

/** Answers that are data, never a page. */
const DATA_TYPES = /^(application\/(json|zip|pdf|octet-stream|ld\+json)|text\/(csv|plain|calendar))/;

export function securityHeaders(app: FastifyInstance): void {
  app.addHook('onSend', async (req, reply, payload) => {
    // A file sent by @fastify/static has no content type yet at this point (the SPA's
    // index.html among them): only answers known to be data get the no-script policy.
    const type = String(reply.getHeader('content-type') ?? '');
    reply.header('content-security-policy', DATA_TYPES.test(type) ? DATA_CSP : PAGE_CSP);
    reply.header('x-content-type-options', 'nosniff');
    reply.header('x-frame-options', 'DENY');
    reply.header('referrer-policy', 'no-referrer');
    reply.header('cross-origin-opener-policy', 'same-origin');
    reply.header('permissions-policy', 'camera=(), microphone=(), geolocation=(), interest-cohort=()');
    if (req.protocol === 'https') reply.header('strict-transport-security', 'max-age=31536000; includeSubDomains');
    if (reply.getHeader('cache-control') === undefined) reply.header('cache-control', 'no-store');
    return payload;
  });
}
