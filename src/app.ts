import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import fastifySwagger from '@fastify/swagger';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import Type from 'typebox';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyRequest } from 'fastify';
import type { AuditDurability } from './access/audit/index.js';
import type { AuthCacheOptions } from './access/auth/auth-cache.js';
import { authPlugin, requireActor, SESSION_COOKIE, type AuthLimits } from './access/auth/index.js';
import type { GateSession } from './access/gate.js';
import { accessRoutes } from './access/routes.js';
import { createAccessRuntime } from './access/runtime.js';
import { crmRoutes } from './crm/routes.js';
import { noticeRoutes } from './documents/routes.js';
import { oversightRoutes } from './oversight/routes.js';
import { portalRoutes } from './rights/portal/routes.js';
import { consentRoutes } from './consent/routes.js';
import { campaignRoutes } from './prospecting/campaigns/routes.js';
import { prospectingRoutes } from './prospecting/import/routes.js';
import { repermissionRoutes } from './retention/contact/routes.js';
import { createMailer, type Mailer } from './mail/index.js';
import { rightsExecutor } from './rights/executor.js';
import { navigationRoutes } from './access/navigation.js';
import { rightsRequestRoutes, type RequestRouteLimits, type RightExecutor } from './rights/requests/index.js';
import { defaultPublicUrl } from './config.js';
import { RempartError } from './errors.js';
import { ping, type Store } from './db/database.js';
import { errorHandler } from './http/error-handler.js';
import { loadShedding } from './http/load-shedding.js';
import { publicCssRoute } from './http/public-layout.js';
import { registerSecurityHeaders } from './http/security-headers.js';
import { registerInputLimits } from './http/input-limits.js';
import { withRedactedRequests } from './http/log-redaction.js';
import { fastifyTrustProxy, type TrustProxy } from './http/trust-proxy.js';
import { validatorCompiler } from './http/validation.js';
import { completeOpenApiOperations } from './http/openapi.js';
import { ErrorResponse } from './http/schemas.js';
import type { LoadedPolicy } from './policy/index.js';

/** What the app is built from; it never reads the environment itself. */
export interface AppOptions {
  readonly store: Store;
  readonly policy: LoadedPolicy;
  readonly logger?: FastifyServerOptions['logger'];
  /** The clock; tests pass a fixed one. */
  readonly now?: () => Date;
  /** Where the built web app is; default dist/web beside the code. */
  readonly webRoot?: string;
  /**
   * The server key (src/access/server-key.ts): keyed identifier hashes and the TOTP
   * secret box. Default: a random key for this app's lifetime (tests).
   */
  readonly serverKey?: Buffer;
  /** Sign-in rate limits (tests tighten or loosen them). */
  readonly authLimits?: Partial<AuthLimits>;
  /** Outgoing mail; default: .eml files in a temporary outbox (tests). */
  readonly mailer?: Mailer;
  /** The data dir (ID documents of rights requests live under it). */
  readonly dataDir?: string;
  /** Carries out an answered rights request; default: src/rights/executor.ts over this app's store. */
  readonly rightsExecutor?: RightExecutor;
  /**
   * The server as the people concerned reach it, the base of every mailed link (opt-out,
   * consent withdrawal): `Config.publicUrl`. Default: `defaultPublicUrl()` (tests).
   */
  readonly publicUrl?: string;
  /** Reverse proxies believed for the client address and protocol (`Config.trustProxy`); default none. */
  readonly trustProxy?: TrustProxy;
  /**
   * Reads' audit events and connection-log entries (src/access/audit/writer.ts): the
   * server passes its config's (default `batched`); buildApp's own default is `strict`,
   * so a test sees the trail the moment an answer arrives.
   */
  readonly auditDurability?: AuditDurability;
  /** Token and session lookups from memory (src/access/auth/auth-cache.ts); default on, `false` reads the database per request. */
  readonly authCache?: AuthCacheOptions | false;
  /** Requests served at once before new ones get 429 + Retry-After (src/http/load-shedding.ts); default unlimited. */
  readonly maxInFlight?: number;
  /** Limits of the public rights routes (requests opened and codes tried per client and per address); defaults in src/rights/requests/routes.ts. */
  readonly requestLimits?: Partial<RequestRouteLimits>;
}

/** Largest accepted JSON body. */
export const BODY_LIMIT = 1024 * 1024;

const DEFAULT_WEB_ROOT = fileURLToPath(new URL('../dist/web/', import.meta.url));

/**
 * Builds the HTTP application without listening (Fastify's testing guide): tests call
 * `app.inject()`, and main.ts listens.
 */
export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    // Tokens in one-click URLs and query values never reach a log line (src/http/log-redaction.ts).
    logger: withRedactedRequests(options.logger),
    bodyLimit: BODY_LIMIT,
    // Behind a TLS proxy, request.ip and request.protocol come from its X-Forwarded-*
    // headers, and only from it: Secure cookies, HSTS and per-client limits depend on them.
    trustProxy: fastifyTrustProxy(options.trustProxy),
    // Ids and cursors are the only things in our URLs; never personal data.
    routerOptions: { maxParamLength: 200 },
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setErrorHandler(errorHandler);
  registerSecurityHeaders(app);
  registerInputLimits(app);
  app.addSchema(ErrorResponse);
  completeOpenApiOperations(app, ErrorResponse);
  // First hook of all: a shed request costs no authentication nor database call.
  if (options.maxInFlight !== undefined) loadShedding(app, options.maxInFlight);

  const now = options.now ?? (() => new Date());
  const db = options.store.db;
  const access = createAccessRuntime({
    db,
    policy: options.policy,
    now,
    durability: options.auditDurability ?? 'strict',
    // A batched flush that fails is retried. Only the error's name and code reach the log: a
    // database error's detail may quote the row.
    onError: (e: unknown) => app.log.error({ err: { name: (e as Error).name, code: (e as { code?: unknown }).code } }, 'audit writer: flush failed'),
  });
  const serverKey = options.serverKey ?? randomBytes(32);
  const publicUrl = options.publicUrl ?? defaultPublicUrl();
  app.addHook('onClose', async () => access.close());
  app.decorate('rempartDb', db);

  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Rempart API',
        version: '1',
        description: `Client-data platform with the GDPR built in. Policy ${options.policy.version.shortHash} (effective ${options.policy.version.effectiveDate}).`,
      },
      components: {
        securitySchemes: {
          session: { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE, description: 'Set by POST /api/v1/session; writes also send the x-csrf-token header.' },
          token: { type: 'http', scheme: 'bearer', description: 'An API token (rmp_…) from `rempart token create`.' },
        },
      },
      security: [{ session: [] }, { token: [] }],
    },
  });

  app.get(
    '/healthz',
    {
      schema: {
        tags: ['Operations'],
        summary: 'Liveness and database check',
        response: {
          200: Type.Object({ status: Type.Literal('ok'), database: Type.Union([Type.Literal('pglite'), Type.Literal('postgres')]) }),
          503: ErrorResponse,
        },
      },
    },
    async () => {
      await ping(options.store.db);
      return { status: 'ok' as const, database: options.store.engine };
    },
  );

  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  // The public pages' one stylesheet (notice, one-click links, portal): same origin, no inline style.
  publicCssRoute(app);
  await app.register(noticeRoutes, { policy: options.policy, ...(options.dataDir ? { dataDir: options.dataDir } : {}) });

  await app.register(authPlugin, {
    db,
    policy: options.policy,
    now,
    identifierKey: serverKey,
    ...(options.authLimits ? { limits: options.authLimits } : {}),
    // P1.7 entries and reads' audit events share the one group-committing writer.
    connectionLog: (rows) => access.auditWriter.appendConnections(rows),
    deferredConnectionLog: { append: (rows) => access.auditWriter.appendConnections(rows, { defer: true }), flush: () => access.auditWriter.kick() },
    cache: options.authCache ?? {},
  });

  // Every data route: an actor is required (401), then the gate decides (403) and audits.
  const session = (req: FastifyRequest): GateSession => {
    if (!req.actor) throw new RempartError('UNAUTHENTICATED', 'Sign in first.');
    return access.gate.for(req.actor);
  };
  // Rights requests: the public routes (open, verify) need no account; the plugin
  // guards its staff routes itself, so it sits outside the requireActor scope below.
  const dataDir = options.dataDir ?? join(tmpdir(), `rempart-${process.pid}`);
  const mailer = options.mailer ?? createMailer({ outboxDir: join(dataDir, 'outbox') });
  // One engine of the rights: the dpo's answers and the privacy portal's both go through it.
  const executor =
    options.rightsExecutor ??
    rightsExecutor({ db, policy: options.policy, now, serverKey, gate: access.gate, audit: access.audit, ...(options.dataDir ? { dataDir: options.dataDir } : {}) });
  await app.register(consentRoutes, { deps: { db, policy: options.policy, now, mailer, serverKey, fetch: globalThis.fetch, publicUrl }, session });
  await app.register(rightsRequestRoutes, {
    prefix: '/api/v1',
    deps: { db, policy: options.policy, now, mailer, serverKey, dataDir, publicUrl },
    session,
    policy: options.policy,
    executor,
    ...(options.requestLimits ? { limits: options.requestLimits } : {}),
  });

  await app.register(
    async (api) => {
      api.addHook('preHandler', requireActor);
      await api.register(crmRoutes, { session });
      await api.register(accessRoutes, { session });
      await api.register(navigationRoutes, { policy: options.policy });
      await api.register(oversightRoutes, { db, policy: options.policy, now, session, ...(options.dataDir ? { dataDir: options.dataDir } : {}) });
      await api.register(prospectingRoutes, { session, policy: options.policy, serverKey, now, dataDir });
    },
    { prefix: '/api/v1' },
  );

  await app.register(campaignRoutes, { session, db, policy: options.policy, now, mailer, serverKey, publicUrl });
  await app.register(repermissionRoutes, { db, policy: options.policy, now, serverKey });
  await app.register((await import('./retention/routes.js')).archiveRoutes, { prefix: '/api/v1', db, policy: options.policy, now });

  // Training as a processor (issue 19): engagements, the platforms' webhook and LRS, the close.
  await app.register((await import('./training/routes.js')).trainingRoutes, {
    prefix: '/api/v1/engagements',
    deps: { db, now, serverKey, publicUrl },
    gate: access.gate,
    session,
    dataDir,
  });

  const webRoot = options.webRoot ?? DEFAULT_WEB_ROOT;
  if (existsSync(webRoot)) {
    await app.register(fastifyStatic, { root: webRoot, prefix: '/', wildcard: false });
  }
  // The privacy portal (issue 15): its own page, never the staff sign-in.
  await app.register(portalRoutes, {
    policy: options.policy,
    webRoot,
    deps: { db, policy: options.policy, now, mailer, serverKey, dataDir, publicUrl, gate: access.gate, audit: access.audit, executor, fetch: globalThis.fetch },
    // Opening a space checks a code: the same per-client bound as the verify route.
    ...(options.requestLimits?.verifyPerIp === undefined ? {} : { sessionsPerIp: options.requestLimits.verifyPerIp }),
  });
  app.setNotFoundHandler((req, reply) => {
    // The web app is a single page: unknown non-API paths get its index.
    if (req.method === 'GET' && !req.url.startsWith('/api/') && existsSync(webRoot)) {
      return reply.type('text/html').sendFile('index.html', webRoot);
    }
    return reply.status(404).send({ error: { code: 'NOT_FOUND', message: 'No such route.', details: [] } });
  });

  return app;
}
