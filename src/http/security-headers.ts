import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/**
 * The Content-Security-Policy of every answer. The web app is one same-origin module
 * bundle with its stylesheet; the server-rendered public pages (notice, opt-out, consent
 * withdrawal, re-permission) link the same-origin `/public.css` (src/http/public-layout.ts)
 * and post forms to themselves. No inline script nor inline style anywhere, so both come
 * from this origin only (an injected `<style>` cannot restyle a page to mislead, e.g. hide
 * the withdrawal button); `frame-ancestors 'none'` forbids framing the back office
 * (clickjacking). The one page with an inline style, the printable consent proof, allows
 * exactly that style by its hash (cspAllowingStyle).
 */
const directives = (styleSrc: string): string =>
  [
    "default-src 'self'",
    "script-src 'self'",
    `style-src ${styleSrc}`,
    "img-src 'self' data:",
    "connect-src 'self'",
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');

/** The CSP of every answer (see above). */
export const CONTENT_SECURITY_POLICY = directives("'self'");

/**
 * The CSP of a page that must carry one inline `<style>` (a standalone printable file served
 * as is): that exact style, by its SHA-256 (CSP Level 3 §8.3), and no other. Set it on the
 * reply; the onSend hook leaves a CSP already set.
 */
export function cspAllowingStyle(css: string): string {
  return directives(`'self' 'sha256-${createHash('sha256').update(css, 'utf8').digest('base64')}'`);
}

/** HSTS: one year, sub-domains included; sent only on HTTPS (RFC 6797 §7.2 ignores it on HTTP). */
export const STRICT_TRANSPORT_SECURITY = 'max-age=31536000; includeSubDomains';

/** The headers every answer carries, whatever its route, status or content type. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  // Our URLs carry one-click tokens (/u/:token, /c/:token…): never hand them to another site.
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=()',
});

/** True for the API's answers, which hold personal data or secrets (GDPR Art. 32): never stored by a browser or proxy. */
function isApi(url: string): boolean {
  return url === '/api' || url.startsWith('/api/');
}

/** Sets the security headers on one answer; exported for tests of the rule itself. */
export function applySecurityHeaders(request: FastifyRequest, reply: FastifyReply): void {
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) {
    if (!reply.hasHeader(name)) void reply.header(name, value);
  }
  // request.protocol follows X-Forwarded-Proto only from a trusted proxy (Config.trustProxy).
  if (request.protocol === 'https') void reply.header('strict-transport-security', STRICT_TRANSPORT_SECURITY);
  if (isApi(request.url)) {
    void reply.header('cache-control', 'no-store');
    void reply.header('pragma', 'no-cache');
  }
}

/**
 * Adds the security headers to every answer of `app` (an onSend hook on the root, so
 * routes, 404s, errors and static files alike). Register it before any route.
 */
export function registerSecurityHeaders(app: FastifyInstance): void {
  app.addHook('onSend', async (request, reply, payload) => {
    applySecurityHeaders(request, reply);
    return payload;
  });
}
