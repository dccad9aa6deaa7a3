import { systemActor } from '../../access/actor.js';
import type { AuditEvent } from '../../access/audit/index.js';
import {
  consentHistory,
  CONTROLLER_SCOPES,
  defaultConsentText,
  defaultScopeText,
  listPartners,
  recordConsent,
  type ConsentDeps,
  type ConsentScope,
} from '../../consent/index.js';
import { RempartError } from '../../errors.js';
import { statutoryHolds } from '../erasure/holds.js';
import { buildAccessExport, buildPortabilityExport, writeAccessZip, writePortabilityZip, type AccessExport } from '../export/index.js';
import { isOpposed, normalisePhone, OPPOSITION_CHANNELS, type OppositionChannel } from '../opposition/index.js';
import { personContact } from '../restriction/index.js';
import { attachIdDocument, effectiveDue, openVerifiedRequest, subjectHash, type RequestLanguage, type RequestState, type RequestType } from '../requests/index.js';
import { answerInPortal, type PortalDeps, type PortalSession } from './session.js';

/** The engine acting for the person in their portal session, as `system:portal` in the audit trail. */
const PORTAL_ACTOR = systemActor('portal');

/** The fields a person corrects themselves (Art. 16); anything else goes through a request to the dpo. */
export const SELF_SERVICE_FIELDS = ['firstName', 'lastName', 'jobTitle', 'phones'] as const;
/** One of SELF_SERVICE_FIELDS. */
export type SelfServiceField = (typeof SELF_SERVICE_FIELDS)[number];

/** One consent the person can give or withdraw, with its current state. */
export interface PortalConsent {
  readonly scope: ConsentScope;
  readonly partnerId: string | null;
  /** Who receives the data: a partner, or the controller for its own scopes. */
  readonly recipient: string;
  readonly kind: 'group_company' | 'partner' | 'controller';
  readonly country: string;
  readonly state: 'given' | 'refused' | 'withdrawn' | null;
  /** When the deciding event was expressed (ISO). */
  readonly at: string | null;
  /** The exact text the person agrees to when giving it (kept as the proof, Art. 7(1)). */
  readonly text: string;
}

/** One request of the person, its status and its deadline (Art. 12(3)). */
export interface PortalRequest {
  readonly id: string;
  readonly type: RequestType;
  readonly state: RequestState;
  readonly receivedAt: string;
  readonly dueAt: string;
  readonly extendedDueAt: string | null;
  readonly effectiveDueAt: string;
  readonly closedAt: string | null;
  /** What the dpo needs to be sure who asked (Art. 12(6)): the page asks for an ID document with it. */
  readonly doubtReason: string | null;
  readonly hasIdDocument: boolean;
}

/** What the person's space shows. */
export interface PortalOverview {
  readonly email: string;
  readonly language: RequestLanguage;
  readonly expiresAt: string;
  /** Whether any record holds the address. */
  readonly found: boolean;
  /** The access export (GDPR Art. 15): the data, and the purposes, recipients and retention in words. */
  readonly export: AccessExport | null;
  readonly restricted: boolean;
  /** The channels on which the person's identifiers are on the opposition list. */
  readonly opposedChannels: readonly OppositionChannel[];
  readonly consents: readonly PortalConsent[];
  readonly requests: readonly PortalRequest[];
}

const iso = (d: Date | string | null): string | null => (d === null ? null : typeof d === 'string' ? d : d.toISOString());

/** The audit event of the portal's reads beyond the export (consents, states, requests): names only (P2.5). */
function readEvent(now: Date, session: PortalSession, resource: string, recordIds: readonly string[], fields: readonly string[]): AuditEvent {
  return { at: now, actor: PORTAL_ACTOR.id, role: null, purpose: null, action: 'read', resource, recordIds: [...recordIds], personIds: [...session.personIds], fields: [...fields], reason: `portal session ${session.id} (GDPR Art. 15)` };
}

const consentDeps = (deps: PortalDeps): ConsentDeps => ({
  db: deps.db,
  policy: deps.policy,
  now: deps.now,
  serverKey: deps.serverKey,
  mailer: deps.mailer,
  publicUrl: deps.publicUrl,
  ...(deps.fetch ? { fetch: deps.fetch } : {}),
});

/** Every request the person made, open ones by their address and closed ones by its keyed hash (all that is left of them). */
async function requestsOf(deps: PortalDeps, session: PortalSession): Promise<PortalRequest[]> {
  const hash = subjectHash(session.email, deps.serverKey);
  const rows = await deps.db
    .selectFrom('rightsRequests')
    .select(['id', 'type', 'state', 'receivedAt', 'dueAt', 'extendedDueAt', 'closedAt', 'doubtReason', 'idDocumentPath'])
    .where((eb) => eb.or([eb('contactEmail', '=', session.email), eb('subjectHash', '=', hash)]))
    .orderBy('receivedAt', 'desc')
    .limit(200)
    .execute();
  return rows.map((r) => ({
    id: r.id,
    type: r.type,
    state: r.state,
    receivedAt: r.receivedAt.toISOString(),
    dueAt: r.dueAt,
    extendedDueAt: r.extendedDueAt,
    effectiveDueAt: effectiveDue(r),
    closedAt: iso(r.closedAt),
    doubtReason: r.closedAt === null ? r.doubtReason : null,
    hasIdDocument: r.idDocumentPath !== null,
  }));
}

/** The consents the person can manage: each partner's file exchange and the controller's own scopes, with the deciding event. */
async function consentsOf(deps: PortalDeps, session: PortalSession, language: RequestLanguage): Promise<{ consents: PortalConsent[]; eventIds: string[] }> {
  const partners = await listPartners(deps.db);
  const latest = new Map<string, { state: PortalConsent['state']; at: string; id: string }>();
  for (const personId of session.personIds) {
    // In history order, the deciding event last (consentHistory's order).
    for (const e of await consentHistory(deps.db, personId)) latest.set(`${e.scope}:${e.partnerId ?? ''}`, { state: e.state, at: e.eventAt.toISOString(), id: e.id });
  }
  const state = (scope: ConsentScope, partnerId: string | null) => latest.get(`${scope}:${partnerId ?? ''}`);
  const controller = deps.policy.controller;
  const consents: PortalConsent[] = [
    ...CONTROLLER_SCOPES.map((scope) => ({
      scope,
      partnerId: null,
      recipient: controller.name,
      kind: 'controller' as const,
      country: controller.address.country || 'FR',
      state: state(scope, null)?.state ?? null,
      at: state(scope, null)?.at ?? null,
      text: defaultScopeText(deps, scope, language),
    })),
    ...partners.map((p) => ({
      scope: 'file_sharing' as const,
      partnerId: p.id,
      recipient: p.name,
      kind: p.kind,
      country: p.country,
      state: state('file_sharing', p.id)?.state ?? null,
      at: state('file_sharing', p.id)?.at ?? null,
      text: defaultConsentText(deps, p, language),
    })),
  ];
  return { consents, eventIds: [...latest.values()].map((v) => v.id) };
}

/** The channels on which any identifier of the person is on the opposition list. */
async function opposedChannels(deps: PortalDeps, session: PortalSession): Promise<OppositionChannel[]> {
  const out: OppositionChannel[] = [];
  const contacts = await Promise.all(session.personIds.map((id) => personContact(deps.db, id)));
  const emails = [session.email, ...contacts.flatMap((c) => (c.email === null ? [] : [c.email]))];
  const phones = contacts.flatMap((c) => c.phones).filter((p) => normalisePhone(p) !== null);
  for (const channel of OPPOSITION_CHANNELS) {
    if (channel === 'all') continue;
    let opposed = false;
    for (const email of emails) opposed ||= await isOpposed(deps.db, deps.serverKey, { email, channel });
    for (const phone of phones) opposed ||= await isOpposed(deps.db, deps.serverKey, { phone, channel });
    if (opposed) out.push(channel);
  }
  return out;
}

/**
 * The person's space (issue 15): their data as the access export shows it, their
 * restriction and objections, their consents per partner and every request they made.
 * Each read is audited, the export by buildAccessExport, the rest by one event (P2.5).
 */
export async function portalOverview(deps: PortalDeps, session: PortalSession, language: RequestLanguage): Promise<PortalOverview> {
  const now = deps.now();
  const found = session.personIds.length > 0;
  const exp = found
    ? await buildAccessExport(deps.db, deps.policy, session.personIds, { now, language, actor: PORTAL_ACTOR.id, role: null, audit: (events) => deps.audit.durable(events) })
    : null;
  const states = found ? await deps.db.selectFrom('personStates').select(['personId', 'restrictedAt']).where('personId', 'in', session.personIds).execute() : [];
  const { consents, eventIds } = found ? await consentsOf(deps, session, language) : { consents: [], eventIds: [] };
  const requests = await requestsOf(deps, session);
  const opposed = await opposedChannels(deps, session);
  await deps.audit.durable([
    readEvent(now, session, 'consents', eventIds, ['scope', 'partner_id', 'state', 'event_at']),
    readEvent(now, session, 'rights-requests', requests.map((r) => r.id), ['type', 'state', 'received_at', 'due_at', 'extended_due_at', 'closed_at']),
  ]);
  return {
    email: session.email,
    language,
    expiresAt: session.expiresAt.toISOString(),
    found,
    export: exp,
    restricted: states.some((s) => s.restrictedAt !== null),
    opposedChannels: opposed,
    consents,
    requests,
  };
}

/**
 * The copy of the person's data (Art. 15(3)): the access ZIP, `access.json` (every row and
 * the Art. 15 information) and `access.html` (the same, readable), with the manifest.
 * Seeing the data on the page already answered the access request; the copy is audited.
 */
export async function portalCopy(deps: PortalDeps, session: PortalSession, language: RequestLanguage): Promise<Buffer> {
  requirePerson(session);
  const exp = await buildAccessExport(deps.db, deps.policy, session.personIds, { now: deps.now(), language, actor: PORTAL_ACTOR.id, role: null, audit: (events) => deps.audit.durable(events) });
  return writeAccessZip(exp, { format: 'html' });
}

/**
 * The portability ZIP (Art. 20): what the person provided, for the purposes based on
 * consent or contract (Art. 20(1)(a)), as `portability.json`, a CSV per table and the
 * manifest; recorded as an answered portability request.
 */
export async function portalDownload(deps: PortalDeps, session: PortalSession, language: RequestLanguage): Promise<Buffer> {
  requirePerson(session);
  const now = deps.now();
  const exp = await buildPortabilityExport(deps.db, deps.policy, session.personIds, { now, actor: PORTAL_ACTOR.id, role: null, audit: (events) => deps.audit.durable(events) });
  const zip = writePortabilityZip(exp);
  await act(deps, session, language, 'portability', {});
  return zip;
}

/** Checks a correction before it reaches the engine: only the self-service fields, in their shapes. */
function checkPatch(patch: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const problems: { field: string; message: string }[] = [];
  const out: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(patch)) {
    if (!(SELF_SERVICE_FIELDS as readonly string[]).includes(field)) {
      problems.push({ field, message: 'cannot be corrected here; write to the data protection officer' });
      continue;
    }
    if (field === 'phones') {
      const list = Array.isArray(value) ? value : [];
      const phones = list.map((p: unknown) => (typeof p === 'object' && p !== null ? (p as { number?: unknown; type?: unknown }) : {}));
      phones.forEach((p, i) => {
        if (typeof p.number !== 'string' || normalisePhone(p.number) === null) problems.push({ field: `phones[${i}].number`, message: 'is not a phone number' });
      });
      // Stored in E.164, as every other number, so the opposition list and the campaigns match it.
      out.phones = phones.map((p) => ({ number: normalisePhone(String(p.number ?? '')) ?? String(p.number ?? '').trim(), ...(typeof p.type === 'string' ? { type: p.type } : {}) }));
    } else if (typeof value !== 'string' || (field !== 'jobTitle' && value.trim() === '') || value.length > 200) {
      problems.push({ field, message: field === 'jobTitle' ? 'must be a text of at most 200 characters' : 'must not be empty' });
    } else {
      out[field] = field === 'jobTitle' && value.trim() === '' ? null : value.trim();
    }
  }
  if (Object.keys(patch).length === 0) problems.push({ field: 'patch', message: 'names no field to correct' });
  if (problems.length > 0) throw new RempartError('VALIDATION_FAILED', 'The correction cannot be made as sent.', { details: problems });
  return out;
}

/** Records a request of the session's owner and, for a right the engine carries out alone, answers it at once. */
async function act(
  deps: PortalDeps,
  session: PortalSession,
  language: RequestLanguage,
  type: RequestType,
  details: Record<string, unknown>,
  options: { readonly answer?: boolean } = {},
): Promise<{ id: string; dueAt: string }> {
  const opened =
    (await sessionRequestOf(deps, session, type, details)) ??
    (await openVerifiedRequest(
      deps,
      { type, email: session.email, personId: session.personIds[0] ?? null, language, details, verifiedBy: session.requestId },
      { acknowledge: options.answer === false },
    ));
  if (options.answer !== false) await answerInPortal(deps, opened.id, session.personIds);
  return opened;
}

/**
 * The request whose code opened the session, when it asked for this very right and is
 * still being handled: the action in the space is its answer, so it does not linger in
 * the staff queue beside a second request. Its details become what the person chose.
 */
async function sessionRequestOf(deps: PortalDeps, session: PortalSession, type: RequestType, details: Record<string, unknown>): Promise<{ id: string; dueAt: string } | null> {
  if (session.requestId === null) return null;
  const row = await deps.db
    .updateTable('rightsRequests')
    .set({ details: JSON.stringify(details) })
    .where('id', '=', session.requestId)
    .where('type', '=', type)
    .where('state', 'in', ['received', 'in_progress', 'extended'])
    .returning(['id', 'dueAt', 'extendedDueAt'])
    .executeTakeFirst();
  return row === undefined ? null : { id: row.id, dueAt: row.extendedDueAt ?? row.dueAt };
}

const requirePerson = (session: PortalSession): void => {
  if (session.personIds.length === 0) throw new RempartError('CONFLICT', 'We hold no data under this address: there is nothing to change.');
};

/**
 * Corrects the person's own fields (GDPR Art. 16): a rectification request answered by
 * the engine through the gate, the values replaced kept in their history, recipients told
 * (Art. 19). Only the record the person names, which must be theirs.
 */
export async function portalRectify(deps: PortalDeps, session: PortalSession, language: RequestLanguage, personId: string, patch: Readonly<Record<string, unknown>>): Promise<{ id: string }> {
  requirePerson(session);
  if (!session.personIds.includes(personId)) throw new RempartError('NOT_FOUND', 'No such record in your data.');
  const checked = checkPatch(patch);
  const opened =
    (await sessionRequestOf(deps, session, 'rectification', { patch: checked })) ??
    (await openVerifiedRequest(deps, { type: 'rectification', email: session.email, personId, language, details: { patch: checked }, verifiedBy: session.requestId }));
  await answerInPortal(deps, opened.id, [personId]);
  return { id: opened.id };
}

/** Restricts processing at once (Art. 18): kept, not used, recipients told (Art. 19). */
export async function portalRestrict(deps: PortalDeps, session: PortalSession, language: RequestLanguage, reason: string): Promise<{ id: string }> {
  requirePerson(session);
  return { id: (await act(deps, session, language, 'restriction', reason.trim() === '' ? {} : { reason: reason.trim() })).id };
}

/** Objects to prospecting on one channel or all (Art. 21(2)–(3)): absolute and immediate. */
export async function portalObject(deps: PortalDeps, session: PortalSession, language: RequestLanguage, channel: OppositionChannel): Promise<{ id: string }> {
  requirePerson(session);
  return { id: (await act(deps, session, language, 'objection', { scope: 'prospecting', channel })).id };
}

/** Why a row would outlive the erasure: each has its words in the portal. */
export type KeptReason = 'statutory' | 'open_request' | 'consent_proof' | 'litigation';

/** What an erasure would keep, and why (Art. 17(3)): shown before the person confirms. */
export interface ErasurePreview {
  readonly erased: readonly { readonly table: string; readonly rows: number }[];
  readonly kept: readonly { readonly table: string; readonly rows: number; readonly reason: KeptReason; readonly basis: string; readonly until: string | null }[];
  /** The person's identifiers stay on the opposition list, as keyed hashes only, so no list brings them back (R-PROS-3). */
  readonly oppositionKept: boolean;
}

/** The consent tables whose rows erasure keeps as proof under a pseudonym that names no one (src/consent/erasure.test.ts). */
const CONSENT_PROOFS = new Set(['consent_events', 'consent_subjects', 'transfer_items', 'consent_notices']);

/**
 * What erasing the person would remove and keep, by the rules erasePerson applies
 * (src/rights/erasure/erase-person.ts): a litigation hold keeps everything (Art.
 * 17(3)(e)); the policy's statutory holds keep invoices and payments (Code de commerce)
 * and connection logs (12 months) until they end (Art. 17(3)(b)); an open request stays
 * until it is answered (Art. 12(3)); consents stay as proof under a pseudonym (Art. 7(1));
 * everything else goes. Computed from the same export the person sees (read and audited there).
 */
export async function portalErasurePreview(deps: PortalDeps, session: PortalSession, language: RequestLanguage): Promise<ErasurePreview> {
  requirePerson(session);
  const now = deps.now();
  const exp = await buildAccessExport(deps.db, deps.policy, session.personIds, { now, language, actor: PORTAL_ACTOR.id, role: null, audit: (events) => deps.audit.durable(events) });
  const holds = statutoryHolds(deps.policy);
  const litigation = await deps.db.selectFrom('legalHolds').select('id').where('personId', 'in', session.personIds).where('liftedAt', 'is', null).executeTakeFirst();
  const today = now.toISOString().slice(0, 10);
  const erased: { table: string; rows: number }[] = [];
  const kept: { table: string; rows: number; reason: KeptReason; basis: string; until: string | null }[] = [];
  for (const [table, rows] of Object.entries(exp.data)) {
    if (rows.length === 0) continue;
    if (litigation !== undefined) {
      kept.push({ table, rows: rows.length, reason: 'litigation', basis: 'GDPR Art. 17(3)(e)', until: null });
      continue;
    }
    const hold = holds.get(table);
    if (hold !== undefined) {
      const untils = rows.map((r) => r[hold.dateColumn]).map((v) => (typeof v === 'string' ? hold.until(v.slice(0, 10)) : null)).filter((d): d is string => d !== null && d >= today);
      if (untils.length > 0) kept.push({ table, rows: untils.length, reason: 'statutory', basis: hold.basis, until: untils.sort().at(-1) ?? null });
      if (rows.length > untils.length) erased.push({ table, rows: rows.length - untils.length });
      continue;
    }
    if (table === 'rights_requests') {
      const open = rows.filter((r) => !['answered', 'refused', 'withdrawn'].includes(String(r.state))).length;
      if (open > 0) kept.push({ table, rows: open, reason: 'open_request', basis: 'GDPR Art. 12(3)', until: null });
      if (rows.length > open) erased.push({ table, rows: rows.length - open });
      continue;
    }
    if (CONSENT_PROOFS.has(table)) {
      kept.push({ table, rows: rows.length, reason: 'consent_proof', basis: 'GDPR Art. 7(1)', until: null });
      continue;
    }
    erased.push({ table, rows: rows.length });
  }
  const opposed = await opposedChannels(deps, session);
  return { erased, kept, oppositionKept: opposed.length > 0 };
}

/**
 * Asks for erasure (Art. 17): a request in the staff queue, in progress with its legal
 * deadline, since what must be kept (holds, litigation) is the dpo's to confirm; the
 * person receives the acknowledgement with the date by which we answer.
 */
export async function portalErase(deps: PortalDeps, session: PortalSession, language: RequestLanguage): Promise<{ id: string; dueAt: string }> {
  requirePerson(session);
  return act(deps, session, language, 'erasure', { recipients: true }, { answer: false });
}

/** Gives or withdraws one consent in one click (Art. 7(3): as easy to withdraw as to give), with the portal session as its proof. */
export async function portalConsent(
  deps: PortalDeps,
  session: PortalSession,
  language: RequestLanguage,
  input: { readonly scope: ConsentScope; readonly partnerId: string | null; readonly state: 'given' | 'withdrawn' },
): Promise<void> {
  requirePerson(session);
  if ((input.scope === 'file_sharing') !== (input.partnerId !== null)) {
    throw new RempartError('VALIDATION_FAILED', 'A consent to file exchange names its partner; the controller\'s own scopes name none.', { details: [{ field: 'partnerId', message: input.scope === 'file_sharing' ? 'required' : 'not allowed for this scope' }] });
  }
  const evidence = `privacy portal session ${session.id}, identity checked by the code of request ${session.requestId ?? 'unknown'}`;
  for (const personId of session.personIds) {
    await recordConsent(consentDeps(deps), {
      personId,
      scope: input.scope,
      ...(input.partnerId === null ? {} : { partnerId: input.partnerId }),
      state: input.state,
      channel: 'portal',
      collector: PORTAL_ACTOR.id,
      evidence,
      language,
    });
  }
}

/**
 * Takes the ID document a request in doubt needs (Art. 12(6)): only for a request of the
 * session's own address, and only once the dpo recorded the doubt (attachIdDocument
 * refuses otherwise). The file is deleted when the request closes.
 */
export async function portalAttachIdDocument(deps: PortalDeps, session: PortalSession, requestId: string, content: Buffer): Promise<void> {
  const own = await deps.db.selectFrom('rightsRequests').select('id').where('id', '=', requestId).where('contactEmail', '=', session.email).executeTakeFirst();
  if (own === undefined) throw new RempartError('NOT_FOUND', 'No such request among yours.');
  await attachIdDocument(deps, requestId, content);
}
