import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { isUuid } from '../../db/ids.js';
import { RempartError, type ErrorDetail } from '../../errors.js';
import type { Policy, RoleId } from '../../policy/index.js';

/** The part of the policy authentication reads: its roles. */
export type RolesPolicy = Pick<Policy, 'roles'>;

/**
 * Checks that `role` exists in the policy and that the scope fits it: a role with
 * `scope: organisation` (subcontractor, subsidiary, debt recovery; P2.2–P2.4) needs an
 * existing organisation, and no other role takes one. Returns the scope to store.
 */
export async function checkRoleAndScope(
  db: Kysely<Database>,
  policy: RolesPolicy,
  role: RoleId,
  scopeOrganisationId: string | null | undefined,
): Promise<string | null> {
  const spec = policy.roles.find((r) => r.id === role);
  if (spec === undefined) {
    const known = policy.roles.map((r) => r.id).join(', ');
    throw new RempartError('VALIDATION_FAILED', `Unknown role "${role}".`, { details: [{ field: 'role', message: `must be one of: ${known}` }] });
  }
  const scope = scopeOrganisationId ?? null;
  const problems: ErrorDetail[] = [];
  if (spec.scope === 'organisation' && scope === null) {
    problems.push({ field: 'scopeOrganisationId', message: `is required: role ${role} only sees the data of one organisation` });
  }
  if (spec.scope === undefined && scope !== null) {
    problems.push({ field: 'scopeOrganisationId', message: `must be absent: role ${role} is not limited to an organisation` });
  }
  if (scope !== null && !isUuid(scope)) problems.push({ field: 'scopeOrganisationId', message: 'must be an id (a UUID)' });
  if (problems.length > 0) throw new RempartError('VALIDATION_FAILED', 'The role and scope do not fit together.', { details: problems });
  if (scope !== null) {
    const org = await db.selectFrom('organisations').select('id').where('id', '=', scope).executeTakeFirst();
    if (org === undefined) {
      throw new RempartError('INVALID_REFERENCE', 'The scope organisation does not exist.', {
        details: [{ field: 'scopeOrganisationId', message: 'refers to no organisation' }],
      });
    }
  }
  return scope;
}
