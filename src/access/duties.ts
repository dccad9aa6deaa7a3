import { RempartError } from '../errors.js';
import type { LoadedPolicy } from '../policy/index.js';
import type { Actor } from './actor.js';
import { can, mayPerform } from './permissions.js';

/**
 * The accountability duties of the back office, each from the policy (never from a role's
 * name), so that a policy which gives a duty to another role moves the pages and routes
 * with it: the roles' `tasks` where the policy names the duty, the grants otherwise.
 */

/** True when the actor handles requests to exercise a right: the policy's `rights_requests` task (GDPR Art. 12–22, 38–39). */
export function mayHandleRightsRequests(policy: LoadedPolicy, actor: Actor): boolean {
  return mayPerform(policy, actor, 'rights_requests');
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
 * trail, its verification, failed sign-ins): the policy's `audit_trail` task (P2.5;
 * GDPR Art. 32(1)(d), 39(1)(b)).
 */
export function mayReadAccessRecords(policy: LoadedPolicy, actor: Actor): boolean {
  return mayPerform(policy, actor, 'audit_trail');
}

/** Throws 401 without an actor and 403 when `allowed` is false, naming the duty. */
export function requireDuty(actor: Actor | null | undefined, allowed: (actor: Actor) => boolean, duty: string): Actor {
  if (actor === null || actor === undefined) throw new RempartError('UNAUTHENTICATED', 'Sign in first, or send an API token as Authorization: Bearer.');
  if (!allowed(actor)) throw new RempartError('FORBIDDEN', `Your role's grants do not cover ${duty}.`);
  return actor;
}

/** What may be done with the opposition list (src/prospecting/opposition/commands.ts). */
export type OppositionRight = 'check' | 'add' | 'remove' | 'list';

/**
 * Who may do what with the opposition list (R-PROS-3, P5.6). Anyone working on
 * prospects may ask yes/no about one identifier (marketing and sales get nothing
 * more: the list can serve no other purpose); the roles that write prospect or client
 * contact data may record an objection, which is always in the person's favour; only
 * the roles the policy gives the `rights_requests` task (the dpo) list entries or
 * remove one (an objection withdrawn), audited. The local operator may check, add and
 * list, and removes only with `--as` such a role.
 */
export function mayOnOpposition(policy: LoadedPolicy, actor: Actor, right: OppositionRight): boolean {
  const handler = actor.role !== null && mayPerform(policy, actor, 'rights_requests');
  if (right === 'remove') return handler;
  if (actor.role === null || handler) return true;
  switch (right) {
    case 'check':
      return can(policy, actor, 'read', 'prospecting', 'contact');
    case 'add':
      return can(policy, actor, 'create', 'prospecting', 'contact') || can(policy, actor, 'update', 'prospecting', 'contact') || can(policy, actor, 'update', 'crm', 'contact');
    case 'list':
      return false;
  }
}
