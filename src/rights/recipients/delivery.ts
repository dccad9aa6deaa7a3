import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { checkOutgoingUrl } from '../../http/outgoing-url.js';
import type { Kysely } from 'kysely';
import { SecretBox } from '../../access/auth/secret-box.js';
import type { Database } from '../../db/schema.js';

/*
 * The one delivery of notices to the recipients of a person's data: Art. 19 notices
 * (rectification, erasure, restriction; src/rights/recipients) and consent-withdrawal
 * notices to the partners of the file exchange (Art. 7(3), 19; src/consent/notices.ts).
 * Both are "tell this organisation this, prove it was sent, retry until it arrives":
 * one sealed payload, one signature, one backoff, one way of giving up. Each kind keeps
 * its own log table because each reaches the person by a different key that must
 * outlive a different event (a keyed hash of the email for Art. 19, so the person can
 * ask after erasure; the consent pseudonym for consent proofs, Art. 7(1)), and each log
 * is swept by its own retention rule.
 */

/** The delivery logs: the same bookkeeping columns, a different key to the person. */
export type NoticeLogTable = 'recipientNotifications' | 'consentNotices';

/** The delays between attempts: 1 min, 5 min, 30 min, 2 h, 12 h; then the notice is given up and flagged. */
export const RETRY_DELAYS_MS: readonly number[] = Object.freeze([60_000, 300_000, 1_800_000, 7_200_000, 43_200_000]);

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

/**
 * The columns a queued notice starts with: the hash of what is sent (kept as proof) and
 * the payload sealed under the server key, bound to the notice id, until it is settled,
 * so the log holds no clear identifier.
 */
export function sealNotice(key: Buffer, sealLabel: string, id: string, payload: object): { readonly payloadHash: string; readonly payloadSealed: string } {
  const body = JSON.stringify(payload);
  return { payloadHash: createHash('sha256').update(body, 'utf8').digest('hex'), payloadSealed: new SecretBox(key, sealLabel).seal(body, id) };
}

/** How to reach an addressee: a signed webhook when it has one, else an email. */
export interface Addressee {
  readonly name: string | null;
  readonly webhookUrl: string | null;
  readonly hmacSecret: string | null;
  readonly email: string | null;
}

/** A notice whose attempt is due, with its addressee. */
export interface DueNotice extends Addressee {
  readonly id: string;
  readonly attempts: number;
  readonly payloadSealed: string | null;
}

/** One kind of notice: its log, its seal, how its due rows are found and what its email says. */
export interface NoticeKind<N extends DueNotice> {
  readonly table: NoticeLogTable;
  readonly sealLabel: string;
  /** The unsettled notices whose next attempt is at or before `now`, oldest due first, at most `limit`. */
  due(db: Kysely<Database>, now: Date, limit: number): Promise<N[]>;
  /** The email sent to an addressee without webhook. */
  mail(notice: N, body: string): { readonly subject: string; readonly text: string };
}

/** How deliveries reach the outside. */
export interface DeliveryOptions {
  readonly key: Buffer;
  readonly now: Date;
  /** For webhooks; absent, a webhook notice is retried later ("no fetch configured"). */
  readonly fetch?: typeof globalThis.fetch;
  /** For addressees with no webhook: the mailer (src/mail). */
  readonly mailer?: { send(message: { to: string; subject: string; text: string; headers?: Readonly<Record<string, string>> }): Promise<unknown> };
  readonly limit?: number;
}

/** What one delivery run did. */
export interface DeliveryReport {
  readonly delivered: number;
  readonly retried: number;
  readonly gaveUp: number;
}

type Settlement = { attempts: number; lastStatus: string; nextAttemptAt: Date | null; deliveredAt?: Date; gaveUpAt?: Date; payloadSealed?: null };

async function settle(db: Kysely<Database>, table: NoticeLogTable, id: string, set: Settlement): Promise<void> {
  if (table === 'consentNotices') await db.updateTable('consentNotices').set(set).where('id', '=', id).execute();
  else await db.updateTable('recipientNotifications').set(set).where('id', '=', id).execute();
}

/**
 * Sends the notices of one kind that are due: a signed JSON POST (`x-rempart-signature:
 * sha256=<hmac hex of body>`, `x-rempart-delivery: <notice id>`), or an email where the
 * addressee has no webhook. A failure is retried after RETRY_DELAYS_MS; after the last
 * the notice is given up and flagged (`gave_up_at`) for the dpo. The sealed payload is
 * cleared once settled, delivered or given up.
 */
export async function deliverDue<N extends DueNotice>(db: Kysely<Database>, kind: NoticeKind<N>, options: DeliveryOptions): Promise<DeliveryReport> {
  const due = await kind.due(db, options.now, options.limit ?? 100);
  const box = new SecretBox(options.key, kind.sealLabel);
  let delivered = 0;
  let retried = 0;
  let gaveUp = 0;
  for (const n of due) {
    const body = n.payloadSealed === null ? null : box.open(n.payloadSealed, n.id);
    const status = body === null ? 'payload unreadable' : await attempt(kind, n, body, options);
    const attempts = n.attempts + 1;
    if (status === 'delivered') {
      await settle(db, kind.table, n.id, { attempts, lastStatus: status, deliveredAt: options.now, nextAttemptAt: null, payloadSealed: null });
      delivered++;
    } else if (attempts > RETRY_DELAYS_MS.length || body === null) {
      await settle(db, kind.table, n.id, { attempts, lastStatus: status, gaveUpAt: options.now, nextAttemptAt: null, payloadSealed: null });
      gaveUp++;
    } else {
      await settle(db, kind.table, n.id, { attempts, lastStatus: status, nextAttemptAt: new Date(options.now.getTime() + RETRY_DELAYS_MS[attempts - 1]!) });
      retried++;
    }
  }
  return { delivered, retried, gaveUp };
}

async function attempt<N extends DueNotice>(kind: NoticeKind<N>, n: N, body: string, options: DeliveryOptions): Promise<string> {
  try {
    if (n.webhookUrl !== null && n.hmacSecret !== null) {
      if (!options.fetch) return 'no fetch configured';
      // Checked again at send time: the URL may predate the rule, or the allow list have shrunk.
      try {
        checkOutgoingUrl(n.webhookUrl, 'webhookUrl');
      } catch {
        return 'refused: private or reserved address';
      }
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
      const mail = kind.mail(n, body);
      await options.mailer.send({ to: n.email, subject: mail.subject, text: mail.text, headers: { 'X-Rempart-Delivery': n.id } });
      return 'delivered';
    }
    return 'no endpoint';
  } catch (e) {
    // The error's class only: its message may carry an address, and the log keeps no payload.
    return `error ${(e as Error).name}`;
  }
}
