/**
 * What a role may do once `includes` is expanded. Pure functions over a policy;
 * the data-access layer applies the result to rows and fields (P2.1).
 */
import type { DataCategoryId, Grant, Operation, Policy, PurposeId, Role, RoleId, RoleTask } from './types.js';

type RolesOf = Pick<Policy, 'roles'>;

function findRole(policy: RolesOf, roleId: RoleId): Role | undefined {
  return policy.roles.find((r) => r.id === roleId);
}

/**
 * The role and every role it includes, transitively, in breadth-first order, each
 * once (so an include cycle cannot loop). Unknown ids are skipped.
 */
export function includedRoles(policy: RolesOf, roleId: RoleId): readonly Role[] {
  const out: Role[] = [];
  const seen = new Set<RoleId>();
  const queue: RoleId[] = [roleId];
  for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
    if (seen.has(next)) continue;
    seen.add(next);
    const role = findRole(policy, next);
    if (role === undefined) continue;
    out.push(role);
    queue.push(...(role.includes ?? []));
  }
  return out;
}

/** The grants of a role and of every role it includes; empty for an unknown role (deny by default). */
export function effectiveGrants(policy: RolesOf, roleId: RoleId): readonly Grant[] {
  return includedRoles(policy, roleId).flatMap((role) => role.grants);
}

/** True when the role, or a role it includes, requires multi-factor authentication (GDPR Art. 32). */
export function requiresMfa(policy: RolesOf, roleId: RoleId): boolean {
  return includedRoles(policy, roleId).some((role) => role.mfa === true);
}

/** True when the role, or a role it includes, carries the accountability task; false for an unknown role. */
export function hasTask(policy: RolesOf, roleId: RoleId, task: RoleTask): boolean {
  return includedRoles(policy, roleId).some((role) => (role.tasks ?? []).includes(task));
}

/** A request to check against a role's grants. */
export interface AccessRequest {
  readonly purpose: PurposeId;
  readonly category: DataCategoryId;
  readonly operation: Operation;
  /** Whether the data is in the intermediate archive (P4.5). */
  readonly archive?: boolean;
}

/**
 * True when one of the role's effective grants covers the purpose, category and
 * operation. Archived data is reached only by grants marked `archive` and those
 * grants reach nothing else, so that operational roles never see the archive (P4.5).
 */
export function isAllowed(policy: RolesOf, roleId: RoleId, request: AccessRequest): boolean {
  const archive = request.archive ?? false;
  return effectiveGrants(policy, roleId).some(
    (grant) =>
      (grant.archive ?? false) === archive &&
      grant.purposes.includes(request.purpose) &&
      grant.categories.includes(request.category) &&
      grant.operations.includes(request.operation),
  );
}
