import { userInfo } from 'node:os';
import type { RoleId } from '../policy/index.js';

/**
 * Who is asking. Every read or write of personal data is made by an actor, and the
 * audit trail names it (GDPR Art. 5(2), accountability).
 *
 * - `user`: a staff account logged in with a session cookie;
 * - `token`: an API token (integrations, subcontractors, recovery bodies);
 * - `cli`: the local operator who holds the data store. With no role it has full
 *   rights; `--as ROLE` limits it to a role (tests use this);
 * - `system`: the engine itself (retention sweep, demo seeding), never a person.
 */
export interface Actor {
  readonly kind: 'user' | 'token' | 'cli' | 'system';
  /** Stable id for the audit trail: `user:<uuid>`, `token:<uuid>`, `cli:<os user>`, `system:<job>`. */
  readonly id: string;
  /** The role whose grants apply; null means the operator's full rights (cli or system only). */
  readonly role: RoleId | null;
  /** For roles bound to an organisation (debt_recovery, subcontractor, subsidiary): that organisation. */
  readonly scopeOrganisationId: string | null;
  /** The account or token's uuid (null for cli and system). */
  readonly accountId: string | null;
}

/** The local operator on the command line: `cli:<os user>`, full rights unless `role` is given. */
export function cliActor(role: RoleId | null = null, scopeOrganisationId: string | null = null): Actor {
  let user = 'unknown';
  try {
    user = userInfo().username;
  } catch {
    // no passwd entry (containers): keep "unknown"
  }
  return Object.freeze({ kind: 'cli', id: `cli:${user}`, role, scopeOrganisationId, accountId: null });
}

/** The engine acting on its own (`system:<job>`), with full rights. */
export function systemActor(job: string): Actor {
  return Object.freeze({ kind: 'system', id: `system:${job}`, role: null, scopeOrganisationId: null, accountId: null });
}
