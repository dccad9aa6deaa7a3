import type { Actor } from '../access/actor.js';

/**
 * The training platform posting into one engagement (Gophish, the e-learning LRS
 * client). It holds no role: it is authenticated by the engagement's own secret and can
 * only add results to that engagement; the audit trail names it per engagement.
 */
export function platformActor(platform: 'gophish' | 'xapi', engagementId: string): Actor {
  return Object.freeze({ kind: 'system', id: `system:${platform}:${engagementId}`, role: null, scopeOrganisationId: null, accountId: null });
}
