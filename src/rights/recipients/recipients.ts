import { createHmac, hkdfSync } from 'node:crypto';
import { checkOutgoingUrl } from '../../http/outgoing-url.js';
import { sql, type Kysely } from 'kysely';
import { partnersOfPerson } from './partners-of-person.js';
import { newId } from '../../db/ids.js';
import type { Database } from '../../db/schema.js';
import { RempartError } from '../../errors.js';
import type { LoadedPolicy } from '../../policy/index.js';
import { normaliseEmail } from '../opposition/identifiers.js';
import { deliverDue, sealNotice, type DeliveryOptions, type DeliveryReport, type DueNotice, type NoticeKind } from './delivery.js';
import type { RecipientEvent } from './tables.js';

/** Who the notice is about: what the recipient needs to find the person in its own files. */
export interface RecipientPersonIdentifiers {
  readonly email: string | null;
  readonly phones?: readonly string[];
  readonly lastName?: string | null;
  readonly firstName?: string | null;
}

/** The JSON a recipient receives (GDPR Art. 19). */
export interface RecipientPayload {
  readonly event: RecipientEvent;
  readonly notificationId: string;
  readonly occurredAt: string;
  readonly person: RecipientPersonIdentifiers;
  /** For a rectification: the fields that changed, with their new values. */
  readonly changes?: Readonly<Record<string, unknown>>;
}

const SEAL_LABEL = 'recipient-notifications';

/** How each event is named in the email a recipient without webhook receives. */
const EVENT_PHRASES: Readonly<Record<RecipientEvent, string>> = {
  rectification: 'rectification',
  erasure: 'erasure',
  restriction: 'restriction of processing',
  restriction_lifted: 'lifting of the restriction of processing',
};

/** The keyed reference of a person in the delivery log: a hash of their email, so they can ask after erasure. */
export function personRef(key: Buffer, email: string): string {
  const k = Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), 'rempart recipient person-ref v1', 32));
  return createHmac('sha256', k).update(normaliseEmail(email), 'utf8').digest('hex');
}

/** The recipient ids the policy allows an endpoint for: its subcontractors, partners and subsidiary roles. */
export function knownRecipients(policy: LoadedPolicy): ReadonlySet<string> {
  return new Set([
    ...policy.locations.subcontractors.map((l) => String(l.id)),
    ...policy.locations.partners.map((l) => String(l.id)),
    ...policy.roles.filter((r) => r.kind === 'subsidiary').map((r) => String(r.id)),
  ]);
}

/** Declares how to reach a recipient named in the policy: a signed webhook, an email, or both. */
export async function setRecipientEndpoint(
  db: Kysely<Database>,
  policy: LoadedPolicy,
  endpoint: { readonly id: string; readonly name: string; readonly webhookUrl?: string | null; readonly hmacSecret?: string | null; readonly email?: string | null },
): Promise<void> {
  if (!knownRecipients(policy).has(endpoint.id)) {
    throw new RempartError('VALIDATION_FAILED', `Recipient "${endpoint.id}" is not a subcontractor, partner or subsidiary of the policy.`, { details: [{ field: 'id', message: 'unknown recipient' }] });
  }
  // SSRF: no webhook into our own network unless the config allows it (src/http/outgoing-url.ts).
  if (endpoint.webhookUrl !== undefined && endpoint.webhookUrl !== null) checkOutgoingUrl(endpoint.webhookUrl, 'webhookUrl');
  const row = { name: endpoint.name, webhookUrl: endpoint.webhookUrl ?? null, hmacSecret: endpoint.hmacSecret ?? null, email: endpoint.email ?? null };
  await db.insertInto('recipientEndpoints').values({ id: endpoint.id, ...row }).onConflict((oc) => oc.column('id').doUpdateSet(row)).execute();
}

/**
 * Queues one notice per recipient that received the person's data (Art. 19): every
 * configured endpoint, and, when the person is named by `personId`, each partner the
 * file-exchange transfer log shows received their data (`partnersOfPerson`), and only
 * those. The payload is sealed with the server key until delivered, so the log holds no
 * clear identifier; run it inside the caller's transaction, before an erasure removes the
 * identifiers and the transfer log's link to the person.
 */
export async function notifyRecipients(
  db: Kysely<Database>,
  key: Buffer,
  notice: {
    readonly event: RecipientEvent;
    readonly person: RecipientPersonIdentifiers;
    /** The person's id: finds the partners that received their data. Without it, endpoints only. */
    readonly personId?: string;
    readonly changes?: Readonly<Record<string, unknown>>;
    readonly now: Date;
  },
): Promise<number> {
  if (notice.person.email === null) return 0;
  const endpoints = await db.selectFrom('recipientEndpoints').select('id').orderBy('id').execute();
  const partners = notice.personId === undefined ? [] : await partnersOfPerson(db, notice.personId);
  const addressees = [
    ...endpoints.map((e) => ({ recipientId: e.id, partnerId: null })),
    ...partners.map((p) => ({ recipientId: null, partnerId: p.id })),
  ];
  const ref = personRef(key, notice.person.email);
  for (const to of addressees) {
    const id = newId(notice.now.getTime());
    const payload: RecipientPayload = { event: notice.event, notificationId: id, occurredAt: notice.now.toISOString(), person: notice.person, ...(notice.changes ? { changes: notice.changes } : {}) };
    await db
      .insertInto('recipientNotifications')
      .values({ id, ...to, personRef: ref, event: notice.event, ...sealNotice(key, SEAL_LABEL, id, payload), nextAttemptAt: notice.now, createdAt: notice.now })
      .execute();
  }
  return addressees.length;
}

/**
 * The notices with their addressee, endpoint or partner: both tables hold the same
 * reachability (signed webhook or email), so one delivery serves both.
 */
function withAddressee(db: Kysely<Database>) {
  return db
    .selectFrom('recipientNotifications as n')
    .leftJoin('recipientEndpoints as e', 'e.id', 'n.recipientId')
    .leftJoin('partners as p', 'p.id', 'n.partnerId')
    .select((eb) => [
      eb.fn.coalesce('n.recipientId', sql<string>`${sql.ref('n.partnerId')}::text`).as('addresseeId'),
      eb.fn.coalesce('e.name', 'p.name').as('name'),
      eb.fn.coalesce('e.webhookUrl', 'p.webhookUrl').as('webhookUrl'),
      eb.fn.coalesce('e.hmacSecret', 'p.hmacSecret').as('hmacSecret'),
      eb.fn.coalesce('e.email', 'p.email').as('email'),
    ]);
}

interface DueArt19Notice extends DueNotice {
  readonly event: RecipientEvent;
}

/** Art. 19 notices in the delivery (delivery.ts): `recipient_notifications`, to an endpoint or a partner. */
const ART19_NOTICES: NoticeKind<DueArt19Notice> = {
  table: 'recipientNotifications',
  sealLabel: SEAL_LABEL,
  due: (db, now, limit) =>
    withAddressee(db)
      .select(['n.id', 'n.attempts', 'n.payloadSealed', 'n.event'])
      .where('n.deliveredAt', 'is', null)
      .where('n.gaveUpAt', 'is', null)
      .where('n.nextAttemptAt', '<=', now)
      .orderBy('n.nextAttemptAt')
      .limit(limit)
      .execute(),
  mail: (n, body) => ({
    subject: `Rempart: ${EVENT_PHRASES[n.event]} of personal data you received (GDPR Art. 19)`,
    text: `${n.name ?? 'Hello'},\n\nUnder GDPR Art. 19 we inform you of the ${EVENT_PHRASES[n.event]} of the data of a person whose data we passed on to you. Details (JSON):\n\n${body}\n`,
  }),
};

/**
 * Sends the Art. 19 notices that are due, through the one delivery of notices
 * (delivery.ts): signed webhook or email, retried after RETRY_DELAYS_MS, then given up
 * and flagged (`gave_up_at`) for the dpo.
 */
export function deliverPending(db: Kysely<Database>, options: DeliveryOptions): Promise<DeliveryReport> {
  return deliverDue(db, ART19_NOTICES, options);
}

/** A notice as the person may see it: which recipient was told what, and whether it arrived. */
export interface NotificationSummary {
  /** The recipient endpoint's id, or the partner's id for a partner of the file exchange. */
  readonly recipientId: string;
  readonly recipientName: string;
  readonly event: RecipientEvent;
  readonly createdAt: Date;
  readonly deliveredAt: Date | null;
  readonly gaveUpAt: Date | null;
  readonly attempts: number;
}

/** The recipients told about the person (Art. 19, last sentence: the person may ask which). */
export async function listNotificationsForPerson(db: Kysely<Database>, key: Buffer, email: string): Promise<NotificationSummary[]> {
  const rows = await withAddressee(db)
    .select(['n.event', 'n.createdAt', 'n.deliveredAt', 'n.gaveUpAt', 'n.attempts'])
    .where('n.personRef', '=', personRef(key, email))
    .orderBy('n.createdAt')
    .execute();
  return rows.map((r) => ({ recipientId: r.addresseeId ?? '', recipientName: r.name ?? '', event: r.event, createdAt: r.createdAt, deliveredAt: r.deliveredAt, gaveUpAt: r.gaveUpAt, attempts: r.attempts }));
}
