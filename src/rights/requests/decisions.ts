import { RempartError } from '../../errors.js';
import { answerMail, extensionMail, refusalMail, type MailAttachment } from '../../mail/index.js';
import { senderOf, type RequestDeps } from './context.js';
import { MAX_EXTENSION_MONTHS, canStillExtend, extendedDeadline } from './deadlines.js';
import { deleteIdDocument } from './id-documents.js';
import { subjectHash } from './identity.js';
import { loadRequest } from './load.js';
import { mailHeaders } from './mail-headers.js';
import type { RequestRow } from './present.js';
import type { RequestDetails, RequestState, RequestType } from './tables.js';

/** What the handler of a right returns: the text of the answer and its files (the export…). */
export interface ExecutionResult {
  readonly summary: string;
  readonly attachments?: readonly MailAttachment[];
}

/** What the handler of a right is told besides the type and the person. */
export interface ExecutionContext {
  readonly requestId: string;
  readonly language: RequestRow['language'];
  readonly details: RequestDetails | null;
}

/**
 * Carries out a right for a person (access export, erasure…), provided by the engine of
 * each right. `personId` is null when no person matched the address: the answer then
 * says we hold nothing on it (Art. 15(1): confirmation either way).
 */
export type RightExecutor = (type: RequestType, personId: string | null, context: ExecutionContext) => Promise<ExecutionResult>;

/** States where the request is being handled: it can be extended, answered or refused. */
const HANDLING: readonly RequestState[] = ['received', 'in_progress', 'extended'];

function requireReason(reason: string, what: string): string {
  const why = reason.trim();
  if (why === '') throw new RempartError('VALIDATION_FAILED', `${what} needs its reasons (GDPR Art. 12).`, { details: [{ field: 'reason', message: 'is required' }] });
  return why;
}

function requireState(row: RequestRow, allowed: readonly RequestState[], action: string): void {
  if (!allowed.includes(row.state)) throw new RempartError('CONFLICT', `The request is ${row.state}; it cannot be ${action}.`);
}

function recipient(row: RequestRow): string {
  if (row.contactEmail === null) throw new RempartError('CONFLICT', 'The request has no address to answer to.');
  return row.contactEmail;
}

/**
 * Closes a request: the ID document is deleted and only a keyed hash of the person's
 * identifiers is kept, proof it was handled and nothing to re-identify them (GDPR Art.
 * 5(1)(c),(e); the policy's closed_requests retention). The update is conditional on the
 * state read, so two staff closing at once cannot both succeed.
 */
async function close(
  deps: RequestDeps,
  row: RequestRow,
  fields: { state: 'answered' | 'refused' | 'withdrawn'; refusalReason?: string; answered: boolean },
): Promise<void> {
  const now = deps.now();
  const hash = row.subjectHash ?? (row.contactEmail === null ? null : subjectHash(row.contactEmail, deps.serverKey));
  if (hash === null) throw new RempartError('INTERNAL', 'A request reached its close without an address to hash.');
  const result = await deps.db
    .updateTable('rightsRequests')
    .set({
      state: fields.state,
      ...(fields.refusalReason === undefined ? {} : { refusalReason: fields.refusalReason }),
      answeredAt: fields.answered ? now : null,
      closedAt: now,
      subjectHash: hash,
      contactEmail: null,
      personId: null,
      details: null,
      identityCodeHash: null,
      codeExpiresAt: null,
      idDocumentPath: null,
    })
    .where('id', '=', row.id)
    .where('state', '=', row.state)
    .executeTakeFirst();
  if (result.numUpdatedRows === 0n) throw new RempartError('CONFLICT', 'The request changed meanwhile; read it again.');
  if (row.idDocumentPath !== null) {
    if (deps.dataDir === undefined) throw new RempartError('CONFIG_INVALID', 'The request has an ID document but no data directory was given to delete it from.');
    await deleteIdDocument(deps.dataDir, row.idDocumentPath);
  }
}

/**
 * Extends the deadline by up to two further months, with the reasons, and tells the
 * person (GDPR Art. 12(3)): only while the first month has not ended, and only once.
 */
export async function extendRequest(deps: RequestDeps, id: string, reason: string, furtherMonths: number = MAX_EXTENSION_MONTHS): Promise<RequestRow> {
  const why = requireReason(reason, 'An extension');
  const row = await loadRequest(deps.db, id);
  if (row.state === 'extended') throw new RempartError('CONFLICT', 'The request is already extended; GDPR Art. 12(3) allows one extension of at most two months.');
  requireState(row, ['received', 'in_progress'], 'extended');
  const now = deps.now();
  if (!canStillExtend(row.receivedAt, now)) {
    throw new RempartError('CONFLICT', `The first deadline (${row.dueAt}) has passed: an extension must be decided and told within one month of receipt (GDPR Art. 12(3)).`);
  }
  let newDue: string;
  try {
    newDue = extendedDeadline(row.receivedAt, furtherMonths);
  } catch (e) {
    throw new RempartError('VALIDATION_FAILED', (e as Error).message, { details: [{ field: 'months', message: 'must be 1 or 2' }], cause: e });
  }
  // The person is told first: an extension they were not told of is not one (Art. 12(3)).
  const mail = extensionMail({ policy: deps.policy, language: row.language, type: row.type, requestId: row.id, reason: why, firstDueOn: row.dueAt, newDueOn: newDue });
  await deps.mailer.send({ to: recipient(row), from: senderOf(deps.policy), subject: mail.subject, text: mail.text, html: mail.html, headers: mailHeaders(mail.language) });
  const updated = await deps.db
    .updateTable('rightsRequests')
    .set({ state: 'extended', extendedDueAt: newDue, extensionReason: why })
    .where('id', '=', id)
    .where('state', '=', row.state)
    .returningAll()
    .executeTakeFirst();
  if (updated === undefined) throw new RempartError('CONFLICT', 'The request changed meanwhile; read it again.');
  return updated;
}

/**
 * Refuses to act on a request, with its reasons, telling the person of their right to
 * complain to the CNIL and to a court (GDPR Art. 12(4); P5.7); then closes it.
 * A request whose identity check never succeeded can be refused too (Art. 12(2), 11(2)).
 */
export async function refuseRequest(deps: RequestDeps, id: string, reason: string): Promise<void> {
  const why = requireReason(reason, 'A refusal');
  const row = await loadRequest(deps.db, id);
  requireState(row, [...HANDLING, 'identity_pending'], 'refused');
  const mail = refusalMail({ policy: deps.policy, language: row.language, type: row.type, requestId: row.id, reason: why });
  await deps.mailer.send({ to: recipient(row), from: senderOf(deps.policy), subject: mail.subject, text: mail.text, html: mail.html, headers: mailHeaders(mail.language) });
  await close(deps, row, { state: 'refused', refusalReason: why, answered: true });
}

/** Options of answerRequest. */
export interface AnswerOptions {
  /** Every people record of the requester (found by their address); default the request's matched record. */
  readonly personIds?: readonly string[];
}

/**
 * Answers a request: runs the handler of the right, mails the answer (with the right to
 * complain, P5.7) and its files, then closes the request, keeping only the subject hash.
 */
export async function answerRequest(deps: RequestDeps, id: string, executor: RightExecutor, options: AnswerOptions = {}): Promise<void> {
  const row = await loadRequest(deps.db, id);
  requireState(row, HANDLING, 'answered');
  const to = recipient(row);
  const context = { requestId: row.id, language: row.language, details: row.details };
  // One person entered twice is still one person (Art. 15(1) "the personal data"): each record gets the right, and one answer tells it.
  const people = options.personIds !== undefined && options.personIds.length > 0 ? options.personIds : [row.personId];
  const results: ExecutionResult[] = [];
  for (const personId of people) results.push(await executor(row.type, personId, context));
  const result: ExecutionResult = { summary: [...new Set(results.map((r) => r.summary))].join('\n\n'), attachments: results.flatMap((r) => r.attachments ?? []) };
  const attachments = result.attachments ?? [];
  const mail = answerMail({
    policy: deps.policy,
    language: row.language,
    type: row.type,
    requestId: row.id,
    summary: result.summary,
    attachmentNames: attachments.map((a) => a.filename),
  });
  await deps.mailer.send({ to, from: senderOf(deps.policy), subject: mail.subject, text: mail.text, html: mail.html, headers: mailHeaders(mail.language), attachments });
  await close(deps, row, { state: 'answered', answered: true });
}

/** Records that the person withdrew the request (or never confirmed it), and closes it. */
export async function withdrawRequest(deps: RequestDeps, id: string): Promise<void> {
  const row = await loadRequest(deps.db, id);
  requireState(row, [...HANDLING, 'identity_pending'], 'withdrawn');
  await close(deps, row, { state: 'withdrawn', answered: false });
}
