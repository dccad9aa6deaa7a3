import { sql } from 'kysely';
import { newId } from '../../db/ids.js';
import { isValidEmail } from '../../identifiers/identifiers.js';
import { RempartError } from '../../errors.js';
import { acknowledgementMail, identityCodeMail } from '../../mail/index.js';
import { senderOf, type RequestDeps } from './context.js';
import { answerDeadline, parisDate } from './deadlines.js';
import { CODE_VALID_MINUTES, hashIdentityCode, newIdentityCode, normaliseEmail } from './identity.js';
import { mailHeaders } from './mail-headers.js';
import {
  REQUEST_CHANNELS,
  REQUEST_LANGUAGES,
  REQUEST_TYPES,
  type RequestChannel,
  type RequestDetails,
  type RequestLanguage,
  type RequestType,
} from './tables.js';

/** A new request, as the person (or staff taking it by letter or phone) made it. */
export interface NewRequest {
  readonly type: RequestType;
  /** The requester's email: where the code and the answer go. */
  readonly email: string;
  readonly language: RequestLanguage;
  readonly channel: RequestChannel;
  readonly details?: RequestDetails;
}

/** The answer to opening a request: the same whether or not the address is known. */
export interface OpenedRequest {
  readonly id: string;
  readonly state: 'identity_pending';
}

function check(input: NewRequest): void {
  const problems: { field: string; message: string }[] = [];
  if (!REQUEST_TYPES.includes(input.type)) problems.push({ field: 'type', message: `must be one of: ${REQUEST_TYPES.join(', ')}` });
  if (!isValidEmail(input.email.trim())) problems.push({ field: 'email', message: 'must be a valid email address' });
  if (!REQUEST_LANGUAGES.includes(input.language)) problems.push({ field: 'language', message: 'must be fr or en' });
  if (!REQUEST_CHANNELS.includes(input.channel)) problems.push({ field: 'channel', message: `must be one of: ${REQUEST_CHANNELS.join(', ')}` });
  if (problems.length > 0) throw new RempartError('VALIDATION_FAILED', 'The request is incomplete.', { details: problems });
}

/**
 * Opens a request (GDPR Art. 12): records its receipt and deadline, matches the person
 * by normalised email, and sends a one-time code to the address given, valid 30 minutes
 * and stored only as a keyed hash, to check in proportion that the requester holds it
 * (Art. 12(6)). Whether a person matched changes nothing in what the caller sees, in the
 * mail sent or in the work done: the answer must not reveal whether we hold data on an
 * address (no account enumeration), which would itself disclose personal data.
 */
export async function openRequest(deps: RequestDeps, input: NewRequest): Promise<OpenedRequest> {
  check(input);
  const now = deps.now();
  const email = normaliseEmail(input.email);
  const id = newId(now.getTime());
  const code = newIdentityCode();

  // Only the id is read: matching is not a use of the person's data beyond answering them.
  const person = await deps.db
    .selectFrom('people')
    .select('id')
    .where(sql<string>`lower(btrim(email))`, '=', email)
    .orderBy('id')
    .limit(1)
    .executeTakeFirst();

  await deps.db
    .insertInto('rightsRequests')
    .values({
      id,
      type: input.type,
      personId: person?.id ?? null,
      contactEmail: email,
      language: input.language,
      channel: input.channel,
      details: input.details === undefined ? null : JSON.stringify(input.details),
      state: 'identity_pending',
      receivedAt: now,
      dueAt: answerDeadline(now),
      noticeVersion: deps.policy.version.hash,
      identityCodeHash: hashIdentityCode(id, code, deps.serverKey),
      codeExpiresAt: new Date(now.getTime() + CODE_VALID_MINUTES * 60_000),
      codeAttempts: 0,
    })
    .execute();

  const codePageUrl = deps.publicUrl === undefined ? undefined : `${deps.publicUrl.replace(/\/+$/, '')}/portal/code?lang=${input.language}`;
  const mail = identityCodeMail({ policy: deps.policy, language: input.language, type: input.type, code, validMinutes: CODE_VALID_MINUTES, ...(codePageUrl === undefined ? {} : { codePageUrl }) });
  await deps.mailer.send({ to: email, from: senderOf(deps.policy), subject: mail.subject, text: mail.text, html: mail.html, headers: mailHeaders(mail.language) });
  return Object.freeze({ id, state: 'identity_pending' as const });
}

/** A request made from a portal session, whose owner already proved they hold the address. */
export interface VerifiedNewRequest {
  readonly type: RequestType;
  readonly email: string;
  readonly personId: string | null;
  readonly language: RequestLanguage;
  readonly details?: RequestDetails;
  /** The request whose code opened the session: the proof of identity this one rests on. */
  readonly verifiedBy: string | null;
}

/**
 * Records a request made inside the privacy portal (issue 15): the identity was checked
 * by the code of the session's request moments ago (Art. 12(6) asks for no more), so it
 * starts in progress with its deadline (Art. 12(3)). The caller either answers it at once
 * (a right the engine carries out alone) or leaves it in the staff queue; in the latter
 * case the person receives the acknowledgement with the date by which we answer.
 */
export async function openVerifiedRequest(deps: RequestDeps, input: VerifiedNewRequest, options: { readonly acknowledge?: boolean } = {}): Promise<{ readonly id: string; readonly dueAt: string }> {
  const now = deps.now();
  const id = newId(now.getTime());
  const dueAt = answerDeadline(now);
  const details = { ...(input.details ?? {}), ...(input.verifiedBy === null ? {} : { verifiedBy: input.verifiedBy }) };
  await deps.db
    .insertInto('rightsRequests')
    .values({
      id,
      type: input.type,
      personId: input.personId,
      contactEmail: normaliseEmail(input.email),
      language: input.language,
      channel: 'portal',
      details: JSON.stringify(details),
      state: 'in_progress',
      receivedAt: now,
      dueAt,
      verifiedAt: now,
      noticeVersion: deps.policy.version.hash,
      identityCodeHash: null,
      codeExpiresAt: null,
      codeAttempts: 0,
    })
    .execute();
  if (options.acknowledge === true) {
    const mail = acknowledgementMail({ policy: deps.policy, language: input.language, type: input.type, requestId: id, receivedOn: parisDate(now), dueOn: dueAt });
    await deps.mailer.send({ to: normaliseEmail(input.email), from: senderOf(deps.policy), subject: mail.subject, text: mail.text, html: mail.html, headers: mailHeaders(mail.language) });
  }
  return Object.freeze({ id, dueAt });
}
