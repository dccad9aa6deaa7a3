import { RempartError } from '../errors.js';
import type { ConsentDeps } from './context.js';
import { recordConsent, type ConsentRecorded } from './events.js';
import { scopeWording } from './scope-mail.js';
import { decidingFirst, subjectsOfPerson } from './subjects.js';
import type { ConsentScope } from './tables.js';
import { readWithdrawalToken } from './withdrawal-token.js';

/** What the confirm page shows: the partner's (or the controller's) name only, never the person. */
export interface WithdrawalTarget {
  readonly eventId: string;
  readonly scope: ConsentScope;
  /** The partner (file_sharing); null for the controller's own scopes. */
  readonly partnerId: string | null;
  /** The partner's name, or the controller's for its own scopes. */
  readonly partnerName: string;
  /** What the consent is to, in English, for the page: "passing your data to X". */
  readonly what: string;
  readonly personId: string;
  /** Whether the consent is still active (a second click says it is already withdrawn). */
  readonly active: boolean;
}

/** Resolves a one-click withdrawal token; NOT_FOUND for a forged, unknown or orphaned one (erased person). */
export async function withdrawalTarget(deps: Pick<ConsentDeps, 'db' | 'serverKey' | 'now' | 'policy'>, token: string): Promise<WithdrawalTarget> {
  const eventId = readWithdrawalToken(deps.serverKey, token);
  const notFound = () => new RempartError('NOT_FOUND', 'This withdrawal link is not valid.');
  if (eventId === null) throw notFound();
  // A left join: the controller's own scopes have no partner.
  const row = await deps.db
    .selectFrom('consentEvents as e')
    .innerJoin('consentSubjects as s', 's.id', 'e.subjectId')
    .leftJoin('partners as p', 'p.id', 'e.partnerId')
    .select(['e.id', 'e.scope', 'e.partnerId', 'p.name', 's.personId'])
    .where('e.id', '=', eventId)
    .executeTakeFirst();
  if (!row) throw notFound();
  // The person's state, not the pseudonym's: after a merge, the link of either record
  // answers for the merged person (a withdrawal under the other record holds, Art. 7(3)).
  let latest = deps.db
    .selectFrom('consentEvents as e')
    .select('e.state')
    .where('e.subjectId', 'in', subjectsOfPerson(deps.db, row.personId))
    .where('e.scope', '=', row.scope)
    .where('e.eventAt', '<=', deps.now());
  latest = row.partnerId === null ? latest.where('e.partnerId', 'is', null) : latest.where('e.partnerId', '=', row.partnerId);
  const last = await latest.orderBy(decidingFirst()).limit(1).executeTakeFirst();
  const controller = deps.policy.controller.name;
  const name = row.scope === 'file_sharing' ? (row.name ?? '') : controller;
  const what = row.scope === 'file_sharing' ? `passing your data to ${name}` : scopeWording(row.scope, 'en', controller);
  return { eventId: row.id, scope: row.scope, partnerId: row.partnerId, partnerName: name, what, personId: row.personId, active: last?.state === 'given' };
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
    scope: target.scope,
    ...(target.partnerId === null ? {} : { partnerId: target.partnerId }),
    state: 'withdrawn',
    channel: 'link',
    collector: 'system:consent-link',
    evidence: `withdrawal link of consent record ${target.eventId}`,
  });
  return { target, recorded };
}
