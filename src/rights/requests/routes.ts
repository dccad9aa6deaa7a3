import { createHmac } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import Type from 'typebox';
import { clientOf } from '../../access/auth/request-auth.js';
import type { GateSession } from '../../access/gate.js';
import type { LoadedPolicy } from '../../policy/index.js';
import { answerPreview } from './answer-preview.js';
import { enforceLimit, SlidingWindowLimiter } from '../../access/auth/rate-limit.js';
import { mayPerform } from '../../access/permissions.js';
import { RempartError } from '../../errors.js';
import { ErrorResponse } from '../../http/schemas.js';
import { PUBLIC_BODY_LIMIT, PUBLIC_INPUT_LIMITS } from '../../http/input-limits.js';
import type { RequestDeps } from './context.js';
import { answerRequest, extendRequest, refuseRequest, withdrawRequest, type RightExecutor } from './decisions.js';
import { MAX_ID_DOCUMENT_BYTES, attachIdDocument, recordDoubt } from './id-documents.js';
import { getRequest, listRequestPage } from './list-requests.js';
import { loadRequest } from './load.js';
import { presentDetail } from './present.js';
import { openRequest } from './open-request.js';
import { REQUEST_LANGUAGES, REQUEST_STATES, REQUEST_TYPES, type RequestLanguage, type RequestState, type RequestType } from './tables.js';
import { verifyRequest } from './verify-request.js';

/** Limits of the public routes, per source IP and sliding window. */
export interface RequestRouteLimits {
  /** Requests opened per IP (default 5 per window): each sends a mail to an address anyone can type. */
  readonly openPerIp: number;
  /** Code checks per IP (default 20 per window); each request also allows only 5. */
  readonly verifyPerIp: number;
  readonly windowMs: number;
  /**
   * Requests opened per target address (default 3 per hour), whatever the client: else one
   * mailbox can be flooded with codes from many addresses. Counted for every address
   * typed, known or not, so the answer reveals nothing about who is in the base.
   */
  readonly openPerAddress: number;
  readonly addressWindowMs: number;
}

const DEFAULT_LIMITS: RequestRouteLimits = Object.freeze({ openPerIp: 5, verifyPerIp: 20, windowMs: 10 * 60_000, openPerAddress: 3, addressWindowMs: 60 * 60_000 });

/** Options of rightsRequestRoutes. */
export interface RightsRequestRouteOptions {
  readonly deps: RequestDeps;
  /** The gate of the request's actor: every read of a request's personal data is audited through it (P2.5). */
  readonly session: (req: FastifyRequest) => GateSession;
  /** The policy whose grants decide who handles requests. */
  readonly policy: LoadedPolicy;
  /** Carries out each right when the dpo answers; until wired, answering says no handler exists. */
  readonly executor?: RightExecutor;
  readonly limits?: Partial<RequestRouteLimits>;
}

const noExecutor: RightExecutor = async (type) => {
  throw new RempartError('CONFLICT', `No handler answers ${type} requests yet.`);
};

const tags = ['Rights requests'];
const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) });
const Reason = Type.String({ minLength: 1, maxLength: 2000, pattern: '\\S' });
const Literals = <T extends string>(values: readonly T[]) => Type.Union(values.map((v) => Type.Literal(v)));

const Summary = Type.Object({
  id: Type.String(),
  type: Type.String(),
  state: Type.String(),
  channel: Type.String(),
  language: Type.String(),
  receivedAt: Type.String(),
  dueAt: Type.String(),
  extendedDueAt: Type.Union([Type.String(), Type.Null()]),
  effectiveDueAt: Type.String(),
  daysLeft: Type.Union([Type.Integer(), Type.Null()]),
  overdue: Type.Boolean(),
  personMatched: Type.Boolean(),
  identityVerified: Type.Boolean(),
  doubtRecorded: Type.Boolean(),
  hasIdDocument: Type.Boolean(),
  closedAt: Type.Union([Type.String(), Type.Null()]),
});
const Nullable = (t: ReturnType<typeof Type.String>) => Type.Union([t, Type.Null()]);
const Detail = Type.Object({
  ...Summary.properties,
  identity: Type.Object({
    state: Literals(['code_pending', 'verified', 'doubt', 'document_received', 'closed'] as const),
    verifiedAt: Nullable(Type.String()),
    codeAttempts: Type.Integer(),
    codeExpiresAt: Nullable(Type.String()),
  }),
  contactEmail: Nullable(Type.String()),
  personId: Nullable(Type.String()),
  details: Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()]),
  extensionReason: Nullable(Type.String()),
  refusalReason: Nullable(Type.String()),
  doubtReason: Nullable(Type.String()),
  answeredAt: Nullable(Type.String()),
  noticeVersion: Type.String(),
  subjectHash: Nullable(Type.String()),
});

const OPENED_MESSAGE: Readonly<Record<RequestLanguage, string>> = {
  fr: "Demande enregistrée. Un code de vérification a été envoyé à l'adresse indiquée ; il est valable 30 minutes.",
  en: 'Request recorded. A verification code was sent to the address given; it is valid for 30 minutes.',
};

function throttle(limiter: SlidingWindowLimiter, req: FastifyRequest, reply: FastifyReply, now: Date): void {
  enforceLimit(limiter, req.ip, now, reply, 'requests from this address');
}

/**
 * preHandler of the staff routes: the roles the policy gives the `rights_requests` task
 * (the privacy officer in the shipped policy, as GDPR Art. 38–39 give the DPO that
 * task) and the local operator's full rights handle requests; 401 without an actor,
 * 403 for any other role.
 */
export function requireRequestHandler(policy: Pick<LoadedPolicy, 'roles'>): (request: FastifyRequest) => Promise<void> {
  return async (request) => {
    if (request.actor === null || request.actor === undefined) throw new RempartError('UNAUTHENTICATED', 'Sign in first, or send an API token as Authorization: Bearer.');
    if (!mayPerform(policy, request.actor, 'rights_requests')) {
      throw new RempartError('FORBIDDEN', 'Your role does not handle requests to exercise a right.');
    }
  };
}

/** The personal columns a request's detail shows (the list shows only the request's own facts). */
const DETAIL_FIELDS = ['contact_email', 'person_id', 'details', 'type', 'state', 'received_at', 'due_at', 'extension_reason', 'refusal_reason', 'doubt_reason', 'verified_at'];
const LIST_FIELDS = ['type', 'state', 'received_at', 'due_at', 'extended_due_at', 'closed_at'];

/**
 * The routes of requests to exercise a right (GDPR Art. 12–21), for mounting under
 * /api/v1. Public: opening a request and checking its code (rate-limited per IP; the
 * same answer whether or not the address is known). Staff (dpo): list, read, extend,
 * refuse, answer, withdraw, record a doubt and take an ID document. No route carries an
 * email in its URL, and no email reaches a log line.
 */
export async function rightsRequestRoutes(app: FastifyInstance, opts: RightsRequestRouteOptions): Promise<void> {
  const { deps } = opts;
  const limits = { ...DEFAULT_LIMITS, ...opts.limits };
  const openLimiter = new SlidingWindowLimiter(limits.openPerIp, limits.windowMs);
  const verifyLimiter = new SlidingWindowLimiter(limits.verifyPerIp, limits.windowMs);
  const addressLimiter = new SlidingWindowLimiter(limits.openPerAddress, limits.addressWindowMs);
  // Keyed by an HMAC of the address, so the limiter's memory holds no address in clear.
  const addressKey = (email: string): string => createHmac('sha256', deps.serverKey).update(`request-target:${email.trim().toLowerCase()}`).digest('hex');
  const executor = opts.executor ?? noExecutor;
  const publicErrors = { 400: ErrorResponse, 404: ErrorResponse, 429: ErrorResponse };

  app.post(
    '/requests',
    {
      bodyLimit: PUBLIC_BODY_LIMIT,
      config: { inputLimits: PUBLIC_INPUT_LIMITS },
      schema: {
        tags,
        summary: 'Make a request to exercise a right (public); a code is sent to the address',
        security: [],
        body: Type.Object(
          {
            type: Literals(REQUEST_TYPES),
            email: Type.String({ format: 'email', maxLength: 254 }),
            language: Type.Optional(Literals(REQUEST_LANGUAGES)),
            channel: Type.Optional(Literals(['portal', 'api'] as const)),
            details: Type.Optional(Type.Record(Type.String({ maxLength: 100 }), Type.Unknown(), { maxProperties: 50 })),
          },
          { additionalProperties: false },
        ),
        response: { 202: Type.Object({ id: Type.String(), state: Type.Literal('identity_pending'), message: Type.String() }), ...publicErrors },
      },
    },
    async (req, reply) => {
      throttle(openLimiter, req, reply, deps.now());
      const body = req.body as { type: RequestType; email: string; language?: RequestLanguage; channel?: 'portal' | 'api'; details?: Record<string, unknown> };
      enforceLimit(addressLimiter, addressKey(body.email), deps.now(), reply, 'requests for this address');
      const language = body.language ?? 'fr';
      const opened = await openRequest(deps, {
        type: body.type,
        email: body.email,
        language,
        channel: body.channel ?? 'portal',
        ...(body.details === undefined ? {} : { details: body.details }),
      });
      return reply.status(202).send({ ...opened, message: OPENED_MESSAGE[language] });
    },
  );

  app.post(
    '/requests/:id/verify',
    {
      bodyLimit: PUBLIC_BODY_LIMIT,
      config: { inputLimits: PUBLIC_INPUT_LIMITS },
      schema: {
        tags,
        summary: 'Confirm a request with the code received by email (public)',
        security: [],
        params: IdParams,
        body: Type.Object({ code: Type.String({ pattern: '^\\s*[0-9]{6}\\s*$' }) }, { additionalProperties: false }),
        response: { 200: Type.Object({ id: Type.String(), state: Type.Literal('in_progress'), dueAt: Type.String() }), ...publicErrors },
      },
    },
    async (req, reply) => {
      throttle(verifyLimiter, req, reply, deps.now());
      const { id } = req.params as { id: string };
      const { code } = req.body as { code: string };
      return verifyRequest(deps, id, code, { ...clientOf(req), service: 'portal' });
    },
  );

  await app.register(async (staff) => {
    staff.addHook('preHandler', requireRequestHandler(deps.policy));
    const errors = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse, 409: ErrorResponse };
    const Done = Type.Object({ id: Type.String(), state: Type.String() });

    staff.get(
      '/requests',
      {
        schema: {
          tags,
          summary: 'List requests, most urgent first (overdue first), with filters and paging (the role handling requests)',
          querystring: Type.Object(
            {
              overdue: Type.Optional(Type.Boolean()),
              open: Type.Optional(Type.Boolean({ description: 'only requests still being handled or waiting for their code' })),
              dueWithinDays: Type.Optional(Type.Integer({ minimum: 0, maximum: 366 })),
              dueBefore: Type.Optional(Type.String({ format: 'date', description: 'deadline in force on or before this day' })),
              status: Type.Optional(Literals(REQUEST_STATES)),
              state: Type.Optional(Literals(REQUEST_STATES)),
              type: Type.Optional(Literals(REQUEST_TYPES)),
              limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 5000 })),
              cursor: Type.Optional(Type.String({ maxLength: 200 })),
            },
            { additionalProperties: false },
          ),
          response: { 200: Type.Object({ items: Type.Array(Summary), nextCursor: Type.Union([Type.String(), Type.Null()]) }), ...errors },
        },
      },
      async (req) => {
        const q = req.query as { overdue?: boolean; open?: boolean; dueWithinDays?: number; dueBefore?: string; status?: RequestState; state?: RequestState; type?: RequestType; limit?: number; cursor?: string };
        const { status, ...rest } = q;
        const state = status ?? q.state;
        const page = await listRequestPage(deps.db, { ...rest, ...(state === undefined ? {} : { state }), now: deps.now() });
        await opts.session(req).recordAccess('read', 'rights-requests', null, page.items.map((r) => r.id), LIST_FIELDS);
        return page;
      },
    );

    staff.get(
      '/requests/:id',
      {
        schema: {
          tags,
          summary: "Read a request: its identity check and, while it is handled, the answer to review (the role handling requests; audited)",
          params: IdParams,
          response: {
            200: Type.Object({
              ...Detail.properties,
              answerPreview: Type.Union([
                Type.Object({ subject: Type.String(), text: Type.String(), willDo: Type.String(), attachmentNames: Type.Array(Type.String()) }),
                Type.Null(),
              ]),
            }),
            ...errors,
          },
        },
      },
      async (req) => {
        const row = await loadRequest(deps.db, (req.params as { id: string }).id);
        // The requester's address and what they asked are personal data: the read is audited before it leaves (P2.5).
        await opts.session(req).recordAccess('read', 'rights-requests', null, [row.id], DETAIL_FIELDS, row.personId === null ? [] : [row.personId]);
        const handling = row.state === 'received' || row.state === 'in_progress' || row.state === 'extended';
        return { ...presentDetail(row, deps.now()), answerPreview: handling ? answerPreview(deps.policy, row) : null };
      },
    );

    const stateOf = async (id: string) => ({ id, state: (await getRequest(deps.db, id, deps.now())).state });
    /**
     * Runs one step of a request and audits it as a change of the request, naming its person
     * (read before the step: closing a request unlinks it), before the answer leaves (P2.5).
     */
    const step = async (req: FastifyRequest, fields: readonly string[], run: (id: string) => Promise<unknown>) => {
      const { id } = req.params as { id: string };
      const personId = (await loadRequest(deps.db, id)).personId;
      await run(id);
      await opts.session(req).recordChange('update', 'rights-requests', null, [id], fields, personId === null ? [] : [personId]);
      return id;
    };

    staff.post(
      '/requests/:id/extend',
      {
        schema: {
          tags,
          summary: 'Extend the deadline by up to two months, with the reasons (GDPR Art. 12(3)) (dpo)',
          params: IdParams,
          body: Type.Object({ reason: Reason, months: Type.Optional(Type.Integer({ minimum: 1, maximum: 2 })) }, { additionalProperties: false }),
          response: { 200: Detail, ...errors },
        },
      },
      async (req) => {
        const { reason, months } = req.body as { reason: string; months?: number };
        const id = await step(req, ['state', 'extended_due_at', 'extension_reason'], (i) => extendRequest(deps, i, reason, months));
        return getRequest(deps.db, id, deps.now());
      },
    );

    staff.post(
      '/requests/:id/refuse',
      {
        schema: {
          tags,
          summary: 'Refuse a request, with the reasons and the right to complain to the CNIL (GDPR Art. 12(4)) (dpo)',
          params: IdParams,
          body: Type.Object({ reason: Reason }, { additionalProperties: false }),
          response: { 200: Done, ...errors },
        },
      },
      async (req) => {
        return stateOf(await step(req, ['state', 'refusal_reason'], (i) => refuseRequest(deps, i, (req.body as { reason: string }).reason)));
      },
    );

    staff.post(
      '/requests/:id/answer',
      { schema: { tags, summary: 'Carry out the right and send the answer (dpo)', params: IdParams, response: { 200: Done, ...errors } } },
      async (req) => {
        return stateOf(await step(req, ['state', 'answered_at'], (i) => answerRequest(deps, i, executor)));
      },
    );

    staff.post(
      '/requests/:id/withdraw',
      { schema: { tags, summary: 'Record that the person withdrew the request (dpo)', params: IdParams, response: { 200: Done, ...errors } } },
      async (req) => {
        return stateOf(await step(req, ['state'], (i) => withdrawRequest(deps, i)));
      },
    );

    staff.post(
      '/requests/:id/doubt',
      {
        schema: {
          tags,
          summary: 'Record a real doubt about the identity, so an ID document may be asked (GDPR Art. 12(6)) (dpo)',
          params: IdParams,
          body: Type.Object({ reason: Reason }, { additionalProperties: false }),
          response: { 200: Done, ...errors },
        },
      },
      async (req) => {
        return stateOf(await step(req, ['doubt_reason'], (i) => recordDoubt(deps, i, (req.body as { reason: string }).reason)));
      },
    );

    staff.put(
      '/requests/:id/id-document',
      {
        // Base64 inflates by 4/3; the command checks the decoded size.
        bodyLimit: Math.ceil((MAX_ID_DOCUMENT_BYTES * 4) / 3) + 1024,
        schema: {
          tags,
          summary: 'Upload the ID document of a request in doubt (PDF, JPEG or PNG, base64); deleted when the request closes (dpo)',
          params: IdParams,
          body: Type.Object({ contentBase64: Type.String({ minLength: 1, pattern: '^[A-Za-z0-9+/=\\s]+$' }) }, { additionalProperties: false }),
          response: { 200: Done, ...errors, 413: ErrorResponse, 415: ErrorResponse },
        },
      },
      async (req) => {
        return stateOf(await step(req, ['id_document_path'], (i) => attachIdDocument(deps, i, Buffer.from((req.body as { contentBase64: string }).contentBase64, 'base64'))));
      },
    );
  });
}
