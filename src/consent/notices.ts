import { createHash } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import { SecretBox } from '../access/auth/secret-box.js';
import { newId } from '../db/ids.js';
import type { Database } from '../db/schema.js';
import type { Mailer } from '../mail/index.js';
import { RETRY_DELAYS_MS, signBody } from '../rights/recipients/index.js';

/**
 * Withdrawal notices to the partners that received the person's data (GDPR Art. 7(3),
 * 19): the Art. 19 machinery's signature (`x-rempart-signature: sha256=<hmac>`) and
 * backoff (src/rights/recipients), over a log of our own, since only the partners in the
 * transfer log are told, and the log is kept under the person's consent pseudonym.
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

/** The partners a person's data was sent to (transfer log), among `partnerIds` when given. */
export async function partnersThatReceived(db: Kysely<Database>, subjectId: string, partnerIds?: readonly string[]): Promise<string[]> {
  let q = db.selectFrom('transferItems as i').innerJoin('transfers as t', 't.id', 'i.transferId').select('t.partnerId').distinct().where('i.subjectId', '=', subjectId);
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
  const box = new SecretBox(key, SEAL_LABEL);
  for (const partnerId of notice.partnerIds) {
    const id = newId(notice.now.getTime());
    const consentRecordId = notice.eventIds.get(partnerId) as string;
    const payload: ConsentNoticePayload = { event: 'consent_withdrawn', notificationId: id, occurredAt: notice.now.toISOString(), partnerId, consentRecordId, person: notice.person };
    const body = JSON.stringify(payload);
    await tx
      .insertInto('consentNotices')
      .values({
        id,
        partnerId,
        subjectId: notice.subjectId,
        consentEventId: consentRecordId,
        payloadHash: createHash('sha256').update(body, 'utf8').digest('hex'),
        payloadSealed: box.seal(body, id),
        nextAttemptAt: notice.now,
        createdAt: notice.now,
      })
      .execute();
  }
  return notice.partnerIds.length;
}

/** What one delivery run did. */
export interface NoticeDeliveryReport {
  readonly delivered: number;
  readonly retried: number;
  readonly gaveUp: number;
}

/**
 * Sends the withdrawal notices that are due: a signed JSON POST to the partner's webhook,
 * or an email where it has none. A failure is retried after the Art. 19 delays; then
 * given up and flagged (`gave_up_at`) for the dpo. The sealed payload is cleared once settled.
 */
export async function deliverConsentNotices(
  db: Kysely<Database>,
  options: { readonly key: Buffer; readonly now: Date; readonly fetch?: typeof globalThis.fetch; readonly mailer?: Pick<Mailer, 'send'>; readonly limit?: number },
): Promise<NoticeDeliveryReport> {
  const due = await db
    .selectFrom('consentNotices as n')
    .innerJoin('partners as p', 'p.id', 'n.partnerId')
    .select(['n.id', 'n.attempts', 'n.payloadSealed', 'p.webhookUrl', 'p.hmacSecret', 'p.email', 'p.name'])
    .where('n.deliveredAt', 'is', null)
    .where('n.gaveUpAt', 'is', null)
    .where('n.nextAttemptAt', '<=', options.now)
    .orderBy('n.nextAttemptAt')
    .limit(options.limit ?? 100)
    .execute();
  const box = new SecretBox(options.key, SEAL_LABEL);
  let delivered = 0;
  let retried = 0;
  let gaveUp = 0;
  for (const n of due) {
    const body = n.payloadSealed === null ? null : box.open(n.payloadSealed, n.id);
    const status = body === null ? 'payload unreadable' : await attempt(n, body, options);
    const attempts = n.attempts + 1;
    if (status === 'delivered') {
      await db.updateTable('consentNotices').set({ attempts, lastStatus: status, deliveredAt: options.now, nextAttemptAt: null, payloadSealed: null }).where('id', '=', n.id).execute();
      delivered++;
    } else if (attempts > RETRY_DELAYS_MS.length || body === null) {
      await db.updateTable('consentNotices').set({ attempts, lastStatus: status, gaveUpAt: options.now, nextAttemptAt: null, payloadSealed: null }).where('id', '=', n.id).execute();
      gaveUp++;
    } else {
      const next = new Date(options.now.getTime() + (RETRY_DELAYS_MS[attempts - 1] as number));
      await db.updateTable('consentNotices').set({ attempts, lastStatus: status, nextAttemptAt: next }).where('id', '=', n.id).execute();
      retried++;
    }
  }
  return { delivered, retried, gaveUp };
}

async function attempt(
  n: { id: string; webhookUrl: string | null; hmacSecret: string | null; email: string | null; name: string },
  body: string,
  options: { readonly fetch?: typeof globalThis.fetch; readonly mailer?: Pick<Mailer, 'send'> },
): Promise<string> {
  try {
    if (n.webhookUrl !== null && n.hmacSecret !== null) {
      if (!options.fetch) return 'no fetch configured';
      const res = await options.fetch(n.webhookUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-rempart-signature': signBody(n.hmacSecret, body), 'x-rempart-delivery': n.id },
        body,
        signal: AbortSignal.timeout(10_000),
      });
      return res.ok ? 'delivered' : `http ${res.status}`;
    }
    if (n.email !== null) {
      if (!options.mailer) return 'no mailer configured';
      await options.mailer.send({
        to: n.email,
        subject: 'Rempart: withdrawal of consent to the exchange of personal data you received (GDPR Art. 7(3))',
        text:
          `${n.name},\n\nA person whose data we passed to you on the basis of their consent has withdrawn it. ` +
          `Under GDPR Art. 7(3) and 19, stop processing the data received from us on that basis. Details (JSON):\n\n${body}\n`,
        headers: { 'X-Rempart-Delivery': n.id },
      });
      return 'delivered';
    }
    return 'no endpoint';
  } catch (e) {
    // Class only: never an address or a payload in the log.
    return `error ${(e as Error).name}`;
  }
}

/** The delivery log of the withdrawal notices about a person (by pseudonym), for the proof page. */
export async function noticesOf(db: Kysely<Database>, subjectId: string, partnerId?: string) {
  let q = db
    .selectFrom('consentNotices')
    .select(['id', 'partnerId', 'consentEventId', 'payloadHash', 'attempts', 'lastStatus', 'deliveredAt', 'gaveUpAt', 'createdAt'])
    .where('subjectId', '=', subjectId);
  if (partnerId !== undefined) q = q.where('partnerId', '=', partnerId);
  return q.orderBy('createdAt').execute();
}

/**
 * The partners that received a person's data, from the transfer log: whom an erasure,
 * rectification or restriction must reach under GDPR Art. 19 (for src/rights/recipients).
 */
export async function partnersOfPerson(db: Kysely<Database>, personId: string): Promise<{ id: string; name: string; webhookUrl: string | null; email: string | null }[]> {
  return db
    .selectFrom('consentSubjects as s')
    .innerJoin('transferItems as i', 'i.subjectId', 's.id')
    .innerJoin('transfers as t', 't.id', 'i.transferId')
    .innerJoin('partners as p', 'p.id', 't.partnerId')
    .select(['p.id', 'p.name', 'p.webhookUrl', 'p.email'])
    .distinct()
    .where('s.personId', '=', personId)
    .orderBy('p.id')
    .execute();
}
