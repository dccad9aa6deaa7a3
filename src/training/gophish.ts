import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { Gate } from '../access/gate.js';
import { newId, isUuid } from '../db/ids.js';
import { RempartError } from '../errors.js';
import { normaliseEmailAddress } from '../prospecting/normalise/index.js';
import { credentialsOf, RESOURCE, type TrainingDeps } from './context.js';
import type { PhishingKind } from './tables.js';
import { platformActor } from './platform-actor.js';

/** Gophish's `message` values (models/campaign.go) and the result each stands for. */
const KINDS: Readonly<Record<string, PhishingKind>> = {
  'Email Sent': 'sent',
  'Email Opened': 'opened',
  'Clicked Link': 'clicked',
  'Submitted Data': 'submitted',
  'Email Reported': 'reported',
};
/** Events Gophish also sends that are about no result of a trainee: acknowledged, not kept. */
const IGNORED = new Set(['Campaign Created', 'Error Sending Email']);

/** What became of one webhook delivery. */
export interface GophishOutcome {
  readonly status: 'recorded' | 'duplicate' | 'ignored';
  readonly kind?: PhishingKind;
}

/** The `X-Gophish-Signature` of a body: `sha256=` and the HMAC-SHA256 of the body under the secret (hex). */
export function gophishSignature(secret: string, body: string | Buffer): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

function signatureMatches(expected: string, given: string | undefined): boolean {
  if (given === undefined) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given.trim().toLowerCase());
  return a.length === b.length && timingSafeEqual(a, b);
}

const bad = (field: string, message: string): RempartError => new RempartError('VALIDATION_FAILED', `The Gophish event is not valid: ${field} ${message}.`, { details: [{ field, message }] });

/**
 * Takes one Gophish webhook delivery (its JSON body, as Gophish sends it, and its
 * signature header) for an engagement. Only the fact and the time of a result are kept:
 * the `details` field (the browser, and for "Submitted Data" the form contents) is never
 * stored nor logged (Art. 5(1)(c), data minimisation). A replay records nothing twice.
 */
export async function ingestGophish(deps: TrainingDeps, gate: Gate, engagementId: string, body: string, signature: string | undefined): Promise<GophishOutcome> {
  const engagement = isUuid(engagementId) ? await deps.db.selectFrom('trainingEngagements').select(['id', 'status']).where('id', '=', engagementId).executeTakeFirst() : undefined;
  if (!engagement) throw new RempartError('NOT_FOUND', 'No such engagement.', { details: [{ field: 'id', message: 'refers to no engagement' }] });
  if (!signatureMatches(gophishSignature(credentialsOf(deps, engagementId).gophish.secret, body), signature)) {
    throw new RempartError('UNAUTHENTICATED', 'The X-Gophish-Signature header is missing or does not match the body under this engagement\'s secret.', {
      details: [{ field: 'X-Gophish-Signature', message: signature === undefined ? 'missing' : 'does not match' }],
    });
  }
  if (engagement.status === 'closed') throw new RempartError('CONFLICT', 'The engagement is closed: it takes no more events.', { details: [{ field: 'id', message: 'engagement closed' }] });
  let event: unknown;
  try {
    event = JSON.parse(body);
  } catch {
    throw new RempartError('MALFORMED_REQUEST', 'The body is not valid JSON.', { details: [{ field: 'body', message: 'is not JSON' }] });
  }
  if (event === null || typeof event !== 'object' || Array.isArray(event)) throw bad('body', 'must be an object');
  const e = event as Record<string, unknown>;
  if (typeof e.message !== 'string') throw bad('message', 'is required');
  if (IGNORED.has(e.message)) return { status: 'ignored' };
  const kind = KINDS[e.message];
  if (kind === undefined) throw bad('message', `must be one of ${[...Object.keys(KINDS), ...IGNORED].join(', ')}`);
  if (typeof e.campaign_id !== 'number' || !Number.isSafeInteger(e.campaign_id) || e.campaign_id < 0) throw bad('campaign_id', 'must be a campaign number');
  if (typeof e.time !== 'string' || Number.isNaN(Date.parse(e.time))) throw bad('time', 'must be an RFC 3339 time');
  const email = typeof e.email === 'string' ? normaliseEmailAddress(e.email) : null;
  if (email === null) throw bad('email', 'must be an email address');
  const campaignNumber = e.campaign_id;
  const occurredAt = new Date(e.time);
  const now = deps.now();
  const session = gate.for(platformActor('gophish', engagementId));
  const trainee = await deps.db.selectFrom('trainingTrainees').select('id').where('engagementId', '=', engagementId).where('email', '=', email.email).executeTakeFirst();
  if (!trainee) {
    // No email in the message: an address must never reach a log through an error.
    throw new RempartError('INVALID_REFERENCE', 'The event\'s email is not a trainee of this engagement; import the trainee first.', { details: [{ field: 'email', message: 'not a trainee of this engagement' }] });
  }
  const replayKey = createHash('sha256').update(`${campaignNumber}\n${email.email}\n${e.message}\n${e.time}`).digest('hex');
  return deps.db.transaction().execute(async (tx) => {
    await tx
      .insertInto('trainingCampaigns')
      .values({ id: newId(now.getTime()), engagementId, gophishCampaignId: campaignNumber, firstSeenAt: now })
      .onConflict((oc) => oc.columns(['engagementId', 'gophishCampaignId']).doNothing())
      .execute();
    const campaign = await tx.selectFrom('trainingCampaigns').select('id').where('engagementId', '=', engagementId).where('gophishCampaignId', '=', campaignNumber).executeTakeFirstOrThrow();
    const inserted = await tx
      .insertInto('trainingPhishingEvents')
      .values({ id: newId(now.getTime()), engagementId, campaignId: campaign.id, traineeId: trainee.id, kind, occurredAt, receivedAt: now, replayKey })
      .onConflict((oc) => oc.columns(['engagementId', 'replayKey']).doNothing())
      .returning('id')
      .execute();
    if (inserted.length === 0) return { status: 'duplicate' as const, kind };
    await session.recordWrite(tx, 'create', RESOURCE.events, 'training', inserted.map((r) => r.id), ['trainee_id', 'kind', 'occurred_at']);
    return { status: 'recorded' as const, kind };
  });
}
