import { recordConnection } from '../../access/connection-logs/index.js';
import { RempartError } from '../../errors.js';
import { acknowledgementMail } from '../../mail/index.js';
import { senderOf, type RequestClient, type RequestDeps } from './context.js';
import { parisDate } from './deadlines.js';
import { MAX_CODE_ATTEMPTS, codeMatches } from './identity.js';
import { mailHeaders } from './mail-headers.js';

/** Why a code check failed, as written in the connection log. */
export type IdentityCheckFailure = 'unknown_request' | 'not_pending' | 'expired' | 'too_many_attempts' | 'bad_code';

/** A successful check: the request is in progress; its deadline. */
export interface VerifiedRequest {
  readonly id: string;
  readonly state: 'in_progress';
  readonly dueAt: string;
}

const MESSAGES: Readonly<Record<IdentityCheckFailure, string>> = {
  unknown_request: 'No request is waiting for a code under this id.',
  not_pending: 'No request is waiting for a code under this id.',
  expired: 'This code has expired; make the request again to receive a new one.',
  too_many_attempts: 'Too many wrong codes; make the request again to receive a new one.',
  bad_code: 'The code is wrong.',
};

/**
 * Checks the one-time code of a request (GDPR Art. 12(6)). Each check, right or wrong,
 * is written to the connection log as an 'identity_check' (P1.7), with the requester's
 * address only as a keyed hash. After 5 wrong codes or 30 minutes the code is void
 * (its hash erased), so guessing a million codes is out of reach (Art. 32). On success
 * the request is in progress and the person receives the acknowledgement with the date
 * by which we answer (Art. 12(3)).
 */
export async function verifyRequest(deps: RequestDeps, id: string, code: string, client: RequestClient): Promise<VerifiedRequest> {
  const now = deps.now();
  // The attempt is counted, judged and logged in one transaction, and nothing in it
  // throws, so a wrong code still leaves its count and its log entry.
  const outcome = await deps.db.transaction().execute(async (trx) => {
    const row = await trx
      .updateTable('rightsRequests')
      .set((eb) => ({ codeAttempts: eb('codeAttempts', '+', 1) }))
      .where('id', '=', id)
      .returning(['id', 'state', 'contactEmail', 'identityCodeHash', 'codeExpiresAt', 'codeAttempts', 'dueAt', 'type', 'language', 'receivedAt'])
      .executeTakeFirst();
    let failure: IdentityCheckFailure | null = null;
    if (row === undefined) failure = 'unknown_request';
    else if (row.state !== 'identity_pending') failure = 'not_pending';
    // Checked before the spent hash, so a locked request says why it is locked.
    else if (row.codeAttempts > MAX_CODE_ATTEMPTS) failure = 'too_many_attempts';
    else if (row.identityCodeHash === null) failure = 'not_pending';
    else if (row.codeExpiresAt === null || row.codeExpiresAt.getTime() <= now.getTime()) failure = 'expired';
    else if (!codeMatches(id, code, row.identityCodeHash, deps.serverKey)) failure = 'bad_code';

    if (row !== undefined) {
      if (failure === null) {
        await trx
          .updateTable('rightsRequests')
          .set({ state: 'in_progress', verifiedAt: now, identityCodeHash: null, codeExpiresAt: null })
          .where('id', '=', id)
          .execute();
      } else if (failure === 'expired' || failure === 'too_many_attempts' || (failure === 'bad_code' && row.codeAttempts >= MAX_CODE_ATTEMPTS)) {
        // The code is spent: nothing left to guess.
        await trx.updateTable('rightsRequests').set({ identityCodeHash: null, codeExpiresAt: null }).where('id', '=', id).execute();
      }
    }
    await recordConnection(
      trx,
      {
        at: now,
        service: client.service ?? 'portal',
        event: 'identity_check',
        accountId: null,
        identifier: row?.contactEmail ?? null,
        sourceIp: client.sourceIp,
        sourcePort: client.sourcePort,
        userAgent: client.userAgent,
        outcome: failure === null ? 'success' : 'failure',
        reason: failure,
      },
      deps.serverKey,
    );
    return { row, failure };
  });

  const { row, failure } = outcome;
  if (failure !== null || row === undefined) {
    const reason = failure ?? 'unknown_request';
    throw new RempartError(reason === 'unknown_request' || reason === 'not_pending' ? 'NOT_FOUND' : 'VALIDATION_FAILED', MESSAGES[reason], {
      details: [{ field: 'code', message: MESSAGES[reason] }],
    });
  }
  if (row.contactEmail !== null) {
    const mail = acknowledgementMail({
      policy: deps.policy,
      language: row.language,
      type: row.type,
      requestId: row.id,
      receivedOn: parisDate(row.receivedAt),
      dueOn: row.dueAt,
    });
    await deps.mailer.send({ to: row.contactEmail, from: senderOf(deps.policy), subject: mail.subject, text: mail.text, html: mail.html, headers: mailHeaders(mail.language) });
  }
  return Object.freeze({ id: row.id, state: 'in_progress' as const, dueAt: row.dueAt });
}
