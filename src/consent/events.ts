import { sql, type Kysely, type Selectable } from 'kysely';
import { appendInTransaction } from '../access/audit/index.js';
import type { AuditEvent } from '../access/audit/index.js';
import { newId } from '../db/ids.js';
import type { Database } from '../db/schema.js';
import { RempartError } from '../errors.js';
import { consentReceiptMail, consentWithdrawnMail, type MailLanguage } from '../mail/index.js';
import { senderOf } from '../rights/requests/context.js';
import { FILE_SHARING, type ConsentDeps } from './context.js';
import { deliverConsentNotices, partnersThatReceived, queueWithdrawalNotices } from './notices.js';
import { getPartner, type Partner } from './partners.js';
import { ensureSubject, subjectOf } from './subjects.js';
import type { ConsentEventsTable, ConsentState } from './tables.js';
import { withdrawalToken } from './withdrawal-token.js';

/** A consent change as given to `recordConsent`. */
export interface ConsentInput {
  readonly personId: string;
  /** One partner, several, or every registered partner (`'all'`). */
  readonly partnerId: string | 'all' | readonly string[];
  readonly state: ConsentState;
  /** Where it was expressed: 'web_form', 'email', 'phone', 'paper', 'portal', 'link', 'gpc'… */
  readonly channel: string;
  /** Defaults to the version of the policy (the notice) in force (D3). */
  readonly noticeVersion?: string;
  /** The exact text shown; defaults to the notice's text for the purpose and partner. */
  readonly textShown?: string;
  /** Who collected it: an actor id (`user:…`, `token:…`, `system:…`). */
  readonly collector: string;
  /** The proof: a form submission id, a signed email's Message-ID… */
  readonly evidence?: string | null;
  readonly language?: MailLanguage;
}

/** One consent event as stored (ISO/IEC TS 27560 fields). */
export type ConsentEvent = Selectable<ConsentEventsTable>;

/** What recording did. */
export interface ConsentRecorded {
  readonly events: readonly { readonly id: string; readonly partnerId: string; readonly state: ConsentState; readonly eventAt: string; readonly noticeVersion: string }[];
  /** Partners told of a withdrawal: those that had received the person's data. */
  readonly partnersNotified: readonly string[];
  readonly receiptSent: boolean;
}

/** The notice's id for consent to file exchange: the policy's purpose, as the register names it. */
const NOTICE_ID = `policy#purposes/${FILE_SHARING}`;

/** The text shown when the caller gives none: the notice's own words for the purpose, and the partner. */
export function defaultConsentText(deps: Pick<ConsentDeps, 'policy'>, partner: Pick<Partner, 'name' | 'country'>, language: MailLanguage = 'fr'): string {
  const purpose = deps.policy.purposes.find((p) => p.id === FILE_SHARING);
  const description = purpose ? purpose.description[language] : '';
  return language === 'fr'
    ? `${description} Destinataire : ${partner.name} (${partner.country}).`
    : `${description} Recipient: ${partner.name} (${partner.country}).`;
}

/** The ISO/IEC TS 27560 context of an event: purpose, data, controller, storage, retention, jurisdiction, withdrawal. */
function recordContext(deps: Pick<ConsentDeps, 'policy'>, partner: Partner) {
  const { policy } = deps;
  const purpose = policy.purposes.find((p) => p.id === FILE_SHARING);
  if (!purpose) throw new RempartError('POLICY_INVALID', `The policy declares no ${FILE_SHARING} purpose, so no consent to file exchange can be recorded.`);
  const stores = new Map(policy.locations.stores.map((s) => [String(s.id), s.country]));
  const proofs = policy.accountabilityRetention?.consent_proofs;
  return {
    noticeId: NOTICE_ID,
    purpose: FILE_SHARING,
    dataCategories: JSON.stringify([...purpose.dataCategories]),
    controller: policy.controller.name,
    recipient: JSON.stringify({ id: partner.id, name: partner.name, kind: partner.kind, country: partner.country, transferGround: partner.transferGround }),
    storageLocations: JSON.stringify(purpose.location.map((id) => ({ id: String(id), country: stores.get(String(id)) ?? 'unknown' }))),
    retention:
      `data: ${purpose.retention.active} from ${purpose.retention.start}, then ${purpose.retention.end}` +
      (proofs ? `; proof of consent: ${proofs.active} active, ${proofs.archive} archive from ${proofs.start}` : ''),
    jurisdiction: `${policy.controller.address.country || 'FR'}; EU (Regulation (EU) 2016/679)`,
    withdrawalMethod: 'One click on the link in the consent receipt (no sign-in), the portal, or any channel to the controller; effective at once (GDPR Art. 7(3))',
  };
}

function auditEvent(now: Date, collector: string, action: AuditEvent['action'], recordIds: readonly string[], personId: string, fields: readonly string[]): AuditEvent {
  return { at: now, actor: collector, role: null, purpose: FILE_SHARING, action, resource: 'consents', recordIds, personIds: [personId], fields };
}

/**
 * Records a consent change, one new event per partner (the history is never rewritten;
 * Art. 7(1)). A withdrawal takes effect at once: the next transfer leaves the person
 * out, and every partner that had received their data is told (Art. 7(3), 19). A given
 * consent sends the person a receipt with a one-click withdrawal link.
 */
export async function recordConsent(deps: ConsentDeps, input: ConsentInput, options: { readonly role?: string | null } = {}): Promise<ConsentRecorded> {
  const now = deps.now();
  const language = input.language ?? 'fr';
  const partners =
    input.partnerId === 'all'
      ? await listAllPartners(deps.db)
      : await Promise.all((typeof input.partnerId === 'string' ? [input.partnerId] : input.partnerId).map((id) => getPartner(deps.db, id)));
  // Checked before anything is written: a receipt without a reachable withdrawal link would break Art. 7(3).
  if (deps.mailer && deps.publicUrl === undefined) {
    throw new RempartError('CONFIG_INVALID', 'Consent receipts need the public URL of the server for their withdrawal link.', { details: [{ field: 'publicUrl', message: 'required when a mailer is given' }] });
  }
  const publicUrl = deps.publicUrl ?? '';
  if (input.channel.trim() === '') throw new RempartError('VALIDATION_FAILED', 'A consent needs the channel it came through.', { details: [{ field: 'channel', message: 'required' }] });
  const { person, rows, subjectId, notified } = await deps.db.transaction().execute(async (tx) => {
    const person = await tx.selectFrom('people').select(['id', 'email', 'lastName', 'firstName']).where('id', '=', input.personId).executeTakeFirst();
    if (!person) throw new RempartError('NOT_FOUND', `Person ${input.personId} not found.`);
    const subjectId = await ensureSubject(tx, person.id, now);
    const rows = partners.map((partner) => ({
      id: newId(now.getTime()),
      subjectId,
      partnerId: partner.id,
      state: input.state,
      eventAt: now,
      channel: input.channel.trim(),
      noticeVersion: input.noticeVersion ?? deps.policy.version.hash,
      textShown: input.textShown ?? defaultConsentText(deps, partner, language),
      ...recordContext(deps, partner),
      collector: input.collector,
      evidence: input.evidence ?? null,
      recordedAt: now,
    }));
    if (rows.length > 0) await tx.insertInto('consentEvents').values(rows).execute();
    let notified: string[] = [];
    if (input.state !== 'given') {
      notified = await partnersThatReceived(tx, subjectId, partners.map((p) => p.id));
      await queueWithdrawalNotices(tx, deps.serverKey, {
        subjectId,
        partnerIds: notified,
        eventIds: new Map(rows.map((r) => [r.partnerId, r.id])),
        person: { email: person.email, lastName: person.lastName, firstName: person.firstName },
        now,
      });
    }
    const events = [auditEvent(now, input.collector, 'create', rows.map((r) => r.id), person.id, ['state', 'channel', 'notice_version', 'text_shown', 'evidence'])];
    if (options.role !== undefined) events[0] = { ...events[0]!, role: options.role };
    // Reading the person's email (receipt, notices) is a read of personal data: audited with the write.
    events.push({ ...events[0]!, action: 'read', resource: 'people', recordIds: [person.id], fields: ['email', 'last_name', 'first_name'] });
    await appendInTransaction(tx, events);
    return { person, rows, subjectId, notified };
  });
  void subjectId;

  let receiptSent = false;
  if (deps.mailer && person.email) {
    const sender = senderOf(deps.policy);
    const at = now.toISOString();
    try {
      if (input.state === 'given') {
        for (const [i, row] of rows.entries()) {
          const mail = consentReceiptMail({
            policy: deps.policy,
            language,
            partnerName: partners[i]!.name,
            recordId: row.id,
            at,
            textShown: row.textShown,
            withdrawUrl: withdrawalUrl({ serverKey: deps.serverKey, publicUrl }, row.id),
          });
          await deps.mailer.send({ to: person.email, from: sender, subject: mail.subject, text: mail.text, html: mail.html, headers: { 'Content-Language': language } });
        }
        receiptSent = rows.length > 0;
      } else if (input.state === 'withdrawn' && rows.length > 0) {
        const mail = consentWithdrawnMail({ policy: deps.policy, language, partnerNames: partners.map((p) => p.name), at, notified: notified.length });
        await deps.mailer.send({ to: person.email, from: sender, subject: mail.subject, text: mail.text, html: mail.html, headers: { 'Content-Language': language } });
        receiptSent = true;
      }
    } catch (e) {
      // The consent stands whether or not the mail left; the error says only its class.
      throw new RempartError('INTERNAL', `The consent was recorded, but its receipt could not be sent (${(e as Error).name}).`, { cause: e });
    }
  }
  if (notified.length > 0) {
    await deliverConsentNotices(deps.db, { key: deps.serverKey, now, ...(deps.fetch ? { fetch: deps.fetch } : {}), ...(deps.mailer ? { mailer: deps.mailer } : {}) });
  }
  return {
    events: rows.map((r) => ({ id: r.id, partnerId: r.partnerId, state: r.state, eventAt: now.toISOString(), noticeVersion: r.noticeVersion })),
    partnersNotified: notified,
    receiptSent,
  };
}

async function listAllPartners(db: Kysely<Database>): Promise<Partner[]> {
  const ids = await db.selectFrom('partners').select('id').orderBy('id').execute();
  return Promise.all(ids.map((r) => getPartner(db, r.id)));
}

/** The one-click withdrawal URL for a consent event (no personal data in it). */
export function withdrawalUrl(deps: Pick<ConsentDeps, 'serverKey'> & { readonly publicUrl: string }, eventId: string): string {
  const base = deps.publicUrl.replace(/\/+$/, '');
  return `${base}/consent/withdraw/${withdrawalToken(deps.serverKey, eventId)}`;
}

/**
 * True when the person's latest consent event for the partner at or before `at` is
 * `given` (P1.6: "active at the moment of the transfer"). The call the prospecting
 * selection and the transfers make.
 */
export async function hasActiveConsent(db: Kysely<Database>, personId: string, partnerId: string, at: Date): Promise<boolean> {
  const subjectId = await subjectOf(db, personId);
  if (subjectId === null) return false;
  const latest = await db
    .selectFrom('consentEvents')
    .select('state')
    .where('subjectId', '=', subjectId)
    .where('partnerId', '=', partnerId)
    .where('eventAt', '<=', at)
    .orderBy('eventAt', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  return latest?.state === 'given';
}

/**
 * The people whose consent for the partner is active at `at`, each with the event it
 * rests on (set-based: one query for a whole transfer).
 */
export async function activeConsents(db: Kysely<Database>, partnerId: string, at: Date): Promise<Map<string, { subjectId: string; eventId: string }>> {
  // Raw SQL under the CamelCasePlugin: result columns come back camelCased.
  const rows = await sql<{ personId: string; subjectId: string; id: string; state: string }>`
    select s.person_id, e.subject_id, e.id, e.state
      from consent_subjects s
      join lateral (
        select e.subject_id, e.id, e.state from consent_events e
         where e.subject_id = s.id and e.partner_id = ${partnerId} and e.event_at <= ${at}
         order by e.event_at desc, e.id desc limit 1) e on true`.execute(db);
  const out = new Map<string, { subjectId: string; eventId: string }>();
  for (const r of rows.rows) if (r.state === 'given') out.set(r.personId, { subjectId: r.subjectId, eventId: r.id });
  return out;
}

/** The person's consent history, oldest first (all partners, or one). */
export async function consentHistory(db: Kysely<Database>, personId: string, partnerId?: string): Promise<ConsentEvent[]> {
  const subjectId = await subjectOf(db, personId);
  if (subjectId === null) return [];
  let q = db.selectFrom('consentEvents').selectAll().where('subjectId', '=', subjectId);
  if (partnerId !== undefined) q = q.where('partnerId', '=', partnerId);
  return q.orderBy('eventAt').orderBy('id').execute();
}
