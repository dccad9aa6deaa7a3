import type { Kysely, Transaction } from 'kysely';
import { newId } from '../db/ids.js';
import type { Database } from '../db/schema.js';
import { subjectsOfPerson } from './subjects.js';
import { deliverDue, sealNotice, type DeliveryOptions, type DeliveryReport, type DueNotice, type NoticeKind } from '../rights/recipients/delivery.js';

/**
 * Withdrawal notices to the partners that received the person's data (GDPR Art. 7(3),
 * 19), sent by the one delivery of notices to recipients (src/rights/recipients/delivery.ts:
 * the seal, the `x-rempart-signature` webhook or the email, the backoff, giving up), over
 * a log of their own, `consent_notices`: only the partners in the transfer log are told,
 * and the log is kept under the person's consent pseudonym, the proof of Art. 7(1) that
 * outlives erasure unlinked.
 */

const SEAL_LABEL = 'consent-notices';

/** The JSON a partner receives. */
export interface ConsentNoticePayload {
  readonly event: 'consent_withdrawn';
  readonly notificationId: string;
  readonly occurredAt: string;
  readonly partnerId: string;
  /** The consent record (ISO/IEC TS 27560 record id) of the withdrawal. */
  readonly consentRecordId: string;
  /** What the partner needs to find the person in the files it received. */
  readonly person: { readonly email: string | null; readonly lastName: string | null; readonly firstName: string | null };
}

/** The partners a person's data was sent to (transfer log, under any of their pseudonyms), among `partnerIds` when given. */
export async function partnersThatReceived(db: Kysely<Database>, personId: string, partnerIds?: readonly string[]): Promise<string[]> {
  let q = db.selectFrom('transferItems as i').innerJoin('transfers as t', 't.id', 'i.transferId').select('t.partnerId').distinct().where('i.subjectId', 'in', subjectsOfPerson(db, personId));
  if (partnerIds !== undefined) {
    if (partnerIds.length === 0) return [];
    q = q.where('t.partnerId', 'in', partnerIds);
  }
  return (await q.orderBy('t.partnerId').execute()).map((r) => r.partnerId);
}

/** Queues one sealed notice per partner, inside the withdrawal's transaction. */
export async function queueWithdrawalNotices(
  tx: Transaction<Database>,
  key: Buffer,
  notice: { readonly subjectId: string; readonly partnerIds: readonly string[]; readonly eventIds: ReadonlyMap<string, string>; readonly person: ConsentNoticePayload['person']; readonly now: Date },
): Promise<number> {
  for (const partnerId of notice.partnerIds) {
    const id = newId(notice.now.getTime());
    const consentRecordId = notice.eventIds.get(partnerId) as string;
    const payload: ConsentNoticePayload = { event: 'consent_withdrawn', notificationId: id, occurredAt: notice.now.toISOString(), partnerId, consentRecordId, person: notice.person };
    await tx
      .insertInto('consentNotices')
      .values({
        id,
        partnerId,
        subjectId: notice.subjectId,
        consentEventId: consentRecordId,
        ...sealNotice(key, SEAL_LABEL, id, payload),
        nextAttemptAt: notice.now,
        createdAt: notice.now,
      })
      .execute();
  }
  return notice.partnerIds.length;
}

/** What one delivery run did. */
export type NoticeDeliveryReport = DeliveryReport;

/** Withdrawal notices in the one delivery: `consent_notices`, each to a partner of the file exchange. */
const WITHDRAWAL_NOTICES: NoticeKind<DueNotice> = {
  table: 'consentNotices',
  // Kept as it was: the notices queued before the delivery was shared still open.
  sealLabel: SEAL_LABEL,
  due: (db, now, limit) =>
    db
      .selectFrom('consentNotices as n')
      .innerJoin('partners as p', 'p.id', 'n.partnerId')
      .select(['n.id', 'n.attempts', 'n.payloadSealed', 'p.webhookUrl', 'p.hmacSecret', 'p.email', 'p.name'])
      .where('n.deliveredAt', 'is', null)
      .where('n.gaveUpAt', 'is', null)
      .where('n.nextAttemptAt', '<=', now)
      .orderBy('n.nextAttemptAt')
      .limit(limit)
      .execute(),
  mail: (n, body) => ({
    subject: 'Rempart: withdrawal of consent to the exchange of personal data you received (GDPR Art. 7(3))',
    text:
      `${n.name ?? 'Hello'},\n\nA person whose data we passed to you on the basis of their consent has withdrawn it. ` +
      `Under GDPR Art. 7(3) and 19, stop processing the data received from us on that basis. Details (JSON):\n\n${body}\n`,
  }),
};

/**
 * Sends the withdrawal notices that are due, through the one delivery of notices
 * (src/rights/recipients/delivery.ts): a signed JSON POST to the partner's webhook, or an
 * email where it has none; a failure is retried after the Art. 19 delays, then given up
 * and flagged (`gave_up_at`) for the dpo. The sealed payload is cleared once settled.
 */
export function deliverConsentNotices(db: Kysely<Database>, options: DeliveryOptions): Promise<NoticeDeliveryReport> {
  return deliverDue(db, WITHDRAWAL_NOTICES, options);
}

/** The delivery log of the withdrawal notices about a person (under any of their pseudonyms), for the proof page. */
export async function noticesOf(db: Kysely<Database>, personId: string, partnerId?: string) {
  let q = db
    .selectFrom('consentNotices')
    .select(['id', 'partnerId', 'consentEventId', 'payloadHash', 'attempts', 'lastStatus', 'deliveredAt', 'gaveUpAt', 'createdAt'])
    .where('subjectId', 'in', subjectsOfPerson(db, personId));
  if (partnerId !== undefined) q = q.where('partnerId', '=', partnerId);
  return q.orderBy('createdAt').orderBy('id').execute();
}

// In rights/recipients/, which uses it for Art. 19 and sits below consent/; re-exported for consent's callers.
export { partnersOfPerson } from '../rights/recipients/partners-of-person.js';
