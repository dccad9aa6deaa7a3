import type { Kysely } from 'kysely';
import type { Actor } from '../../access/actor.js';
import { appendInTransaction } from '../../access/audit/index.js';
import { consentedToOpenTracking } from '../../consent/events.js';
import { newId } from '../../db/ids.js';
import type { Database } from '../../db/schema.js';
import { RempartError } from '../../errors.js';
import type { Mailer } from '../../mail/index.js';
import { loadCampaign } from './campaigns.js';
import type { SegmentCriteria } from './criteria.js';
import { EXCLUSION_REASONS, recheckBeforeSend, selectEligible, type ExclusionReason, type GuardDeps, type Selected } from './guard.js';
import { composeMessage } from './message.js';
import { signToken } from './tokens.js';

/** What sending needs beyond the guard. */
export interface SendDeps extends GuardDeps {
  readonly mailer: Mailer;
  /** The public base URL of this server (`https://crm.example.fr`): opt-out and click links point there. */
  readonly publicUrl: string;
  /** An address taking unsubscribe requests by mail, for the List-Unsubscribe header; none when null. */
  readonly optOutMailto?: string | null;
  /** The sender address; the name is always the controller's (R-PROS-5). */
  readonly fromAddress?: string;
}

/** What a send did. */
export interface SendReport {
  readonly campaignId: string;
  readonly dryRun: boolean;
  /** Messages sent (or, dry, that would be). */
  readonly sent: number;
  /** Of those, how many carried the Art. 14 information (R-PROS-11). */
  readonly withArt14: number;
  /** People already sent this campaign (a resumed send). */
  readonly alreadySent: number;
  /** People selected but stopped by the check made again just before their message. */
  readonly stoppedAtSend: number;
  readonly failed: number;
  readonly excluded: Readonly<Record<ExclusionReason, number>>;
}

const base = (url: string): string => url.replace(/\/+$/, '');

/** The links of one message, built from its solicitation id. */
export function messageUrls(deps: Pick<SendDeps, 'key' | 'publicUrl'>, solicitationId: string) {
  const u = base(deps.publicUrl);
  return {
    optOutUrl: `${u}/u/${signToken(deps.key, { action: 'u', solicitationId, link: 0 })}`,
    clickUrl: (i: number) => `${u}/c/${signToken(deps.key, { action: 'c', solicitationId, link: i })}`,
    pixelUrl: `${u}/o/${signToken(deps.key, { action: 'o', solicitationId, link: 0 })}`,
    // The privacy portal (issue 15): only the language in it, nothing that names the person.
    portalUrl: (language: 'fr' | 'en') => `${u}/portal${language === 'en' ? '?lang=en' : ''}`,
  };
}

function checkPublicUrl(url: string): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new RempartError('VALIDATION_FAILED', 'The public URL of the server is not a URL; opt-out links must reach this server.', { details: [{ field: 'publicUrl', message: 'expected https://host[:port]' }] });
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new RempartError('VALIDATION_FAILED', 'The public URL must be http(s).', { details: [{ field: 'publicUrl', message: 'expected https://host[:port]' }] });
  }
}

/** The people among `ids` who have had the Art. 14 information already. */
async function informed(db: Kysely<Database>, ids: readonly string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await db.selectFrom('solicitations').select('personId').distinct().where('personId', 'in', ids).where('art14Included', '=', true).execute();
  return new Set(rows.map((r) => r.personId));
}

/**
 * Art. 14 applies to data not obtained from the person: the prospects whose records
 * came from a file, a fair or a purchase (relation `prospect`, R-PROS-9 keeps the source).
 */
const imported = (p: Selected): boolean => p.relation === 'prospect';

interface OneMessage {
  readonly subject: string;
  readonly body: string;
  readonly links: readonly string[];
  readonly language: 'fr' | 'en';
  readonly campaignId: string | null;
  readonly trackOpens: boolean;
}

/**
 * Logs, audits and sends one message. The log row and the audit event are written first,
 * in one transaction, so no message leaves unlogged; if the mailer then fails, the row is
 * removed and the failure counted.
 */
async function sendOne(deps: SendDeps, actor: Actor, person: Selected, msg: OneMessage, withArt14: boolean, pixel: boolean, now: Date): Promise<'sent' | 'failed' | 'duplicate'> {
  const solicitationId = newId(now.getTime());
  const urls = messageUrls(deps, solicitationId);
  const composed = composeMessage({
    policy: deps.policy,
    language: msg.language,
    subject: msg.subject,
    body: msg.body,
    links: msg.links,
    person,
    optOutUrl: urls.optOutUrl,
    optOutMailto: deps.optOutMailto ?? null,
    clickUrl: urls.clickUrl,
    pixelUrl: pixel ? urls.pixelUrl : null,
    portalUrl: urls.portalUrl(msg.language),
    includeArt14: withArt14,
  });
  try {
    await logAndAudit(deps, actor, person, msg, withArt14, solicitationId, now);
  } catch (e) {
    // Another send of the same campaign got this person first (unique campaign + person).
    if ((e as { code?: unknown }).code === '23505') return 'duplicate';
    throw e;
  }
  try {
    await deps.mailer.send({
      to: person.email,
      from: { name: deps.policy.controller.name, ...(deps.fromAddress ? { address: deps.fromAddress } : {}) },
      subject: composed.subject,
      text: composed.text,
      html: composed.html,
      headers: composed.headers,
    });
    return 'sent';
  } catch {
    await deps.db.deleteFrom('solicitations').where('id', '=', solicitationId).execute();
    return 'failed';
  }
}

/** The log row and its audit event, in one transaction (the message is sent only after). */
async function logAndAudit(deps: SendDeps, actor: Actor, person: Selected, msg: OneMessage, withArt14: boolean, solicitationId: string, now: Date): Promise<void> {
  await deps.db.transaction().execute(async (tx) => {
    await tx
      .insertInto('solicitations')
      .values({ id: solicitationId, personId: person.id, campaignId: msg.campaignId, kind: msg.campaignId === null ? 'art14_notice' : 'campaign', channel: 'email', sentAt: now, art14Included: withArt14 })
      .execute();
    await appendInTransaction(tx, [
      {
        at: now,
        actor: actor.id,
        role: actor.role,
        purpose: 'prospecting',
        action: 'read',
        resource: 'people',
        recordIds: [person.id],
        personIds: [person.id],
        fields: ['email', 'first_name', 'last_name', ...(withArt14 ? ['source', 'collected_at'] : [])],
        reason: msg.campaignId === null ? 'GDPR Art. 14 notice' : `campaign ${msg.campaignId}`,
      },
    ]);
  });
}

const zero = (): Record<ExclusionReason, number> => Object.fromEntries(EXCLUSION_REASONS.map((r) => [r, 0])) as Record<ExclusionReason, number>;

/**
 * Sends a campaign to its segment by email. Everyone goes through the guard (R-PROS-4,
 * R-PROS-6) when selected, and again just before their own message, so an objection
 * that arrives while the campaign is going out stops the messages not yet sent. A send
 * that stopped midway can be run again: people already sent are skipped.
 */
export async function sendCampaign(deps: SendDeps, campaignId: string, options: { readonly actor: Actor; readonly now: Date; readonly dryRun?: boolean }): Promise<SendReport> {
  const dryRun = options.dryRun ?? false;
  const campaign = await loadCampaign(deps.db, campaignId);
  if (campaign.status === 'sent') throw new RempartError('CONFLICT', `Campaign ${campaignId} was already sent.`);
  if (!dryRun) checkPublicUrl(deps.publicUrl);
  const segment = await deps.db.selectFrom('segments').select('criteria').where('id', '=', campaign.segmentId).executeTakeFirstOrThrow();
  const criteria: SegmentCriteria = segment.criteria;
  if (!dryRun) await deps.db.updateTable('campaigns').set({ status: 'sending' }).where('id', '=', campaignId).execute();
  const excluded = zero();
  let sent = 0;
  let withArt14 = 0;
  let alreadySent = 0;
  let stoppedAtSend = 0;
  let failed = 0;
  const msg: OneMessage = { subject: campaign.subject, body: campaign.body, links: campaign.links, language: campaign.language, campaignId, trackOpens: campaign.trackOpens };
  for await (const page of selectEligible(deps, { criteria, use: 'solicitation', now: options.now, pageSize: 200 })) {
    for (const [reason, n] of Object.entries(page.excluded) as [ExclusionReason, number][]) excluded[reason] += n;
    const ids = page.eligible.map((p) => p.id);
    const done = ids.length === 0 ? new Set<string>() : new Set((await deps.db.selectFrom('solicitations').select('personId').where('campaignId', '=', campaignId).where('personId', 'in', ids).execute()).map((r) => r.personId));
    const told = await informed(deps.db, ids);
    const pixels = campaign.trackOpens && ids.length > 0 ? await consentedToOpenTracking(deps.db, ids, options.now) : new Set<string>();
    for (const selected of page.eligible) {
      if (done.has(selected.id)) {
        alreadySent++;
        continue;
      }
      const art14 = imported(selected) && !told.has(selected.id);
      if (dryRun) {
        sent++;
        if (art14) withArt14++;
        continue;
      }
      // R-PROS-3, R-PROS-4: checked again at send, not only at selection.
      const person = await recheckBeforeSend(deps, selected.id, 'solicitation', options.now);
      if (person === null) {
        stoppedAtSend++;
        continue;
      }
      const outcome = await sendOne(deps, options.actor, person, msg, art14, pixels.has(person.id), options.now);
      if (outcome === 'sent') {
        sent++;
        if (art14) withArt14++;
      } else if (outcome === 'duplicate') alreadySent++;
      else failed++;
    }
  }
  if (!dryRun && failed === 0) await deps.db.updateTable('campaigns').set({ status: 'sent', sentAt: options.now }).where('id', '=', campaignId).execute();
  return { campaignId, dryRun, sent, withArt14, alreadySent, stoppedAtSend, failed, excluded };
}

/** Days after collection from which an uninformed imported person gets the Art. 14 notice on its own. */
export const ART14_NOTICE_AFTER_DAYS = 21;

/** What one run of the Art. 14 job did. */
export interface Art14Report {
  readonly sent: number;
  readonly failed: number;
  readonly excluded: Readonly<Record<ExclusionReason, number>>;
}

const NOTICE = {
  fr: { subject: (c: string) => `${c} : information sur vos données personnelles`, body: (c: string) => `Bonjour,\n\n${c} a obtenu vos coordonnées professionnelles et peut vous adresser des informations commerciales. Voici ce que la loi nous impose de vous dire sur l'utilisation de vos données.` },
  en: { subject: (c: string) => `${c}: information about your personal data`, body: (c: string) => `Hello,\n\n${c} obtained your professional contact details and may send you commercial information. Here is what the law requires us to tell you about the use of your data.` },
} as const;

/**
 * GDPR Art. 14(3)(a): people whose data was obtained elsewhere are informed within one
 * month of collection at the latest. This job, run daily, sends the information on its
 * own to imported people collected at least ART14_NOTICE_AFTER_DAYS days ago who have
 * not had it yet (a campaign message in the meantime carries it, Art. 14(3)(b)); the
 * margin leaves a week of daily runs before the month is out. People who objected, are
 * restricted or past retention get nothing; no consent is needed to inform.
 */
export async function sendArt14Notices(deps: SendDeps, options: { readonly now: Date; readonly actor: Actor; readonly language?: 'fr' | 'en' }): Promise<Art14Report> {
  checkPublicUrl(deps.publicUrl);
  const language = options.language ?? 'fr';
  const name = deps.policy.controller.name;
  const msg: OneMessage = { subject: NOTICE[language].subject(name), body: NOTICE[language].body(name), links: [], language, campaignId: null, trackOpens: false };
  const cutoff = new Date(options.now.getTime() - ART14_NOTICE_AFTER_DAYS * 86_400_000);
  const excluded = zero();
  let sent = 0;
  let failed = 0;
  for await (const page of selectEligible(deps, { notInformedProspectsCollectedBefore: cutoff, use: 'information', now: options.now, pageSize: 200 })) {
    for (const [reason, n] of Object.entries(page.excluded) as [ExclusionReason, number][]) excluded[reason] += n;
    for (const person of page.eligible) {
      const outcome = await sendOne(deps, options.actor, person, msg, true, false, options.now);
      if (outcome === 'sent') sent++;
      else if (outcome === 'failed') failed++;
    }
  }
  return { sent, failed, excluded };
}

