import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { sql } from 'kysely';
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
  const notFound = (): RempartError => new RempartError('NOT_FOUND', 'No such engagement.', { details: [{ field: 'id', message: 'refers to no engagement' }] });
  if (!isUuid(engagementId)) throw notFound();
  // The secret derives from the id (credentialsOf): checked before any read; the engagement is looked up here only on failure, to tell an unknown one apart.
  if (!signatureMatches(gophishSignature(credentialsOf(deps, engagementId).gophish.secret, body), signature)) {
    if (!(await deps.db.selectFrom('trainingEngagements').select('id').where('id', '=', engagementId).executeTakeFirst())) throw notFound();
    throw new RempartError('UNAUTHENTICATED', 'The X-Gophish-Signature header is missing or does not match the body under this engagement\'s secret.', {
      details: [{ field: 'X-Gophish-Signature', message: signature === undefined ? 'missing' : 'does not match' }],
    });
  }
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
  const replayKey = createHash('sha256').update(`${campaignNumber}\n${email.email}\n${e.message}\n${e.time}`).digest('hex');
  const eventId = newId(now.getTime());
  const audit = session.queuedWriteEvent('create', RESOURCE.events, 'training', [eventId], ['trainee_id', 'kind', 'occurred_at']);
  for (let attempt = 0; ; attempt++) {
    // One statement, so one round trip: the engagement's state, the trainee, the campaign, the
    // event and its audit entry (both or neither; P2.5). A replay has the same key and inserts nothing.
    // FOR SHARE: a close (which locks the engagement FOR UPDATE) waits for this event, or this
    // event for the close, so nothing lands between the close's count and its destruction.
    const { rows } = await sql<{ status: string | null; trainee: string | null; campaign: string | null; inserted: string | null }>`
      with e as (select status from training_engagements where id = ${engagementId}::uuid for share),
      t as (select id from training_trainees where engagement_id = ${engagementId}::uuid and email = ${email.email}::text),
      c as (select id from training_campaigns where engagement_id = ${engagementId}::uuid and gophish_campaign_id = ${campaignNumber}::bigint),
      ins as (
        insert into training_phishing_events (id, engagement_id, campaign_id, trainee_id, kind, occurred_at, received_at, replay_key)
        select ${eventId}::uuid, ${engagementId}::uuid, c.id, t.id, ${kind}::text, ${occurredAt.toISOString()}::timestamptz, ${now.toISOString()}::timestamptz, ${replayKey}::text
        from e, t, c where e.status = 'active'
        on conflict (engagement_id, replay_key) do nothing
        returning id),
      aud as (insert into audit_queue (event) select ${audit}::jsonb from ins returning id)
      select (select status from e) as status, (select id from t) as trainee, (select id from c) as campaign, (select id from ins) as inserted, (select count(*) from aud) as audited`.execute(deps.db);
    const r = rows[0];
    if (!r || r.status === null) throw notFound();
    if (r.status === 'closed') throw new RempartError('CONFLICT', 'The engagement is closed: it takes no more events.', { details: [{ field: 'id', message: 'engagement closed' }] });
    if (r.trainee === null) {
      // No email in the message: an address must never reach a log through an error.
      throw new RempartError('INVALID_REFERENCE', "The event's email is not a trainee of this engagement; import the trainee first.", { details: [{ field: 'email', message: 'not a trainee of this engagement' }] });
    }
    if (r.campaign === null && attempt === 0) {
      // A campaign id seen for the first time creates the campaign; then the event again.
      await deps.db
        .insertInto('trainingCampaigns')
        .values({ id: newId(now.getTime()), engagementId, gophishCampaignId: campaignNumber, firstSeenAt: now })
        .onConflict((oc) => oc.columns(['engagementId', 'gophishCampaignId']).doNothing())
        .execute();
      continue;
    }
    if (r.campaign === null) throw new RempartError('INTERNAL', 'The campaign could not be recorded.');
    return r.inserted === null ? { status: 'duplicate', kind } : { status: 'recorded', kind };
  }
}
