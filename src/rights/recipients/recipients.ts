import { createHash, createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { partnersOfPerson } from '../../consent/notices.js';
import { SecretBox } from '../../access/auth/secret-box.js';
import { newId } from '../../db/ids.js';
import type { Database } from '../../db/schema.js';
import { RempartError } from '../../errors.js';
import type { LoadedPolicy } from '../../policy/index.js';
import { normaliseEmail } from '../opposition/identifiers.js';
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

/** The delays between attempts: 1 min, 5 min, 30 min, 2 h, 12 h; then the notice is given up and flagged. */
export const RETRY_DELAYS_MS: readonly number[] = Object.freeze([60_000, 300_000, 1_800_000, 7_200_000, 43_200_000]);

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

/** `sha256=<hex>`: the HMAC-SHA256 of the body under the recipient's secret, sent as `x-rempart-signature`. */
export function signBody(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body, 'utf8').digest('hex')}`;
}

/** Checks an `x-rempart-signature` header in constant time (what a recipient does). */
export function verifySignature(secret: string, body: string, header: string | undefined): boolean {
  if (header === undefined) return false;
  const a = Buffer.from(signBody(secret, body));
  const b = Buffer.from(header);
  return a.length === b.length && timingSafeEqual(a, b);
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
  const box = new SecretBox(key, SEAL_LABEL);
  const ref = personRef(key, notice.person.email);
  for (const to of addressees) {
    const id = newId(notice.now.getTime());
    const payload: RecipientPayload = { event: notice.event, notificationId: id, occurredAt: notice.now.toISOString(), person: notice.person, ...(notice.changes ? { changes: notice.changes } : {}) };
    const body = JSON.stringify(payload);
    await db
      .insertInto('recipientNotifications')
      .values({
        id,
        ...to,
        personRef: ref,
        event: notice.event,
        payloadHash: createHash('sha256').update(body, 'utf8').digest('hex'),
        payloadSealed: box.seal(body, id),
        nextAttemptAt: notice.now,
        createdAt: notice.now,
      })
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

/** How deliveries reach the outside. */
export interface DeliveryOptions {
  readonly key: Buffer;
  readonly now: Date;
  readonly fetch: typeof globalThis.fetch;
  /** For recipients with no webhook: the mailer (src/mail). */
  readonly mailer?: { send(message: { to: string; subject: string; text: string; headers?: Readonly<Record<string, string>> }): Promise<unknown> };
  readonly limit?: number;
}

/** What one delivery run did. */
export interface DeliveryReport {
  readonly delivered: number;
  readonly retried: number;
  readonly gaveUp: number;
}

/**
 * Sends the notices that are due: a signed JSON POST (`x-rempart-signature:
 * sha256=<hmac hex of body>`), or an email where the recipient has no webhook. A failure
 * is retried after 1 min, 5 min, 30 min, 2 h and 12 h; then the notice is given up and
 * flagged (`gave_up_at`) for the dpo. The sealed payload is cleared once settled.
 */
export async function deliverPending(db: Kysely<Database>, options: DeliveryOptions): Promise<DeliveryReport> {
  const due = await withAddressee(db)
    .select(['n.id', 'n.attempts', 'n.payloadSealed', 'n.event'])
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
    let status: string;
    if (body === null) status = 'payload unreadable';
    else status = await attempt(n, body, options);
    const attempts = n.attempts + 1;
    if (status === 'delivered') {
      await db.updateTable('recipientNotifications').set({ attempts, lastStatus: 'delivered', deliveredAt: options.now, nextAttemptAt: null, payloadSealed: null }).where('id', '=', n.id).execute();
      delivered++;
    } else if (attempts > RETRY_DELAYS_MS.length || body === null) {
      await db.updateTable('recipientNotifications').set({ attempts, lastStatus: status, gaveUpAt: options.now, nextAttemptAt: null, payloadSealed: null }).where('id', '=', n.id).execute();
      gaveUp++;
    } else {
      const next = new Date(options.now.getTime() + RETRY_DELAYS_MS[attempts - 1]!);
      await db.updateTable('recipientNotifications').set({ attempts, lastStatus: status, nextAttemptAt: next }).where('id', '=', n.id).execute();
      retried++;
    }
  }
  return { delivered, retried, gaveUp };
}

async function attempt(
  n: { id: string; event: RecipientEvent; webhookUrl: string | null; hmacSecret: string | null; email: string | null; name: string | null },
  body: string,
  options: DeliveryOptions,
): Promise<string> {
  try {
    if (n.webhookUrl !== null && n.hmacSecret !== null) {
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
        subject: `Rempart: ${EVENT_PHRASES[n.event]} of personal data you received (GDPR Art. 19)`,
        text: `${n.name ?? 'Hello'},\n\nUnder GDPR Art. 19 we inform you of the ${EVENT_PHRASES[n.event]} of the data of a person whose data we passed on to you. Details (JSON):\n\n${body}\n`,
        headers: { 'X-Rempart-Delivery': n.id },
      });
      return 'delivered';
    }
    return 'no endpoint';
  } catch (e) {
    // Class only: a network error's message may carry the URL, never personal data, but stay terse.
    return `error ${(e as Error).name}`;
  }
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
