import { sql, type Kysely, type Selectable, type Transaction } from 'kysely';
import { appendInTransaction } from '../access/audit/index.js';
import type { AuditEvent } from '../access/audit/index.js';
import { newId } from '../db/ids.js';
import type { Database } from '../db/schema.js';
import { RempartError } from '../errors.js';
import { consentReceiptMail, consentWithdrawnMail, type MailLanguage } from '../mail/index.js';
import { senderOf } from '../rights/requests/context.js';
import { FILE_SHARING, PROSPECTING, type ConsentDeps } from './context.js';
import { deliverConsentNotices, partnersThatReceived, queueWithdrawalNotices } from './notices.js';
import { getPartner, type Partner } from './partners.js';
import { decidingFirst, decidingLast, ensureSubject, subjectsOfPerson } from './subjects.js';
import { scopeReceiptMail, scopeWithdrawnMail } from './scope-mail.js';
import { CONTROLLER_SCOPES, type ConsentEventsTable, type ConsentScope, type ConsentState, type ControllerScope } from './tables.js';
import { withdrawalToken } from './withdrawal-token.js';

/** A consent change as given to `recordConsent`. */
export interface ConsentInput {
  readonly personId: string;
  /** What the consent is for; `file_sharing` when absent (the partners of the file exchange). */
  readonly scope?: ConsentScope;
  /**
   * For `file_sharing`: one partner, several, or every registered partner (`'all'`).
   * Absent for the controller's own scopes (`email_prospecting`, `open_tracking`).
   */
  readonly partnerId?: string | 'all' | readonly string[];
  readonly state: ConsentState;
  /**
   * Where it was expressed: 'web_form', 'email', 'phone', 'paper', 'portal', 'link', 'gpc',
   * 'import' (a column of an imported file: `evidence` must then name the file, the row and
   * where the file's owner collected it)…
   */
  readonly channel: string;
  /**
   * When the person expressed it, if before it is recorded (a paper form, an imported
   * column); defaults to now, never later. The 27560 record keeps both times.
   */
  readonly eventAt?: Date;
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
  readonly events: readonly { readonly id: string; readonly scope: ConsentScope; readonly partnerId: string | null; readonly state: ConsentState; readonly eventAt: string; readonly noticeVersion: string }[];
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

/** The default text of a consent to one of the controller's own scopes (L34-5 CPCE; CNIL on pixels). */
export function defaultScopeText(deps: Pick<ConsentDeps, 'policy'>, scope: ControllerScope, language: MailLanguage = 'fr'): string {
  const c = deps.policy.controller.name;
  const texts: Record<ControllerScope, Record<MailLanguage, string>> = {
    email_prospecting: {
      fr: `J'accepte de recevoir par courrier électronique les offres commerciales de ${c} (prospection). Je peux retirer ce consentement à tout moment, en un clic.`,
      en: `I agree to receive commercial offers from ${c} by email (prospecting). I may withdraw this consent at any time, in one click.`,
    },
    open_tracking: {
      fr: `J'accepte que ${c} mesure l'ouverture de ses courriers électroniques commerciaux (pixel de suivi), pour ses statistiques. Je peux retirer ce consentement à tout moment, en un clic.`,
      en: `I agree that ${c} measures whether I open its commercial emails (tracking pixel), for its statistics. I may withdraw this consent at any time, in one click.`,
    },
  };
  return texts[scope][language];
}

/** The data categories a controller scope touches, as far as the purpose declares them. */
const SCOPE_CATEGORIES: Record<ControllerScope, readonly string[]> = {
  email_prospecting: ['identity', 'contact', 'professional'],
  open_tracking: ['contact', 'prospecting'],
};

/** The purpose of a scope in the policy: file exchange, or the controller's prospecting. */
export const purposeOfScope = (scope: ConsentScope): string => (scope === 'file_sharing' ? FILE_SHARING : PROSPECTING);

const isControllerScope = (scope: ConsentScope): scope is ControllerScope => (CONTROLLER_SCOPES as readonly string[]).includes(scope);

/** The ISO/IEC TS 27560 context of an event: purpose, data, controller, recipient, storage, retention, jurisdiction, withdrawal. */
function recordContext(deps: Pick<ConsentDeps, 'policy'>, target: { readonly scope: 'file_sharing'; readonly partner: Partner } | { readonly scope: ControllerScope }) {
  const { policy } = deps;
  const purposeId = purposeOfScope(target.scope);
  const purpose = policy.purposes.find((p) => p.id === purposeId);
  if (!purpose) throw new RempartError('POLICY_INVALID', `The policy declares no ${purposeId} purpose, so no consent for ${target.scope} can be recorded.`);
  const stores = new Map(policy.locations.stores.map((s) => [String(s.id), s.country]));
  const proofs = policy.accountabilityRetention?.consent_proofs;
  const country = policy.controller.address.country || 'FR';
  let categories: readonly string[] = purpose.dataCategories;
  if (target.scope !== 'file_sharing') {
    const narrowed = SCOPE_CATEGORIES[target.scope].filter((c) => purpose.dataCategories.includes(c));
    if (narrowed.length > 0) categories = narrowed;
  }
  return {
    noticeId: target.scope === 'file_sharing' ? NOTICE_ID : `policy#purposes/${purposeId}/${target.scope}`,
    purpose: purposeId,
    dataCategories: JSON.stringify([...categories]),
    controller: policy.controller.name,
    // The controller's own scopes go to no one else: the recipient the person is told of is the controller.
    recipient: JSON.stringify(
      target.scope === 'file_sharing'
        ? { id: target.partner.id, name: target.partner.name, kind: target.partner.kind, country: target.partner.country, transferGround: target.partner.transferGround }
        : { name: policy.controller.name, kind: 'controller', country },
    ),
    storageLocations: JSON.stringify(purpose.location.map((id) => ({ id: String(id), country: stores.get(String(id)) ?? 'unknown' }))),
    retention:
      `data: ${purpose.retention.active} from ${purpose.retention.start}, then ${purpose.retention.end}` +
      (proofs ? `; proof of consent: ${proofs.active} active, ${proofs.archive} archive from ${proofs.start}` : ''),
    jurisdiction: `${country}; EU (Regulation (EU) 2016/679)`,
    withdrawalMethod:
      target.scope === 'email_prospecting'
        ? 'One click on the link in the consent receipt or on the unsubscribe link of any commercial message (no sign-in), the portal, or any channel to the controller; effective at once, for messages not yet sent too (GDPR Art. 7(3))'
        : target.scope === 'open_tracking'
          ? 'One click on the link in the consent receipt or on the unsubscribe link of any commercial message (no sign-in), the portal, or any channel to the controller; effective at once (GDPR Art. 7(3))'
          : 'One click on the link in the consent receipt (no sign-in), the portal, or any channel to the controller; effective at once (GDPR Art. 7(3))',
  };
}

function auditEvent(now: Date, collector: string, scope: ConsentScope, action: AuditEvent['action'], recordIds: readonly string[], personId: string, fields: readonly string[]): AuditEvent {
  return { at: now, actor: collector, role: null, purpose: purposeOfScope(scope), action, resource: 'consents', recordIds, personIds: [personId], fields };
}

/**
 * Records a consent change, one new event per partner, or one for a controller scope
 * (the history is never rewritten; Art. 7(1)). A withdrawal takes effect at once: the
 * next transfer leaves the person out and every partner that had received their data is
 * told (Art. 7(3), 19); for `email_prospecting`, the campaign guard re-checks before each
 * message, so no message leaves after it. A given consent sends the person a receipt
 * with a one-click withdrawal link.
 */
export async function recordConsent(deps: ConsentDeps, input: ConsentInput, options: { readonly role?: string | null } = {}): Promise<ConsentRecorded> {
  const now = deps.now();
  const language = input.language ?? 'fr';
  const scope = input.scope ?? 'file_sharing';
  let partners: Partner[] = [];
  if (scope === 'file_sharing') {
    if (input.partnerId === undefined) throw new RempartError('VALIDATION_FAILED', 'A consent to file exchange names its partner.', { details: [{ field: 'partnerId', message: 'required' }] });
    partners =
      input.partnerId === 'all'
        ? await listAllPartners(deps.db)
        : await Promise.all((typeof input.partnerId === 'string' ? [input.partnerId] : input.partnerId).map((id) => getPartner(deps.db, id)));
  } else if (input.partnerId !== undefined) {
    throw new RempartError('VALIDATION_FAILED', `A consent for ${scope} is to the controller itself: it names no partner.`, { details: [{ field: 'partnerId', message: 'not allowed for this scope' }] });
  }
  const eventAt = input.eventAt ?? now;
  checkConsentProof({ eventAt, channel: input.channel, evidence: input.evidence ?? null }, now);
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
    const common = {
      subjectId,
      scope,
      state: input.state,
      eventAt,
      channel: input.channel.trim(),
      noticeVersion: input.noticeVersion ?? deps.policy.version.hash,
      collector: input.collector,
      evidence: input.evidence ?? null,
      recordedAt: now,
    };
    const rows = isControllerScope(scope)
      ? [controllerScopeEvent(deps, { id: newId(now.getTime()), ...common, scope, ...(input.textShown !== undefined ? { textShown: input.textShown } : {}), language })]
      : partners.map((partner) => ({
          id: newId(now.getTime()),
          ...common,
          partnerId: partner.id as string | null,
          textShown: input.textShown ?? defaultConsentText(deps, partner, language),
          ...recordContext(deps, { scope: 'file_sharing', partner }),
        }));
    if (rows.length > 0) await tx.insertInto('consentEvents').values(rows).execute();
    let notified: string[] = [];
    if (input.state !== 'given' && scope === 'file_sharing') {
      notified = await partnersThatReceived(tx, person.id, partners.map((p) => p.id));
      await queueWithdrawalNotices(tx, deps.serverKey, {
        subjectId,
        partnerIds: notified,
        eventIds: new Map(rows.map((r) => [r.partnerId as string, r.id])),
        person: { email: person.email, lastName: person.lastName, firstName: person.firstName },
        now,
      });
    }
    const events = [auditEvent(now, input.collector, scope, 'create', rows.map((r) => r.id), person.id, CONSENT_EVENT_FIELDS)];
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
    const at = eventAt.toISOString();
    try {
      if (isControllerScope(scope)) {
        const row = rows[0]!;
        const mail =
          input.state === 'given'
            ? scopeReceiptMail({ policy: deps.policy, language, scope, recordId: row.id, at, textShown: row.textShown, withdrawUrl: withdrawalUrl({ serverKey: deps.serverKey, publicUrl }, row.id) })
            : input.state === 'withdrawn'
              ? scopeWithdrawnMail({ policy: deps.policy, language, scope, at: now.toISOString() })
              : null;
        if (mail) {
          await deps.mailer.send({ to: person.email, from: sender, subject: mail.subject, text: mail.text, html: mail.html, headers: { 'Content-Language': language } });
          receiptSent = true;
        }
      } else if (input.state === 'given') {
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
    events: rows.map((r) => ({ id: r.id, scope, partnerId: r.partnerId, state: r.state, eventAt: eventAt.toISOString(), noticeVersion: r.noticeVersion })),
    partnersNotified: notified,
    receiptSent,
  };
}

/** The columns of a consent event an audit entry names (names only, never values: Art. 5(1)(c)). */
export const CONSENT_EVENT_FIELDS: readonly string[] = ['state', 'channel', 'notice_version', 'text_shown', 'evidence'];

/**
 * The checks every consent passes before it is written: expressed at or before `now`,
 * and, from an imported file, with its proof (Art. 7(1): a consent taken from a file is
 * only as good as the proof it names). Throws VALIDATION_FAILED.
 */
export function checkConsentProof(input: { readonly eventAt: Date; readonly channel: string; readonly evidence: string | null }, now: Date): void {
  if (Number.isNaN(input.eventAt.getTime()) || input.eventAt.getTime() > now.getTime()) {
    throw new RempartError('VALIDATION_FAILED', 'A consent cannot be recorded as expressed in the future.', { details: [{ field: 'eventAt', message: 'must be a time at or before now' }] });
  }
  if (input.channel.trim() === 'import' && (input.evidence ?? '').trim() === '') {
    throw new RempartError('VALIDATION_FAILED', 'A consent from an imported file needs its proof: the file, the row and where the consent was collected.', { details: [{ field: 'evidence', message: 'required for channel import' }] });
  }
}

/**
 * The row of a new event for one of the controller's own scopes: the ISO/IEC TS 27560
 * context of the scope, the notice version in force unless given, and the scope's
 * default text unless the text shown is given. What `recordConsent` writes, and the
 * prospect import for a whole batch.
 */
export function controllerScopeEvent(
  deps: Pick<ConsentDeps, 'policy'>,
  e: {
    readonly id: string;
    readonly subjectId: string;
    readonly scope: ControllerScope;
    readonly state: ConsentState;
    readonly eventAt: Date;
    readonly channel: string;
    readonly noticeVersion?: string;
    readonly textShown?: string;
    readonly language?: MailLanguage;
    readonly collector: string;
    readonly evidence: string | null;
    readonly recordedAt: Date;
  },
) {
  return {
    id: e.id,
    subjectId: e.subjectId,
    scope: e.scope,
    state: e.state,
    eventAt: e.eventAt,
    channel: e.channel.trim(),
    noticeVersion: e.noticeVersion ?? deps.policy.version.hash,
    collector: e.collector,
    evidence: e.evidence,
    recordedAt: e.recordedAt,
    partnerId: null as string | null,
    textShown: e.textShown ?? defaultScopeText(deps, e.scope, e.language ?? 'fr'),
    ...recordContext(deps, { scope: e.scope }),
  };
}

/** The audit entry of consent events created for several people at once (an import batch): one entry, ids and field names only. */
export function consentEventsAudit(now: Date, actor: { readonly id: string; readonly role: string | null }, scope: ConsentScope, recordIds: readonly string[], personIds: readonly string[], reason: string): AuditEvent {
  return { ...auditEvent(now, actor.id, scope, 'create', recordIds, '', CONSENT_EVENT_FIELDS), role: actor.role, personIds: [...new Set(personIds)], reason };
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
 * `given` (P1.6: "active at the moment of the transfer"), across all of the person's
 * pseudonyms (a merged person holds several). The call the prospecting selection and the
 * transfers make.
 */
export async function hasActiveConsent(db: Kysely<Database>, personId: string, partnerId: string, at: Date): Promise<boolean> {
  const latest = await db
    .selectFrom('consentEvents as e')
    .select('e.state')
    .where('e.subjectId', 'in', subjectsOfPerson(db, personId))
    .where('e.scope', '=', 'file_sharing')
    .where('e.partnerId', '=', partnerId)
    .where('e.eventAt', '<=', at)
    .orderBy(decidingFirst())
    .limit(1)
    .executeTakeFirst();
  return latest?.state === 'given';
}

/**
 * The people whose consent for the partner is active at `at`, each with the event it
 * rests on and that event's pseudonym (set-based: one query for a whole transfer). The
 * latest event is taken per person, across their pseudonyms.
 */
export async function activeConsents(db: Kysely<Database>, partnerId: string, at: Date): Promise<Map<string, { subjectId: string; eventId: string }>> {
  return (await partnerConsents(db, partnerId, at)).active;
}

/**
 * Every person who ever decided about passing their data to a partner, by their latest
 * decision at `at`: `active` those whose latest is `given`, `notGiven` how many last
 * refused or withdrew (a transfer's "left out: no consent").
 */
export async function partnerConsents(db: Kysely<Database>, partnerId: string, at: Date): Promise<{ readonly active: Map<string, { subjectId: string; eventId: string }>; readonly notGiven: number }> {
  // Raw SQL under the CamelCasePlugin: result columns come back camelCased.
  const rows = await sql<{ personId: string; subjectId: string; id: string; state: string }>`
    select distinct on (s.person_id) s.person_id, e.subject_id, e.id, e.state
      from consent_events e
      join consent_subjects s on s.id = e.subject_id
     where e.scope = 'file_sharing' and e.partner_id = ${partnerId} and e.event_at <= ${at}
     order by s.person_id, ${decidingFirst()}`.execute(db);
  const active = new Map<string, { subjectId: string; eventId: string }>();
  for (const r of rows.rows) if (r.state === 'given') active.set(r.personId, { subjectId: r.subjectId, eventId: r.id });
  return { active, notGiven: rows.rows.length - active.size };
}

/**
 * The person's consent history, every pseudonym of theirs included, oldest first (at
 * one instant, the event that decides last): every scope and partner, one partner, or
 * one scope.
 */
export async function consentHistory(db: Kysely<Database>, personId: string, partnerId?: string, scope?: ConsentScope): Promise<ConsentEvent[]> {
  let q = db.selectFrom('consentEvents as e').selectAll('e').where('e.subjectId', 'in', subjectsOfPerson(db, personId));
  if (partnerId !== undefined) q = q.where('e.partnerId', '=', partnerId);
  if (scope !== undefined) q = q.where('e.scope', '=', scope);
  return q.orderBy(decidingLast()).execute();
}

/** Parameters per statement stay well under PostgreSQL's 65,535. */
const CHUNK = 5000;

/**
 * The people among `personIds` whose consent to a controller scope is active at `at`:
 * their latest event for the scope at or before `at`, across all of their pseudonyms, is
 * `given` (set-based: one query per 5,000 people, whatever the page).
 */
export async function activeScopeConsents(db: Kysely<Database>, scope: ControllerScope, personIds: readonly string[], at: Date): Promise<Set<string>> {
  const out = new Set<string>();
  const ids = [...new Set(personIds)];
  for (let i = 0; i < ids.length; i += CHUNK) {
    const chunk = ids.slice(i, i + CHUNK);
    // Raw SQL under the CamelCasePlugin: result columns come back camelCased. Per person,
    // not per pseudonym: a withdrawal under a merged-away record must hold (Art. 7(3)).
    const rows = await sql<{ personId: string }>`
      select l.person_id from (
        select distinct on (s.person_id) s.person_id, e.state
          from consent_subjects s
          join consent_events e on e.subject_id = s.id
         where s.person_id in (${sql.join(chunk)}) and e.scope = ${scope} and e.partner_id is null and e.event_at <= ${at}
         order by s.person_id, ${decidingFirst()}) l
       where l.state = 'given'`.execute(db);
    for (const r of rows.rows) out.add(r.personId);
  }
  return out;
}

/**
 * The people among `personIds` who gave a consent, active at `now`, to electronic
 * prospecting by the controller (L34-5 CPCE, R-PROS-6): the campaign guard's question
 * for personal-domain addresses, asked at selection and again before each message.
 */
export function consentedToElectronicProspecting(db: Kysely<Database>, personIds: readonly string[], now: Date): Promise<ReadonlySet<string>> {
  return activeScopeConsents(db, 'email_prospecting', personIds, now);
}

/**
 * The people among `personIds` who consented, at `now`, to open tracking (CNIL
 * recommendation on tracking pixels in emails; R-PROS-10): only their messages carry a pixel.
 */
export function consentedToOpenTracking(db: Kysely<Database>, personIds: readonly string[], now: Date): Promise<ReadonlySet<string>> {
  return activeScopeConsents(db, 'open_tracking', personIds, now);
}

/** What `withdrawControllerScopes` records: who, through what, and the proof. */
export interface ScopeWithdrawalInput {
  readonly personId: string;
  /** How the person expressed it, e.g. `unsubscribe_link` (the one-click opt-out of a commercial message). */
  readonly channel: string;
  /** Who recorded it: an actor id (`system:opt-out`…). */
  readonly collector: string;
  /** The proof: what was clicked, never personal data. */
  readonly evidence: string;
  readonly now: Date;
  /** The language of the text recorded as shown; French by default. */
  readonly language?: MailLanguage;
}

/**
 * Withdraws, inside the caller's transaction, every consent of the person to the
 * controller's own scopes (`email_prospecting`, `open_tracking`) that is active at `now`:
 * one `withdrawn` event per active scope, audited in the same transaction. An objection to
 * prospecting (GDPR Art. 21(2)–(3)) must leave no consent to it on record, and withdrawing
 * is as easy as giving (Art. 7(3)). Nothing is sent: the recipient of these scopes is the
 * controller itself (no partner notice), and a person who just asked for no more messages
 * gets none. Returns the events recorded; none when nothing was active (a second click).
 */
export async function withdrawControllerScopes(tx: Transaction<Database>, deps: Pick<ConsentDeps, 'policy'>, input: ScopeWithdrawalInput): Promise<readonly { readonly id: string; readonly scope: ControllerScope }[]> {
  // Two clicks at once (the mail client's RFC 8058 POST and the person's) must not both see
  // a consent active: every pseudonym of the person is locked, in id order, before reading.
  const locked = await tx.selectFrom('consentSubjects').select('id').where('personId', '=', input.personId).orderBy('id').forUpdate().execute();
  // No consent was ever recorded for the person: nothing to withdraw, and no pseudonym to create.
  // New events go under the oldest pseudonym (as subjectOf picks).
  const subjectId = locked[0]?.id;
  if (subjectId === undefined) return [];
  const { now } = input;
  const language = input.language ?? 'fr';
  const rows = [];
  for (const scope of CONTROLLER_SCOPES) {
    if (!(await activeScopeConsents(tx, scope, [input.personId], now)).has(input.personId)) continue;
    rows.push(controllerScopeEvent(deps, { id: newId(now.getTime()), subjectId, scope, state: 'withdrawn', eventAt: now, channel: input.channel, language, collector: input.collector, evidence: input.evidence, recordedAt: now }));
  }
  if (rows.length === 0) return [];
  await tx.insertInto('consentEvents').values(rows).execute();
  await appendInTransaction(tx, [
    { ...auditEvent(now, input.collector, 'email_prospecting', 'create', rows.map((r) => r.id), input.personId, CONSENT_EVENT_FIELDS), reason: `consent withdrawn (${input.channel}): ${rows.map((r) => r.scope).join(', ')}` },
  ]);
  return rows.map((r) => ({ id: r.id, scope: r.scope }));
}
