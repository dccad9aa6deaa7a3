import type { Kysely } from 'kysely';
import { systemActor } from '../access/actor.js';
import { withdrawControllerScopes } from '../consent/index.js';
import type { AuditSink, Gate } from '../access/gate.js';
import type { Database } from '../db/schema.js';
import { RempartError } from '../errors.js';
import type { LoadedPolicy } from '../policy/index.js';
import { erasePerson } from './erasure/index.js';
import { buildAccessExport, buildPortabilityExport, writeAccessZip, writePortabilityZip } from './export/index.js';
import { OPPOSITION_CHANNELS, objectToOtherProcessing, objectToProspectingOn, type OppositionChannel } from './opposition/index.js';
import { rectify } from './rectification/index.js';
import { listNotificationsForPerson, type RecipientEvent } from './recipients/index.js';
import type { RequestDetails, RightExecutor } from './requests/index.js';
import { personContact, restrict } from './restriction/index.js';

/** What carrying out a right needs. */
export interface RightsExecutorDeps {
  readonly db: Kysely<Database>;
  readonly policy: LoadedPolicy;
  readonly now: () => Date;
  readonly serverKey: Buffer;
  readonly gate: Gate;
  readonly audit: AuditSink;
  readonly dataDir?: string;
}

/**
 * Carries out an answered rights request (GDPR Art. 15–21), as the engine acting on
 * the dpo's decision (`system:rights`), every step audited. Answering a request of a
 * person we hold nothing on says so (Art. 15(1): "whether or not").
 */
export function rightsExecutor(deps: RightsExecutorDeps): RightExecutor {
  const actor = systemActor('rights');
  return async (type, personId, context) => {
    const fr = context.language === 'fr';
    if (personId === null) {
      return { summary: fr ? 'Nous ne détenons aucune donnée vous concernant.' : 'We hold no personal data about you.' };
    }
    const ids = [personId];
    const now = deps.now();
    const exportAudit = { actor: actor.id, role: null, audit: (events: Parameters<AuditSink['durable']>[0]) => deps.audit.durable(events) };
    switch (type) {
      case 'access': {
        const exp = await buildAccessExport(deps.db, deps.policy, ids, { now, language: context.language, ...exportAudit });
        const zip = await writeAccessZip(exp, { format: 'html' });
        return {
          summary: fr ? 'Vous trouverez en pièce jointe une copie de vos données et les informations prévues à l\'article 15 du RGPD.' : 'Attached is a copy of your data and the information required by GDPR Article 15.',
          attachments: [{ filename: 'donnees-personnelles.zip', content: zip, contentType: 'application/zip' }],
        };
      }
      case 'portability': {
        const exp = await buildPortabilityExport(deps.db, deps.policy, ids, { now, ...exportAudit });
        return {
          summary: fr ? 'Vous trouverez en pièce jointe les données que vous nous avez fournies, en JSON et CSV.' : 'Attached are the data you provided, as JSON and CSV.',
          attachments: [{ filename: 'portabilite.zip', content: writePortabilityZip(exp), contentType: 'application/zip' }],
        };
      }
      case 'erasure': {
        // The email is gone once erased: read it first, the delivery log is reached by its keyed hash.
        const email = await emailIfAsked(deps, context, personId);
        const report = await erasePerson(deps.db, deps.policy, ids, {
          reason: `rights request ${context.requestId}`,
          now,
          key: deps.serverKey,
          audit: deps.audit,
          actor,
          ...(deps.dataDir ? { dataDir: deps.dataDir } : {}),
        });
        const kept = report.kept.map((k) => `${k.table} (${k.count}): ${k.basis}${k.until ? `, ${fr ? 'jusqu\'au' : 'until'} ${k.until}` : ''}`);
        const summary = fr
          ? `Vos données ont été effacées.${kept.length ? ` Sont conservées, au titre d'une obligation légale : ${kept.join(' ; ')}.` : ''}`
          : `Your data have been erased.${kept.length ? ` Kept under a legal obligation: ${kept.join('; ')}.` : ''}`;
        return { summary: summary + (await recipientsAnswer(deps, context, email)) };
      }
      case 'restriction': {
        // Art. 19: each recipient of the data is told, through the same delivery log as rectification and erasure.
        await restrict(deps.db, personId, `rights request ${context.requestId}`, { now, key: deps.serverKey });
        const email = await emailIfAsked(deps, context, personId);
        const summary = fr ? 'Le traitement de vos données est limité : elles sont conservées mais ne sont plus utilisées.' : 'Processing of your data is restricted: they are stored but no longer used.';
        return { summary: summary + (await recipientsAnswer(deps, context, email)) };
      }
      case 'objection': {
        const scope = context.details?.scope === 'other' ? 'other' : 'prospecting';
        const channel = prospectingChannel(context.details);
        if (scope === 'prospecting') {
          // Art. 21(3) and 7(3): after an objection to direct marketing by e-mail, a consent to the
          // controller's email prospecting or open tracking would say the opposite; both go together.
          await deps.db.transaction().execute(async (tx) => {
            await objectToProspectingOn(tx, deps.serverKey, personId, channel, { now });
            if (channel === 'all' || channel === 'email') {
              await withdrawControllerScopes(tx, deps, { personId, channel: 'rights_request', collector: actor.id, evidence: `rights request ${context.requestId}`, now, language: fr ? 'fr' : 'en' });
            }
          });
        }
        else await objectToOtherProcessing(deps.db, personId, String(context.details?.grounds ?? ''));
        return {
          summary: fr
            ? scope === 'prospecting' ? `Vous ne recevrez plus de prospection commerciale${CHANNEL_WORDS.fr[channel]}.` : 'Le traitement est suspendu dans l\'attente de notre décision motivée.'
            : scope === 'prospecting' ? `You will receive no more commercial prospecting${CHANNEL_WORDS.en[channel]}.` : 'Processing is suspended pending our reasoned decision.',
        };
      }
      case 'rectification': {
        const patch = context.details?.patch;
        if (patch === null || typeof patch !== 'object') {
          throw new RempartError('VALIDATION_FAILED', 'A rectification request needs the fields to correct.', { details: [{ field: 'details.patch', message: 'is required' }] });
        }
        await rectify(deps.gate.for(actor), deps.db, personId, patch as Record<string, unknown>, { now, key: deps.serverKey });
        const email = await emailIfAsked(deps, context, personId);
        return { summary: (fr ? 'Vos données ont été rectifiées.' : 'Your data have been rectified.') + (await recipientsAnswer(deps, context, email)) };
      }
      default:
        throw new RempartError('VALIDATION_FAILED', `Unknown request type ${String(type)}.`);
    }
  };
}

/** The channel an objection to prospecting names (`details.channel`); every channel when none. */
export function prospectingChannel(details: RequestDetails | null): OppositionChannel {
  const channel = details?.channel;
  return typeof channel === 'string' && (OPPOSITION_CHANNELS as readonly string[]).includes(channel) ? (channel as OppositionChannel) : 'all';
}

const CHANNEL_WORDS: Readonly<Record<'fr' | 'en', Readonly<Record<OppositionChannel, string>>>> = {
  fr: { all: '', email: ' par e-mail', phone: ' par téléphone', post: ' par courrier' },
  en: { all: '', email: ' by e-mail', phone: ' by phone', post: ' by post' },
};

/** Whether the person asked which recipients were told (`details.recipients: true`), Art. 19, last sentence. */
export function asksForRecipients(details: RequestDetails | null): boolean {
  return details?.recipients === true;
}

/** The person's email, read only when they asked which recipients were told (the delivery log is keyed by its hash). */
async function emailIfAsked(deps: RightsExecutorDeps, context: { readonly details: RequestDetails | null }, personId: string): Promise<string | null> {
  return asksForRecipients(context.details) ? (await personContact(deps.db, personId)).email : null;
}

const EVENT_NAMES: Readonly<Record<'fr' | 'en', Readonly<Record<RecipientEvent, string>>>> = {
  fr: { rectification: 'rectification', erasure: 'effacement', restriction: 'limitation', restriction_lifted: 'levée de la limitation' },
  en: { rectification: 'rectification', erasure: 'erasure', restriction: 'restriction', restriction_lifted: 'restriction lifted' },
};

/**
 * The recipients told about the person (Art. 19: "the controller shall inform the data
 * subject about those recipients if the data subject requests it"), from the delivery log,
 * with what each was told and whether it arrived; empty when the person did not ask.
 * Recipients are organisations (their names are not personal data, recital 14).
 */
async function recipientsAnswer(deps: RightsExecutorDeps, context: { readonly language: string; readonly details: RequestDetails | null }, email: string | null): Promise<string> {
  if (!asksForRecipients(context.details)) return '';
  const fr = context.language === 'fr';
  const notices = email === null ? [] : await listNotificationsForPerson(deps.db, deps.serverKey, email);
  if (notices.length === 0) return fr ? '\n\nAucun destinataire de vos données n\'a eu à être informé.' : '\n\nNo recipient of your data had to be told.';
  const names = EVENT_NAMES[fr ? 'fr' : 'en'];
  const byRecipient = new Map<string, { name: string; told: string[] }>();
  for (const n of notices) {
    const status = n.deliveredAt ? (fr ? 'remis' : 'delivered') : n.gaveUpAt ? (fr ? 'non remis' : 'could not be delivered') : fr ? 'en cours d\'envoi' : 'being sent';
    const entry = byRecipient.get(n.recipientId) ?? { name: n.recipientName, told: [] };
    entry.told.push(`${names[n.event]}, ${status}`);
    byRecipient.set(n.recipientId, entry);
  }
  const lines = [...byRecipient.values()].map((r) => (fr ? `- ${r.name} : ${r.told.join(' ; ')}` : `- ${r.name}: ${r.told.join('; ')}`));
  return (fr ? '\n\nDestinataires de vos données informés (article 19 du RGPD) :\n' : '\n\nRecipients of your data who were told (GDPR Article 19):\n') + lines.join('\n');
}
