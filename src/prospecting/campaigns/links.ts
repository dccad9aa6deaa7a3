import type { Kysely } from 'kysely';
import { appendInTransaction } from '../../access/audit/index.js';
import { withdrawControllerScopes } from '../../consent/index.js';
import type { Database } from '../../db/schema.js';
import type { LoadedPolicy } from '../../policy/index.js';
import { objectToProspecting } from '../../rights/opposition/index.js';
import { recordPersonalContact } from '../../retention/contact/last-contact.js';
import { verifyToken } from './tokens.js';

/**
 * What the links of a message do when followed: the one-click opt-out (R-PROS-5, RFC
 * 8058), the click redirect (a contact from the person, R-PROS-7) and the open pixel
 * (never a contact, R-PROS-10). Each finds its message by the signed token alone.
 */

/** What the handlers read. */
export interface LinkDeps {
  readonly db: Kysely<Database>;
  readonly key: Buffer;
}

/** What the opt-out reads beyond the links: the policy, for the ISO/IEC TS 27560 fields of the consent withdrawals it records. */
export interface OptOutDeps extends LinkDeps {
  readonly policy: LoadedPolicy;
}

/** The outcome of an opt-out: done, or nothing left to do (the person is no longer on file). */
export type OptOutResult = 'opted_out' | 'not_on_file' | 'invalid';

/** The channel of the consent withdrawals an opt-out records (consent_events.channel). */
export const OPT_OUT_CHANNEL = 'unsubscribe_link';

/**
 * One-click opt-out, from the link in the body or the RFC 8058 POST: the person's email
 * and phones go on the opposition list and their objection is recorded at once (GDPR
 * Art. 21(2)–(3), P5.6, R-PROS-3); every consent they had given to the controller's email
 * prospecting or open tracking is withdrawn with it (Art. 7(3)), so the consent record
 * does not go on saying they consent. One transaction, audit included. Running it twice
 * renews the opposition entry and records no second withdrawal.
 */
export async function optOut(deps: OptOutDeps, token: string, now: Date): Promise<OptOutResult> {
  const payload = verifyToken(deps.key, token);
  if (payload === null || payload.action !== 'u') return 'invalid';
  const solicitationId = payload.solicitationId;
  return deps.db.transaction().execute(async (tx) => {
    const row = await tx
      .selectFrom('solicitations as s')
      .leftJoin('campaigns as c', 'c.id', 's.campaignId')
      .select(['s.personId', 'c.language'])
      .where('s.id', '=', solicitationId)
      .executeTakeFirst();
    if (!row) return 'not_on_file';
    await objectToProspecting(tx, deps.key, row.personId, { now });
    await withdrawControllerScopes(tx, deps, {
      personId: row.personId,
      channel: OPT_OUT_CHANNEL,
      collector: 'system:opt-out',
      // The message's random id, not the person: enough for the dpo to find what was clicked.
      evidence: `one-click opt-out (RFC 8058) from solicitation ${solicitationId}`,
      now,
      language: row.language ?? 'fr',
    });
    await appendInTransaction(tx, [
      { at: now, actor: 'system:opt-out', role: null, purpose: 'prospecting', action: 'update', resource: 'person_states', recordIds: [row.personId], personIds: [row.personId], fields: ['objected_prospecting_at'], reason: 'one-click opt-out (RFC 8058)' },
    ]);
    return 'opted_out';
  });
}

/**
 * A click: the target URL of the link, and the person's last contact moves to now
 * (R-PROS-7). Null when the token is invalid or the message is no longer on file.
 */
export async function followLink(deps: LinkDeps, token: string, now: Date): Promise<string | null> {
  const payload = verifyToken(deps.key, token);
  if (payload === null || payload.action !== 'c') return null;
  const row = await deps.db
    .selectFrom('solicitations as s')
    .innerJoin('campaigns as c', 'c.id', 's.campaignId')
    .select(['s.personId', 'c.links'])
    .where('s.id', '=', payload.solicitationId)
    .executeTakeFirst();
  const target = row?.links[payload.link];
  if (!row || target === undefined) return null;
  await deps.db.updateTable('solicitations').set({ clickedAt: now }).where('id', '=', payload.solicitationId).where('clickedAt', 'is', null).execute();
  // R-PROS-7: a click is the person's own act; the retention engine's one function moves the clock.
  await recordPersonalContact(deps.db, row.personId, 'click', now);
  return target;
}

/**
 * An open, seen through the pixel of a person who consented to it (R-PROS-10): noted on
 * the message, never as a contact from the person (R-PROS-7).
 */
export async function recordOpen(deps: LinkDeps, token: string, now: Date): Promise<boolean> {
  const payload = verifyToken(deps.key, token);
  if (payload === null || payload.action !== 'o') return false;
  const res = await deps.db.updateTable('solicitations').set({ openedAt: now }).where('id', '=', payload.solicitationId).where('openedAt', 'is', null).executeTakeFirst();
  return Number(res.numUpdatedRows) > 0;
}
