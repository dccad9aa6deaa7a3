/**
 * What authentication adds to a Fastify request (`actor`, `authSession`), the cookie and
 * header names, and the helpers the plugin and the session routes share.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Actor } from '../actor.js';
import type { AccountRow } from './accounts.js';
import type { AuthCache } from './auth-cache.js';
import type { AuthContext, ClientInfo } from './context.js';
import type { SlidingWindowLimiter } from './rate-limit.js';
import type { TokenRow } from './tokens.js';

/** The session cookie's name. */
export const SESSION_COOKIE = 'rempart_session';
/** The header that carries the CSRF token on cookie-authenticated writes. */
export const CSRF_HEADER = 'x-csrf-token';

/** The browser session behind a request (also set while the second factor is still due). */
export interface AuthSession {
  readonly id: string;
  readonly accountId: string;
  readonly email: string;
  readonly role: string;
  readonly scopeOrganisationId: string | null;
  readonly totpEnabled: boolean;
  /** False while the account must still enrol in or verify TOTP: then `request.actor` is null. */
  readonly mfaPassed: boolean;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Who is asking: from the session cookie or the bearer token; null when nobody (or the second factor is due). */
    actor: Actor | null;
    /** The cookie session, when there is a live one. */
    authSession: AuthSession | null;
  }
  interface FastifyContextConfig {
    /** Set on the login route only: it authenticates by password, not by the cookie. */
    csrfExempt?: boolean;
  }
}

/** What the session routes share with the plugin. */
export interface AuthRuntime {
  readonly ctx: AuthContext;
  /** The token and session cache, when the plugin keeps one: a logout drops its session at once here. */
  readonly cache?: AuthCache;
  readonly ipLimiter: SlidingWindowLimiter;
  readonly accountLimiter: SlidingWindowLimiter;
  /** Sets the session cookie on a reply. */
  setSessionCookie(request: FastifyRequest, reply: FastifyReply, token: string): void;
  clearSessionCookie(request: FastifyRequest, reply: FastifyReply): void;
}

/** Source IP and port and user agent of a request, for the connection log (P1.7). */
export function clientOf(request: FastifyRequest): ClientInfo {
  const ua = request.headers['user-agent'];
  return { sourceIp: request.ip ?? null, sourcePort: request.socket?.remotePort ?? null, userAgent: typeof ua === 'string' ? ua : null };
}

/** The actor of a staff account's session. */
export function userActor(account: Pick<AccountRow, 'id' | 'role' | 'scopeOrganisationId'>): Actor {
  return Object.freeze({ kind: 'user', id: `user:${account.id}`, role: account.role, scopeOrganisationId: account.scopeOrganisationId, accountId: account.id });
}

/** The actor of an API token. */
export function tokenActor(token: Pick<TokenRow, 'id' | 'role' | 'scopeOrganisationId'>): Actor {
  return Object.freeze({ kind: 'token', id: `token:${token.id}`, role: token.role, scopeOrganisationId: token.scopeOrganisationId, accountId: token.id });
}

