import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fastifyCookie from '@fastify/cookie';
import Type from 'typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { clientOf } from '../../access/auth/request-auth.js';
import { enforceLimit, SlidingWindowLimiter } from '../../access/auth/rate-limit.js';
import { CONSENT_SCOPES, honourGpc, type ConsentScope } from '../../consent/index.js';
import { RempartError } from '../../errors.js';
import { PUBLIC_BODY_LIMIT, PUBLIC_INPUT_LIMITS } from '../../http/input-limits.js';
import { ErrorResponse } from '../../http/schemas.js';
import type { LoadedPolicy } from '../../policy/index.js';
import { OPPOSITION_CHANNELS, type OppositionChannel } from '../opposition/index.js';
import { MAX_ID_DOCUMENT_BYTES } from '../requests/index.js';
import { REQUEST_LANGUAGES, REQUEST_TYPES, type RequestLanguage } from '../requests/tables.js';
import { closePortalSession, openPortalSession, PORTAL_COOKIE, readPortalSession, type PortalDeps, type PortalSession } from './session.js';
import { portalAttachIdDocument, portalConsent, portalCopy, portalDownload, portalErase, portalErasurePreview, portalObject, portalOverview, portalRectify, portalRestrict } from './space.js';

/** Options of portalRoutes. */
export interface PortalRouteOptions {
  readonly policy: LoadedPolicy;
  /** The person's space: sessions, the engine of the rights, the gate's audit. */
  readonly deps: PortalDeps;
  /** Session openings per client address and window (default 20 per 10 minutes); each request also allows only 5 codes. */
  readonly sessionsPerIp?: number;
  /** The built web app (dist/web), holding portal.html beside the back office's index.html. */
  readonly webRoot: string;
}

const Localized = Type.Object({ fr: Type.String(), en: Type.String() });

/** What the portal's home shows, all of it from the policy (Art. 13(1)(a)-(c), 13(2)(b)(d)). */
export const PortalHome = Type.Object({
  controller: Type.Object({
    name: Type.String(),
    address: Type.Object({ street: Type.String(), postalCode: Type.String(), city: Type.String(), country: Type.String() }),
    email: Type.String(),
    dpoEmail: Type.String(),
  }),
  authority: Type.Object({ name: Type.String(), address: Type.String(), phone: Type.String(), website: Type.String() }),
  purposes: Type.Array(Type.Object({ id: Type.String(), name: Localized, description: Localized, dataCategories: Type.Array(Localized) })),
  rights: Type.Array(Type.String()),
});

/**
 * The privacy portal (issue 15): public, no account. `/portal` serves its own page
 * (web/portal.html), never the back office's sign-in, and `/api/v1/portal/home` says who
 * the controller is and what is held and why, from the policy. The requests themselves go
 * through the existing public routes (POST /api/v1/requests, …/verify).
 */
export async function portalRoutes(app: FastifyInstance, opts: PortalRouteOptions): Promise<void> {
  const { policy, webRoot, deps } = opts;
  const categoryName = new Map(policy.dataCategories.map((c) => [c.id as string, c.label]));

  app.get(
    '/api/v1/portal/home',
    {
      schema: {
        tags: ['Portal'],
        summary: 'What the privacy portal home shows (public): controller, purposes, rights',
        security: [],
        response: { 200: PortalHome },
      },
    },
    async () => ({
      controller: {
        name: policy.controller.name,
        address: { ...policy.controller.address },
        email: policy.controller.email,
        dpoEmail: policy.controller.dpo.email,
      },
      authority: {
        name: policy.supervisoryAuthority.name,
        address: policy.supervisoryAuthority.address,
        phone: policy.supervisoryAuthority.phone,
        website: policy.supervisoryAuthority.website,
      },
      purposes: policy.purposes.map((p) => ({
        id: p.id,
        name: p.name,
        description: p.description,
        dataCategories: p.dataCategories.map((c) => categoryName.get(c) ?? { fr: c, en: c }),
      })),
      rights: [...REQUEST_TYPES],
    }),
  );

  await app.register(async (space) => spaceRoutes(space, deps, opts.sessionsPerIp ?? 20));

  // The page itself; its client routes (/portal/code, …) get the same file.
  const page = join(webRoot, 'portal.html');
  const servePage = async (_req: unknown, reply: FastifyReply) => {
    if (!existsSync(page)) return reply.status(404).send({ error: { code: 'NOT_FOUND', message: 'The portal is not built (npm run build:web).', details: [] } });
    return reply.type('text/html').sendFile('portal.html', webRoot);
  };
  app.get('/portal', { schema: { hide: true } }, servePage);
  app.get('/portal/*', { schema: { hide: true } }, servePage);
}

const tags = ['Portal'];
const Literals = <T extends string>(values: readonly T[]) => Type.Union(values.map((v) => Type.Literal(v)));
const Language = Type.Optional(Literals(REQUEST_LANGUAGES));
const LangQuery = Type.Object({ lang: Language }, { additionalProperties: false });
const Ok = Type.Object({ id: Type.String() });
const spaceErrors = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse, 409: ErrorResponse, 429: ErrorResponse };
const COOKIE_PATH = '/api/v1/portal';

const cookieOf = (req: FastifyRequest): string | undefined => (req.cookies as Record<string, string | undefined> | undefined)?.[PORTAL_COOKIE];

/**
 * Writes to the person's space come from the portal's own page only: the cookie is
 * SameSite=Strict, bodies are JSON (a cross-site form cannot send it without a
 * preflight), and a browser's Origin, when sent, must be this server.
 */
function sameOrigin(req: FastifyRequest): void {
  const origin = req.headers.origin;
  if (req.method === 'GET' || origin === undefined) return;
  let host: string | null;
  try {
    host = new URL(origin).host;
  } catch {
    host = null;
  }
  if (host !== req.host) throw new RempartError('FORBIDDEN', 'Requests to the portal come from its own page.');
}

/**
 * The person's space (issue 15): POST /api/v1/portal/session takes the code and sets an
 * HttpOnly, SameSite=Strict cookie scoped to the portal's API (no token in any URL);
 * the routes under /api/v1/portal/me read it. Each answer is the engine's: the data as
 * the access export shows it, the portability ZIP, corrections through the gate,
 * restriction, objection per channel and consents at once, erasure into the staff queue.
 */
async function spaceRoutes(app: FastifyInstance, deps: PortalDeps, sessionsPerIp: number): Promise<void> {
  if (!app.hasRequestDecorator('cookies')) await app.register(fastifyCookie);
  const limiter = new SlidingWindowLimiter(sessionsPerIp, 10 * 60_000);
  const languageOf = (req: FastifyRequest, session: PortalSession): RequestLanguage => {
    const q = (req.query as { lang?: RequestLanguage } | undefined)?.lang;
    const b = (req.body as { language?: RequestLanguage } | undefined)?.language;
    return b ?? q ?? session.language;
  };
  const sessionOf = (req: FastifyRequest): Promise<PortalSession> => readPortalSession(deps, cookieOf(req));
  const cookieOptions = (req: FastifyRequest) => ({ httpOnly: true, sameSite: 'strict' as const, path: COOKIE_PATH, secure: req.protocol === 'https' });

  app.post(
    '/api/v1/portal/session',
    {
      bodyLimit: PUBLIC_BODY_LIMIT,
      config: { inputLimits: PUBLIC_INPUT_LIMITS },
      schema: {
        tags,
        summary: 'Open the person\'s space with the code received by e-mail (public; sets an HttpOnly cookie)',
        security: [],
        body: Type.Object(
          {
            code: Type.String({ pattern: '^\\s*[0-9]{6}\\s*$' }),
            requestId: Type.Optional(Type.String({ format: 'uuid' })),
            email: Type.Optional(Type.String({ format: 'email', maxLength: 254 })),
            language: Language,
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ expiresAt: Type.String(), language: Literals(REQUEST_LANGUAGES) }), ...spaceErrors },
      },
    },
    async (req, reply) => {
      sameOrigin(req);
      enforceLimit(limiter, req.ip, deps.now(), reply, 'codes from this address');
      const body = req.body as { code: string; requestId?: string; email?: string; language?: RequestLanguage };
      if (body.requestId === undefined && body.email === undefined) {
        throw new RempartError('VALIDATION_FAILED', 'Give the e-mail address the code was sent to.', { details: [{ field: 'email', message: 'is required' }] });
      }
      const { token, session } = await openPortalSession(deps, {
        code: body.code,
        ...(body.requestId === undefined ? {} : { requestId: body.requestId }),
        ...(body.email === undefined ? {} : { email: body.email }),
        ...(body.language === undefined ? {} : { language: body.language }),
        client: { ...clientOf(req), service: 'portal' },
      });
      // Global Privacy Control (GPC section 3; annex art. 1): an identified person whose browser
      // sends the signal objects to the exchange of their file, as on the verify route.
      // Once, at the opening: a consent the person then gives on purpose here stands.
      for (const personId of session.personIds) await honourGpc(deps, personId, req, `Sec-GPC: 1 on the privacy portal, session ${session.id}`);
      void reply.setCookie(PORTAL_COOKIE, token, { ...cookieOptions(req), expires: session.expiresAt });
      return { expiresAt: session.expiresAt.toISOString(), language: session.language };
    },
  );

  app.delete(
    '/api/v1/portal/session',
    { schema: { tags, summary: 'End the person\'s space session (public)', security: [], response: { 204: Type.Null() } } },
    async (req, reply) => {
      sameOrigin(req);
      await closePortalSession(deps, cookieOf(req));
      void reply.clearCookie(PORTAL_COOKIE, cookieOptions(req));
      return reply.status(204).send();
    },
  );

  app.get(
    '/api/v1/portal/me',
    {
      schema: {
        tags,
        summary: 'The person\'s space: their data as the access export shows it, consents, objections and requests (portal session; audited)',
        security: [],
        querystring: LangQuery,
        response: {
          200: Type.Object({
            email: Type.String(),
            language: Type.String(),
            expiresAt: Type.String(),
            found: Type.Boolean(),
            export: Type.Unknown(),
            restricted: Type.Boolean(),
            opposedChannels: Type.Array(Type.String()),
            consents: Type.Array(
              Type.Object({
                scope: Type.String(),
                partnerId: Type.Union([Type.String(), Type.Null()]),
                recipient: Type.String(),
                kind: Type.String(),
                country: Type.String(),
                state: Type.Union([Type.String(), Type.Null()]),
                at: Type.Union([Type.String(), Type.Null()]),
                text: Type.String(),
              }),
            ),
            requests: Type.Array(
              Type.Object({
                id: Type.String(),
                type: Type.String(),
                state: Type.String(),
                receivedAt: Type.String(),
                dueAt: Type.String(),
                extendedDueAt: Type.Union([Type.String(), Type.Null()]),
                effectiveDueAt: Type.String(),
                closedAt: Type.Union([Type.String(), Type.Null()]),
                doubtReason: Type.Union([Type.String(), Type.Null()]),
                hasIdDocument: Type.Boolean(),
              }),
            ),
          }),
          ...spaceErrors,
        },
      },
    },
    async (req, reply) => {
      const session = await sessionOf(req);
      void reply.header('cache-control', 'no-store');
      return portalOverview(deps, session, languageOf(req, session));
    },
  );

  app.get(
    '/api/v1/portal/me/copy.zip',
    {
      schema: {
        tags,
        summary: 'Download the copy of one\'s data (access.json, access.html, manifest; GDPR Art. 15(3)) (portal session; audited)',
        security: [],
        querystring: LangQuery,
        response: { 200: Type.Unknown({ description: 'application/zip' }), ...spaceErrors },
      },
    },
    async (req, reply) => {
      const session = await sessionOf(req);
      const lang = languageOf(req, session);
      const zip = await portalCopy(deps, session, lang);
      return reply
        .header('cache-control', 'no-store')
        .header('content-disposition', `attachment; filename="${lang === 'fr' ? 'mes-donnees' : 'my-data'}.zip"`)
        .type('application/zip')
        .send(zip);
    },
  );

  app.get(
    '/api/v1/portal/me/export.zip',
    {
      schema: {
        tags,
        summary: 'Download the portability ZIP (portability.json, CSV per table, manifest) (portal session; audited)',
        security: [],
        querystring: LangQuery,
        response: { 200: Type.Unknown({ description: 'application/zip' }), ...spaceErrors },
      },
    },
    async (req, reply) => {
      const session = await sessionOf(req);
      const zip = await portalDownload(deps, session, languageOf(req, session));
      return reply
        .header('cache-control', 'no-store')
        .header('content-disposition', 'attachment; filename="portabilite.zip"')
        .type('application/zip')
        .send(zip);
    },
  );

  app.post(
    '/api/v1/portal/me/rectify',
    {
      bodyLimit: PUBLIC_BODY_LIMIT,
      schema: {
        tags,
        summary: 'Correct one\'s own fields (first and last name, job title, phones) through the gate (portal session)',
        security: [],
        body: Type.Object(
          { personId: Type.String({ format: 'uuid' }), patch: Type.Record(Type.String({ maxLength: 40 }), Type.Unknown(), { maxProperties: 10 }), language: Language },
          { additionalProperties: false },
        ),
        response: { 200: Ok, ...spaceErrors },
      },
    },
    async (req) => {
      sameOrigin(req);
      const session = await sessionOf(req);
      const body = req.body as { personId: string; patch: Record<string, unknown> };
      return portalRectify(deps, session, languageOf(req, session), body.personId, body.patch);
    },
  );

  app.get(
    '/api/v1/portal/me/erasure',
    {
      schema: {
        tags,
        summary: 'What an erasure would remove and what the law keeps, and why (portal session; audited)',
        security: [],
        querystring: LangQuery,
        response: {
          200: Type.Object({
            erased: Type.Array(Type.Object({ table: Type.String(), rows: Type.Integer() })),
            kept: Type.Array(
              Type.Object({
                table: Type.String(),
                rows: Type.Integer(),
                reason: Literals(['statutory', 'open_request', 'consent_proof', 'litigation'] as const),
                basis: Type.String(),
                until: Type.Union([Type.String(), Type.Null()]),
              }),
            ),
            oppositionKept: Type.Boolean(),
          }),
          ...spaceErrors,
        },
      },
    },
    async (req) => {
      const session = await sessionOf(req);
      return portalErasurePreview(deps, session, languageOf(req, session));
    },
  );

  app.post(
    '/api/v1/portal/me/erasure',
    {
      schema: {
        tags,
        summary: 'Ask for erasure: a request in the staff queue with its legal deadline (portal session)',
        security: [],
        body: Type.Object({ language: Language }, { additionalProperties: false }),
        response: { 200: Type.Object({ id: Type.String(), dueAt: Type.String() }), ...spaceErrors },
      },
    },
    async (req) => {
      sameOrigin(req);
      const session = await sessionOf(req);
      return portalErase(deps, session, languageOf(req, session));
    },
  );

  app.post(
    '/api/v1/portal/me/restriction',
    {
      schema: {
        tags,
        summary: 'Restrict processing at once (GDPR Art. 18) (portal session)',
        security: [],
        body: Type.Object({ reason: Type.Optional(Type.String({ maxLength: 2000 })), language: Language }, { additionalProperties: false }),
        response: { 200: Ok, ...spaceErrors },
      },
    },
    async (req) => {
      sameOrigin(req);
      const session = await sessionOf(req);
      return portalRestrict(deps, session, languageOf(req, session), (req.body as { reason?: string }).reason ?? '');
    },
  );

  app.post(
    '/api/v1/portal/me/objection',
    {
      schema: {
        tags,
        summary: 'Object to prospecting on one channel or all, at once (GDPR Art. 21(2)) (portal session)',
        security: [],
        body: Type.Object({ channel: Literals(OPPOSITION_CHANNELS), language: Language }, { additionalProperties: false }),
        response: { 200: Ok, ...spaceErrors },
      },
    },
    async (req) => {
      sameOrigin(req);
      const session = await sessionOf(req);
      return portalObject(deps, session, languageOf(req, session), (req.body as { channel: OppositionChannel }).channel);
    },
  );

  app.put(
    '/api/v1/portal/me/requests/:id/id-document',
    {
      // Base64 inflates by 4/3; the command checks the decoded size.
      bodyLimit: Math.ceil((MAX_ID_DOCUMENT_BYTES * 4) / 3) + 1024,
      schema: {
        tags,
        summary: 'Send the ID document a request in doubt needs (PDF, JPEG or PNG, base64; GDPR Art. 12(6)) (portal session)',
        security: [],
        params: Type.Object({ id: Type.String({ format: 'uuid' }) }),
        body: Type.Object({ contentBase64: Type.String({ minLength: 1, pattern: '^[A-Za-z0-9+/=\\s]+$' }) }, { additionalProperties: false }),
        response: { 204: Type.Null(), ...spaceErrors, 413: ErrorResponse, 415: ErrorResponse },
      },
    },
    async (req, reply) => {
      sameOrigin(req);
      const session = await sessionOf(req);
      const { id } = req.params as { id: string };
      await portalAttachIdDocument(deps, session, id, Buffer.from((req.body as { contentBase64: string }).contentBase64, 'base64'));
      return reply.status(204).send();
    },
  );

  app.post(
    '/api/v1/portal/me/consents',
    {
      schema: {
        tags,
        summary: 'Give or withdraw one consent in one click (GDPR Art. 7(3)) (portal session)',
        security: [],
        body: Type.Object(
          {
            scope: Literals(CONSENT_SCOPES),
            partnerId: Type.Union([Type.String({ format: 'uuid' }), Type.Null()]),
            state: Literals(['given', 'withdrawn'] as const),
            language: Language,
          },
          { additionalProperties: false },
        ),
        response: { 204: Type.Null(), ...spaceErrors },
      },
    },
    async (req, reply) => {
      sameOrigin(req);
      const session = await sessionOf(req);
      const body = req.body as { scope: ConsentScope; partnerId: string | null; state: 'given' | 'withdrawn' };
      await portalConsent(deps, session, languageOf(req, session), body);
      return reply.status(204).send();
    },
  );
}
