import { RempartError } from '../errors.js';
import type { LoadedPolicy } from '../policy/index.js';
import type { Actor } from './actor.js';
import { can } from './permissions.js';

/**
 * The accountability duties of the back office, each derived from the policy's grants
 * (never from a role's name), so that a policy which gives a duty to another role moves
 * the pages and routes with it.
 */

/**
 * True when the actor may handle requests to exercise a right: answering any of them may
 * mean a copy of everything held on the person (GDPR Art. 15(3)) or its portable export
 * (Art. 20), so the role must read and export every category of every purpose the
 * controller decides. In the CERTILIENCE policy only the dpo's grants reach that far.
 * The operator holding the store (no role) may.
 */
export function mayHandleRightsRequests(policy: LoadedPolicy, actor: Actor): boolean {
  if (actor.role === null) return true;
  const controllerPurposes = policy.purposes.filter((p) => p.role === 'controller');
  return (
    controllerPurposes.length > 0 &&
    controllerPurposes.every((p) => p.dataCategories.every((c) => can(policy, actor, 'read', p.id, c) && can(policy, actor, 'export', p.id, c)))
  );
}

/**
 * True when the actor may oversee the processing as a whole (the dashboard, the retention
 * plan and its runs, the register's and the notice's versions): its grants read every
 * category of every purpose the controller decides, which is what monitoring compliance
 * needs (GDPR Art. 39(1)(b)). In the CERTILIENCE policy, the dpo.
 */
export function mayOverseeProcessing(policy: LoadedPolicy, actor: Actor): boolean {
  if (actor.role === null) return true;
  const controllerPurposes = policy.purposes.filter((p) => p.role === 'controller');
  return controllerPurposes.length > 0 && controllerPurposes.every((p) => p.dataCategories.every((c) => can(policy, actor, 'read', p.id, c)));
}

/**
 * True when the actor may read the accountability records of access to data (the audit
 * trail, its verification, failed sign-ins): the roles granted to read the connection
 * logs (the `connection` category of `connection_logs`), whose grant covers who reached
 * the systems and when (P1.7; GDPR Art. 32(1)(d), 39(1)(b)). The audit trail holds ids
 * and field names only (P2.5), no more than those logs.
 */
export function mayReadAccessRecords(policy: LoadedPolicy, actor: Actor): boolean {
  return can(policy, actor, 'read', 'connection_logs', 'connection');
}

/** Throws 401 without an actor and 403 when `allowed` is false, naming the duty. */
export function requireDuty(actor: Actor | null | undefined, allowed: (actor: Actor) => boolean, duty: string): Actor {
  if (actor === null || actor === undefined) throw new RempartError('UNAUTHENTICATED', 'Sign in first, or send an API token as Authorization: Bearer.');
  if (!allowed(actor)) throw new RempartError('FORBIDDEN', `Your role's grants do not cover ${duty}.`);
  return actor;
}
