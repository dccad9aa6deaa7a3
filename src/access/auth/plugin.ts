import fastifyCookie from '@fastify/cookie';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { RempartError } from '../../errors.js';
import { AuthCache, type AuthCacheOptions } from './auth-cache.js';
import { authContext, logConnection, type ConnectionLogSink } from './context.js';
import { needsSecondFactor } from './login.js';
import { prepareDecoyHash } from './password.js';
import { SlidingWindowLimiter } from './rate-limit.js';
import type { RolesPolicy } from './role-scope.js';
import { sessionRoutes } from './routes.js';
import { csrfMatches, lookupSession } from './sessions.js';
import { lookupToken } from './tokens.js';
import { CSRF_HEADER, SESSION_COOKIE, clientOf, tokenActor, userActor, type AuthRuntime } from './request-auth.js';

/** Rate limits of the sign-in routes, per sliding window. */
export interface AuthLimits {
  /** Sign-in attempts per source IP (default 10 a minute). */
  readonly loginPerIp: number;
  /** Sign-in and code attempts per account or attempted email (default 10 a minute). */
  readonly perAccount: number;
  readonly windowMs: number;
}

const DEFAULT_LIMITS: AuthLimits = Object.freeze({ loginPerIp: 10, perAccount: 10, windowMs: 60_000 });

/** Options of authPlugin, given by buildApp. */
export interface AuthPluginOptions {
  readonly db: Kysely<Database>;
  readonly policy: RolesPolicy;
  readonly now: () => Date;
  /** The server key (at least 32 bytes): keyed hashes in the connection log and, via HKDF, the TOTP secret box. */
  readonly identifierKey: Buffer;
  /** The service named in the connection log (default `api`). */
  readonly service?: string;
  readonly limits?: Partial<AuthLimits>;
  /** Where connection-log rows go (the app's batched writer); default one insert each, awaited. */
  readonly connectionLog?: ConnectionLogSink;
  /**
   * The token-use entry of a request, written without starting a commit of its own: it
   * joins the request's next group commit (its audit event's), and `flush` starts one
   * when the answer is ready. Default: connectionLog.
   */
  readonly deferredConnectionLog?: { readonly append: ConnectionLogSink; readonly flush: () => void };
  /** Serve token and session lookups from memory (auth-cache.ts); default off (each request reads the database). */
  readonly cache?: AuthCacheOptions | false;
}

const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

function bearerOf(header: string | undefined): string | undefined {
  const match = header === undefined ? null : /^Bearer\s+(\S*)\s*$/i.exec(header);
  return match === null ? undefined : (match[1] ?? '');
}

const LOGGED = Symbol('rempart.connectionLogged');
type WithLog = FastifyRequest & { [LOGGED]?: Promise<unknown> };

async function authenticate(
  rt: AuthRuntime,
  cache: AuthCache | undefined,
  deferred: AuthPluginOptions['deferredConnectionLog'],
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<void> {
  const { ctx } = rt;
  const at = ctx.now();
  const bearer = bearerOf(request.headers.authorization);
  if (bearer !== undefined) {
    // A bearer token is sent on purpose by a program, never added by a browser on its
    // own: such requests need no CSRF token, and the cookie (if any) is not looked at.
    const found = await lookupToken(ctx.db, bearer, at, cache);
    const fields = {
      event: 'token',
      accountId: found.status === 'active' ? found.token.id : found.tokenId,
      outcome: found.status === 'active' ? 'success' : 'failure',
      reason: found.status === 'active' ? null : found.status,
    } as const;
    const logged = found.status === 'active' && deferred ? logConnection({ ...ctx, connectionLog: deferred.append }, clientOf(request), at, fields) : logConnection(ctx, clientOf(request), at, fields);
    if (found.status !== 'active') {
      await logged;
      return;
    }
    // The entry is written beside the request, not before it: the onSend hook waits
    // for it, so no answer leaves before its token use is as durable as the sink
    // promises (strict: committed; P1.7), and the read itself is not held up.
    (request as WithLog)[LOGGED] = logged.then(
      () => null,
      (e: unknown) => e,
    );
    request.actor = tokenActor(found.token);
    return;
  }

  const cookie = request.cookies[SESSION_COOKIE];
  if (cookie === undefined || cookie === '') return;
  const found = await lookupSession(ctx.db, cookie, at, cache);
  if (found.status !== 'active') {
    if (found.status === 'expired') {
      await logConnection(ctx, clientOf(request), at, { event: 'session_expired', accountId: found.accountId, outcome: 'failure', reason: 'expired' });
    }
    rt.clearSessionCookie(request, reply);
    return;
  }
  const { session } = found;
  const { account } = session;
  const mfaPassed = session.mfaPassed || !needsSecondFactor(ctx.policy, account);
  request.authSession = Object.freeze({
    id: session.id,
    accountId: account.id,
    email: account.email,
    role: account.role,
    scopeOrganisationId: account.scopeOrganisationId,
    totpEnabled: account.totpEnabled,
    mfaPassed,
  });
  // A session that has not passed the second factor acts as nobody: it can only reach
  // the TOTP routes, which read authSession (GDPR Art. 32 for the roles marked `mfa`).
  if (mfaPassed) request.actor = userActor(account);

  // The browser adds the cookie to any request, even one forged by another site: a
  // write must also prove it read the CSRF token, which only our pages can.
  if (UNSAFE_METHODS.has(request.method) && request.routeOptions.config.csrfExempt !== true) {
    const header = request.headers[CSRF_HEADER];
    if (!csrfMatches(session, typeof header === 'string' ? header : undefined)) {
      throw new RempartError('FORBIDDEN', `This request needs the ${CSRF_HEADER} header given at sign-in.`, {
        details: [{ field: CSRF_HEADER, message: 'is missing or does not match the session' }],
      });
    }
  }
}

async function authPluginImpl(app: FastifyInstance, options: AuthPluginOptions): Promise<void> {
  const ctx = authContext(options);
  const cache = options.cache === undefined || options.cache === false ? undefined : new AuthCache(options.db, options.cache);
  const limits: AuthLimits = { ...DEFAULT_LIMITS, ...options.limits };
  const rt: AuthRuntime = {
    ctx,
    ...(cache ? { cache } : {}),
    ipLimiter: new SlidingWindowLimiter(limits.loginPerIp, limits.windowMs),
    accountLimiter: new SlidingWindowLimiter(limits.perAccount, limits.windowMs),
    setSessionCookie(request, reply, token) {
      // No Max-Age: the cookie goes when the browser closes; the server ends the
      // session anyway after 30 idle minutes or 12 hours.
      void reply.setCookie(SESSION_COOKIE, token, { httpOnly: true, sameSite: 'strict', path: '/', secure: request.protocol === 'https' });
    },
    clearSessionCookie(request, reply) {
      void reply.clearCookie(SESSION_COOKIE, { httpOnly: true, sameSite: 'strict', path: '/', secure: request.protocol === 'https' });
    },
  };

  await prepareDecoyHash();
  if (!app.hasRequestDecorator('cookies')) await app.register(fastifyCookie);
  app.decorateRequest('actor', null);
  app.decorateRequest('authSession', null);
  const deferred = options.deferredConnectionLog;
  app.addHook('onRequest', async (request, reply) => authenticate(rt, cache, deferred, request, reply));
  app.addHook('onSend', async (request, _reply, payload) => {
    const pending = (request as WithLog)[LOGGED];
    if (pending !== undefined) {
      deferred?.flush();
      const failed = await pending;
      if (failed !== null) throw failed;
    }
    return payload;
  });
  if (cache) {
    await cache.start();
    app.addHook('onClose', async () => cache.stop());
  }
  await app.register(sessionRoutes, { prefix: '/api/v1', rt });
}

/**
 * Authentication for the whole app (fastify-plugin, so it applies to every route):
 * resolves `request.actor` from the session cookie or `Authorization: Bearer`, enforces
 * CSRF on cookie-authenticated writes, logs every token use and session expiry (P1.7),
 * and serves /api/v1/session. Register it before the routes it protects.
 */
export const authPlugin = fp(authPluginImpl, { name: 'rempart-auth', fastify: '5.x' });
