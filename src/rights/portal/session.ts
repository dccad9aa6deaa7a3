import { createHash, randomBytes } from 'node:crypto';
import type { AuditSink, Gate } from '../../access/gate.js';
import { newId } from '../../db/ids.js';
import { RempartError } from '../../errors.js';
import type { LoadedPolicy } from '../../policy/index.js';
import { findPeopleByEmail } from '../export/find-people.js';
import {
  answerRequest,
  normaliseEmail,
  verifyRequest,
  type RequestClient,
  type RequestDeps,
  type RequestLanguage,
  type RightExecutor,
} from '../requests/index.js';

/** What the portal's commands need: the request commands' deps, the whole policy, the gate and the engine of the rights. */
export interface PortalDeps extends RequestDeps {
  readonly policy: LoadedPolicy;
  readonly gate: Gate;
  readonly audit: AuditSink;
  /** Carries out a right (src/rights/executor.ts): the same engine as the dpo's answer. */
  readonly executor: RightExecutor;
  /** This server as people reach it: the consent receipts' withdrawal links. */
  readonly publicUrl: string;
  readonly fetch?: typeof globalThis.fetch;
}

/** The session cookie's name; HttpOnly, SameSite=Strict, Path=/api/v1/portal. */
export const PORTAL_COOKIE = 'rempart_portal';
/** A portal session lives this long at most: long enough to read and act, short enough for a shared computer. */
export const PORTAL_SESSION_MINUTES = 30;

/** An open portal session, as the routes see it. */
export interface PortalSession {
  readonly id: string;
  /** The normalised address the person proved they hold. */
  readonly email: string;
  /** Every people record holding the address, found again at each call (an erased record drops out). */
  readonly personIds: readonly string[];
  readonly requestId: string | null;
  readonly language: RequestLanguage;
  readonly expiresAt: Date;
}

const tokenHash = (token: string): string => createHash('sha256').update(token, 'utf8').digest('hex');

/** What opening a session takes: the code, and the request it answers or the address it was sent to. */
export interface OpenSessionInput {
  readonly requestId?: string;
  readonly email?: string;
  readonly code: string;
  readonly client: RequestClient;
  /** The language the person reads the portal in; default the request's. */
  readonly language?: RequestLanguage;
}

const NO_PENDING = 'No request is waiting for a code for this address; make the request again to receive a new one.';

/**
 * Opens a portal session with the one-time code of a request (GDPR Art. 12(6)): the code
 * is checked by verifyRequest (5 tries, 30 minutes, single use, each try in the
 * connection log), then a random token is set as the cookie and only its SHA-256 kept.
 * The code page may not know the request (the mail's link carries nothing, so it can be
 * opened on another device): the address then names the newest request waiting for a
 * code. An access request (what the portal's home starts by default) is answered by the
 * engine at once: the person's data is on the page, downloadable (Art. 15(1), (3)).
 */
export async function openPortalSession(deps: PortalDeps, input: OpenSessionInput): Promise<{ readonly token: string; readonly session: PortalSession }> {
  let requestId = input.requestId;
  if (requestId === undefined) {
    const email = normaliseEmail(input.email ?? '');
    const pending =
      email === ''
        ? undefined
        : await deps.db
            .selectFrom('rightsRequests')
            .select('id')
            .where('contactEmail', '=', email)
            .where('state', '=', 'identity_pending')
            .orderBy('receivedAt', 'desc')
            .orderBy('id', 'desc')
            .limit(1)
            .executeTakeFirst();
    if (pending === undefined) throw new RempartError('NOT_FOUND', NO_PENDING, { details: [{ field: 'code', message: NO_PENDING }] });
    requestId = pending.id;
  }
  await verifyRequest(deps, requestId, input.code, input.client);
  const request = await deps.db
    .selectFrom('rightsRequests')
    .select(['id', 'type', 'contactEmail', 'language'])
    .where('id', '=', requestId)
    .executeTakeFirstOrThrow();
  if (request.contactEmail === null) throw new RempartError('CONFLICT', 'The request has no address any more.');
  const email = request.contactEmail;
  const personIds = await findPeopleByEmail(deps.db, email);
  const now = deps.now();
  const token = randomBytes(32).toString('base64url');
  const session: PortalSession = {
    id: newId(now.getTime()),
    email,
    personIds,
    requestId,
    language: input.language ?? request.language,
    expiresAt: new Date(now.getTime() + PORTAL_SESSION_MINUTES * 60_000),
  };
  await deps.db
    .insertInto('portalSessions')
    .values({ id: session.id, tokenHash: tokenHash(token), email, personId: personIds[0] ?? null, requestId, language: session.language, createdAt: now, expiresAt: session.expiresAt })
    .execute();
  if (request.type === 'access') await answerInPortal(deps, requestId, personIds);
  return { token, session: Object.freeze(session) };
}

/**
 * The session of a cookie's token, or UNAUTHENTICATED when there is none, it ended, or it
 * was signed out. The person's records are found again by the address each time.
 */
export async function readPortalSession(deps: Pick<PortalDeps, 'db' | 'now'>, token: string | undefined): Promise<PortalSession> {
  const ended = new RempartError('UNAUTHENTICATED', 'Your portal session has ended; ask for a new code to continue.');
  if (token === undefined || token === '' || token.length > 100) throw ended;
  const row = await deps.db
    .selectFrom('portalSessions')
    .select(['id', 'email', 'requestId', 'language', 'expiresAt'])
    .where('tokenHash', '=', tokenHash(token))
    .where('expiresAt', '>', deps.now())
    .executeTakeFirst();
  if (row === undefined) throw ended;
  return Object.freeze({ ...row, personIds: await findPeopleByEmail(deps.db, row.email) });
}

/** Ends a session at once (the portal's sign-out). */
export async function closePortalSession(deps: Pick<PortalDeps, 'db'>, token: string | undefined): Promise<void> {
  if (token === undefined || token === '') return;
  await deps.db.deleteFrom('portalSessions').where('tokenHash', '=', tokenHash(token)).execute();
}

/** Removes ended sessions (the daily job): none outlives its 30 minutes by more than a day (Art. 5(1)(e)). */
export async function purgePortalSessions(deps: Pick<PortalDeps, 'db'>, now: Date): Promise<number> {
  const result = await deps.db.deleteFrom('portalSessions').where('expiresAt', '<=', now).executeTakeFirst();
  return Number(result.numDeletedRows);
}

/**
 * Answers a request of the session by the engine: the right is carried out for every
 * record of the person (the same executor as the dpo's answer, every step audited) and
 * the answer mailed. Access and portability are answered by the page itself: the person
 * reads and downloads their data there, so the mail says where instead of attaching it.
 */
export async function answerInPortal(deps: PortalDeps, requestId: string, personIds: readonly string[]): Promise<void> {
  const inPortal: RightExecutor = async (type, personId, context) => {
    if (type !== 'access' && type !== 'portability') return deps.executor(type, personId, context);
    // Nothing held: the engine's own answer says so (Art. 15(1), "whether or not").
    if (personId === null) return deps.executor(type, personId, context);
    const fr = context.language === 'fr';
    return {
      summary:
        type === 'access'
          ? fr
            ? 'Vos données et les informations prévues à l\'article 15 du RGPD vous ont été présentées sur le portail vie privée, qui permet aussi de les télécharger.'
            : 'Your data and the information required by GDPR Article 15 were shown to you in the privacy portal, where you can also download them.'
          : fr
            ? 'Les données que vous nous avez fournies vous ont été remises sur le portail vie privée (archive ZIP, JSON et CSV).'
            : 'The data you provided were handed to you in the privacy portal (ZIP archive, JSON and CSV).',
    };
  };
  await answerRequest(deps, requestId, inPortal, { personIds });
}
