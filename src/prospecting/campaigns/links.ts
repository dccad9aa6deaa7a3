import type { Kysely } from 'kysely';
import { appendInTransaction } from '../../access/audit/index.js';
import type { Database } from '../../db/schema.js';
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

/** The outcome of an opt-out: done, or nothing left to do (the person is no longer on file). */
export type OptOutResult = 'opted_out' | 'not_on_file' | 'invalid';

/**
 * One-click opt-out: the person's email and phones go on the opposition list and their
 * objection is recorded at once (GDPR Art. 21(2)–(3), P5.6, R-PROS-3), through the
 * rights engine's own function. Running it twice changes nothing more.
 */
export async function optOut(deps: LinkDeps, token: string, now: Date): Promise<OptOutResult> {
  const payload = verifyToken(deps.key, token);
  if (payload === null || payload.action !== 'u') return 'invalid';
  const row = await deps.db.selectFrom('solicitations').select('personId').where('id', '=', payload.solicitationId).executeTakeFirst();
  if (!row) return 'not_on_file';
  await objectToProspecting(deps.db, deps.key, row.personId, { now });
  await appendInTransaction(deps.db, [
    { at: now, actor: 'system:opt-out', role: null, purpose: 'prospecting', action: 'update', resource: 'person_states', recordIds: [row.personId], personIds: [row.personId], fields: ['objected_prospecting_at'], reason: 'one-click opt-out (RFC 8058)' },
  ]);
  return 'opted_out';
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
