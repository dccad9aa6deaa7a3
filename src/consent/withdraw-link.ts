import { RempartError } from '../errors.js';
import type { ConsentDeps } from './context.js';
import { recordConsent, type ConsentRecorded } from './events.js';
import { readWithdrawalToken } from './withdrawal-token.js';

/** What the confirm page shows: the partner's name only, never the person. */
export interface WithdrawalTarget {
  readonly eventId: string;
  readonly partnerId: string;
  readonly partnerName: string;
  readonly personId: string;
  /** Whether the consent is still active (a second click says it is already withdrawn). */
  readonly active: boolean;
}

/** Resolves a one-click withdrawal token; NOT_FOUND for a forged, unknown or orphaned one (erased person). */
export async function withdrawalTarget(deps: Pick<ConsentDeps, 'db' | 'serverKey' | 'now'>, token: string): Promise<WithdrawalTarget> {
  const eventId = readWithdrawalToken(deps.serverKey, token);
  const notFound = () => new RempartError('NOT_FOUND', 'This withdrawal link is not valid.');
  if (eventId === null) throw notFound();
  const row = await deps.db
    .selectFrom('consentEvents as e')
    .innerJoin('consentSubjects as s', 's.id', 'e.subjectId')
    .innerJoin('partners as p', 'p.id', 'e.partnerId')
    .select(['e.id', 'e.partnerId', 'p.name', 's.personId', 'e.subjectId'])
    .where('e.id', '=', eventId)
    .executeTakeFirst();
  if (!row) throw notFound();
  const latest = await deps.db
    .selectFrom('consentEvents')
    .select('state')
    .where('subjectId', '=', row.subjectId)
    .where('partnerId', '=', row.partnerId)
    .where('eventAt', '<=', deps.now())
    .orderBy('eventAt', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  return { eventId: row.id, partnerId: row.partnerId, partnerName: row.name, personId: row.personId, active: latest?.state === 'given' };
}

/**
 * Withdraws the consent a link was sent for, without sign-in (GDPR Art. 7(3): as easy as
 * giving it): the link itself is the proof of who asks, as the receipt went to the person.
 * Withdrawing twice records nothing new.
 */
export async function withdrawByLink(deps: ConsentDeps, token: string): Promise<{ target: WithdrawalTarget; recorded: ConsentRecorded | null }> {
  const target = await withdrawalTarget(deps, token);
  if (!target.active) return { target, recorded: null };
  const recorded = await recordConsent(deps, {
    personId: target.personId,
    partnerId: target.partnerId,
    state: 'withdrawn',
    channel: 'link',
    collector: 'system:consent-link',
    evidence: `withdrawal link of consent record ${target.eventId}`,
  });
  return { target, recorded };
}
