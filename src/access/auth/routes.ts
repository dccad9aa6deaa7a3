import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import Type from 'typebox';
import { RempartError } from '../../errors.js';
import { ErrorResponse } from '../../http/schemas.js';
import { logConnection, type ConnectionFields } from './context.js';
import { login, type LoginInput } from './login.js';
import { confirmTotp, enrolTotp, verifyTotp } from './mfa.js';
import { SESSION_COOKIE, clientOf, type AuthRuntime, type AuthSession } from './request-auth.js';
import { csrfTokenFor } from './secrets.js';
import { revokeSession } from './sessions.js';

const LoginBody = Type.Object(
  {
    email: Type.String({ minLength: 1, maxLength: 320 }),
    password: Type.String({ minLength: 1, maxLength: 1024 }),
    totp: Type.Optional(Type.String({ maxLength: 64, description: 'a 6-digit TOTP code, or a recovery code' })),
  },
  { additionalProperties: false },
);

const CodeBody = Type.Object({ code: Type.String({ minLength: 1, maxLength: 64 }) }, { additionalProperties: false });

const ENROLMENT_CODE = Type.String({ minLength: 1, maxLength: 64, description: 'the one-time enrolment code given with the account (rempart user add / user enrolment-code)' });
const EnrolBody = Type.Object({ enrolmentCode: ENROLMENT_CODE }, { additionalProperties: false });
const ConfirmBody = Type.Object({ code: Type.String({ minLength: 1, maxLength: 64 }), enrolmentCode: ENROLMENT_CODE }, { additionalProperties: false });

const SessionView = Type.Object({
  account: Type.Object({
    id: Type.String(),
    email: Type.String(),
    role: Type.String(),
    scopeOrganisationId: Type.Union([Type.String(), Type.Null()]),
  }),
  csrfToken: Type.String({ description: `send it back as the x-csrf-token header on every POST, PUT, PATCH and DELETE` }),
  mfaRequired: Type.Boolean({ description: 'true until TOTP is enrolled or verified; meanwhile only the TOTP routes answer' }),
  totpEnabled: Type.Boolean(),
});

const Enrolment = Type.Object({
  secret: Type.String({ description: 'base32 TOTP secret, shown this once' }),
  otpauthUri: Type.String({ description: 'otpauth:// URI for a QR code, shown this once' }),
});

const RecoveryCodes = Type.Object({ recoveryCodes: Type.Array(Type.String(), { description: 'ten single-use codes, shown this once' }) });

const errors = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 409: ErrorResponse, 429: ErrorResponse };
const tags = ['Session'];

interface SessionViewOf {
  readonly id: string;
  readonly email: string;
  readonly role: string;
  readonly scopeOrganisationId: string | null;
  readonly totpEnabled: boolean;
}

function view(account: SessionViewOf, csrfToken: string, mfaRequired: boolean) {
  return {
    account: { id: account.id, email: account.email, role: account.role, scopeOrganisationId: account.scopeOrganisationId },
    csrfToken,
    mfaRequired,
    totpEnabled: account.totpEnabled,
  };
}

function sessionOf(request: FastifyRequest): AuthSession {
  if (request.authSession === null) throw new RempartError('UNAUTHENTICATED', 'Sign in first.');
  return request.authSession;
}

/**
 * Counts one attempt against each key; over a limit, logs the refused attempt (P1.7)
 * and throws RATE_LIMITED with Retry-After.
 */
async function throttle(rt: AuthRuntime, request: FastifyRequest, reply: FastifyReply, checks: ReadonlyArray<readonly [AuthRuntime['ipLimiter'], string]>, log: Omit<ConnectionFields, 'outcome' | 'reason'>): Promise<void> {
  const at = rt.ctx.now();
  for (const [limiter, key] of checks) {
    const waitMs = limiter.hit(key, at.getTime());
    if (waitMs > 0) {
      await logConnection(rt.ctx, clientOf(request), at, { ...log, outcome: 'failure', reason: 'rate_limited' });
      const seconds = Math.ceil(waitMs / 1000);
      void reply.header('retry-after', String(seconds));
      throw new RempartError('RATE_LIMITED', `Too many attempts; try again in ${seconds} seconds.`);
    }
  }
}

/** The /session routes: sign in, who am I, sign out, TOTP enrolment and verification. */
export async function sessionRoutes(app: FastifyInstance, opts: { rt: AuthRuntime }): Promise<void> {
  const { rt } = opts;
  const { ctx } = rt;

  app.post(
    '/session',
    {
      config: { csrfExempt: true },
      schema: {
        tags,
        summary: 'Sign in with email and password (and TOTP code); sets the rempart_session cookie',
        security: [],
        body: LoginBody,
        response: { 200: SessionView, ...errors },
      },
    },
    async (request, reply) => {
      const body = request.body as LoginInput;
      await throttle(
        rt,
        request,
        reply,
        [
          [rt.ipLimiter, `ip:${request.ip}`],
          [rt.accountLimiter, `login:${body.email.trim().toLowerCase()}`],
        ],
        { event: 'login', accountId: null, identifier: body.email },
      );
      const result = await login(ctx, body, clientOf(request));
      // A new sign-in replaces the session the browser had, if any.
      if (request.authSession !== null) {
        await revokeSession(ctx.db, request.authSession.id, ctx.now());
        rt.cache?.dropSession(request.authSession.id);
      }
      rt.setSessionCookie(request, reply, result.session.token);
      return view(result.account, result.session.csrfToken, result.mfaRequired);
    },
  );

  app.get(
    '/session',
    { schema: { tags, summary: 'Who am I: the account of the session cookie, and its CSRF token', response: { 200: SessionView, ...errors } } },
    async (request) => {
      const session = sessionOf(request);
      // The CSRF token is derived from the cookie, so a reloaded page can get it again.
      const csrfToken = csrfTokenFor(request.cookies[SESSION_COOKIE] ?? '');
      return view({ ...session, id: session.accountId }, csrfToken, !session.mfaPassed);
    },
  );

  app.delete(
    '/session',
    { schema: { tags, summary: 'Sign out: the session is revoked on the server', response: { 204: Type.Null(), ...errors } } },
    async (request, reply) => {
      const session = request.authSession;
      if (session !== null) {
        const at = ctx.now();
        const revoked = await revokeSession(ctx.db, session.id, at);
        // This instance forgets it now; the others at their next poll (auth_changes).
        rt.cache?.dropSession(session.id);
        if (revoked) {
          await logConnection(ctx, clientOf(request), at, { event: 'logout', accountId: session.accountId, outcome: 'success' });
        }
      }
      rt.clearSessionCookie(request, reply);
      return reply.status(204).send();
    },
  );

  app.post(
    '/session/totp/enrol',
    {
      schema: {
        tags,
        summary: 'Start TOTP enrolment with the one-time enrolment code: a new secret and otpauth URI, shown once',
        body: EnrolBody,
        response: { 200: Enrolment, ...errors },
      },
    },
    async (request, reply) => {
      const session = sessionOf(request);
      await throttle(rt, request, reply, [[rt.accountLimiter, `totp:${session.accountId}`]], { event: 'identity_check', accountId: session.accountId });
      return enrolTotp(ctx, session.accountId, (request.body as { enrolmentCode: string }).enrolmentCode, clientOf(request));
    },
  );

  app.post(
    '/session/totp/confirm',
    {
      schema: {
        tags,
        summary: 'Finish TOTP enrolment with a first code and the enrolment code (consumed); returns ten recovery codes, shown once',
        body: ConfirmBody,
        response: { 200: RecoveryCodes, ...errors },
      },
    },
    async (request, reply) => {
      const session = sessionOf(request);
      await throttle(rt, request, reply, [[rt.accountLimiter, `totp:${session.accountId}`]], { event: 'identity_check', accountId: session.accountId });
      const body = request.body as { code: string; enrolmentCode: string };
      const codes = await confirmTotp(ctx, session.id, session.accountId, body.code, body.enrolmentCode, clientOf(request));
      rt.cache?.dropSession(session.id);
      return codes;
    },
  );

  app.post(
    '/session/totp/verify',
    {
      schema: {
        tags,
        summary: 'Pass the second factor with a TOTP code or a recovery code',
        body: CodeBody,
        response: { 200: SessionView, ...errors },
      },
    },
    async (request, reply) => {
      const session = sessionOf(request);
      await throttle(rt, request, reply, [[rt.accountLimiter, `totp:${session.accountId}`]], { event: 'identity_check', accountId: session.accountId });
      await verifyTotp(ctx, session.id, session.accountId, (request.body as { code: string }).code, clientOf(request));
      rt.cache?.dropSession(session.id);
      return view({ ...session, id: session.accountId, totpEnabled: true }, csrfTokenFor(request.cookies[SESSION_COOKIE] ?? ''), false);
    },
  );
}
