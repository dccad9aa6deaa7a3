import { catalogueEntry, type ColumnEntry, type TableEntry } from '../catalogue/catalogue.js';
import type { ResourceSpec } from '../crm/resources.js';
import { effectiveGrants, hasTask, type LoadedPolicy, type Operation, type PurposeId, type RoleTask } from '../policy/index.js';
import type { Actor } from './actor.js';

/**
 * The pure core of the gate: what an actor may do, on which purposes, and which fields
 * of a record it may see. Every decision reads the policy's grants (annex art. 2:
 * recipients "dans la limite de leurs attributions respectives"); nothing here is
 * hard-coded per role.
 */

/** snake_case of a camelCase field name, as the catalogue names columns. */
export function toSnake(field: string): string {
  return field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/** The catalogue entry of a resource's table. */
export function tableEntryOf(spec: ResourceSpec): TableEntry {
  const entry = catalogueEntry(toSnake(spec.table));
  if (!entry) throw new Error(`catalogue has no table ${spec.table}`);
  return entry;
}

/** The catalogue entry of a field of a resource (contactIds lives in contract_contacts). */
export function fieldEntry(spec: ResourceSpec, field: string): ColumnEntry | undefined {
  if (spec.name === 'contracts' && field === 'contactIds') return catalogueEntry('contract_contacts')?.columns.person_id;
  return tableEntryOf(spec).columns[toSnake(field)];
}

// The policy is frozen for the life of the process: a role's expanded grants are
// worked out once, not on every field of every record (measured in BENCHMARKS.md).
const grantCache = new WeakMap<LoadedPolicy, Map<string, ReturnType<typeof effectiveGrants>>>();

/** The role's grants with `includes` expanded, memoised per policy. */
export function grantsOf(policy: LoadedPolicy, role: string): ReturnType<typeof effectiveGrants> {
  let byRole = grantCache.get(policy);
  if (!byRole) {
    byRole = new Map();
    grantCache.set(policy, byRole);
  }
  let grants = byRole.get(role);
  if (!grants) {
    grants = effectiveGrants(policy, role);
    byRole.set(role, grants);
  }
  return grants;
}

/** True when the actor can do `operation` on data of `category` processed for `purpose`. */
export function can(policy: LoadedPolicy, actor: Actor, operation: Operation, purpose: PurposeId, category: string): boolean {
  if (actor.role === null) return true; // the operator holding the store, or the engine itself
  return grantsOf(policy, actor.role).some(
    (g) => !(g.archive ?? false) && g.purposes.includes(purpose) && g.categories.includes(category) && g.operations.includes(operation),
  );
}

/**
 * True when the actor carries an accountability task of the policy (`roles[].tasks`:
 * handling rights requests, reading the audit trail). The local operator and the
 * engine (role null) carry every task; a role's name never decides.
 */
export function mayPerform(policy: Pick<LoadedPolicy, 'roles'>, actor: Actor, task: RoleTask): boolean {
  if (actor.role === null) return true;
  return hasTask(policy, actor.role, task);
}

/**
 * The purposes for which the actor may do `operation` on the resource's records. A
 * resource with no personal category (organisations: legal persons, GDPR recital 14)
 * is reachable with any grant of the purpose.
 */
export function purposesFor(policy: LoadedPolicy, actor: Actor, spec: ResourceSpec, operation: Operation): PurposeId[] {
  const role = actor.role;
  if (role === null) return [...spec.purposes];
  const found = memo(purposesCache, policy, `${role}|${spec.name}|${operation}`, () => {
    const grants = grantsOf(policy, role).filter((g) => !(g.archive ?? false) && g.operations.includes(operation));
    return spec.purposes.filter((p) => grants.some((g) => g.purposes.includes(p) && (spec.category === null || g.categories.includes(spec.category))));
  });
  return [...found];
}

/** Can the actor see this field of a record processed for `purpose`? Unknown fields stay hidden. */
export function canSeeField(policy: LoadedPolicy, actor: Actor, spec: ResourceSpec, field: string, purpose: PurposeId): boolean {
  if (field === 'id' || field === 'purpose') return true;
  const entry = fieldEntry(spec, field);
  if (!entry) return false;
  return !entry.personal || can(policy, actor, 'read', purpose, entry.category);
}

/** What a role may see of records of one shape: the fields shown, and the personal ones among them (snake_case too, for the audit event). */
export interface Presenter {
  readonly shown: readonly string[];
  readonly personal: readonly string[];
  readonly personalColumns: readonly string[];
}

// Decisions are pure functions of the frozen policy, the role, the resource, the
// purpose and the record's field names: computed once per combination, then reused by
// every read (issue 18, item 6; measured in BENCHMARKS.md).
const presenterCache = new WeakMap<LoadedPolicy, Map<string, Presenter>>();
const purposesCache = new WeakMap<LoadedPolicy, Map<string, PurposeId[]>>();

function memo<T>(cache: WeakMap<LoadedPolicy, Map<string, T>>, policy: LoadedPolicy, key: string, make: () => T): T {
  let byKey = cache.get(policy);
  if (!byKey) {
    byKey = new Map();
    cache.set(policy, byKey);
  }
  let hit = byKey.get(key);
  if (hit === undefined) {
    hit = make();
    // Bounded: the keys are roles × resources × purposes × record shapes, a few hundred; a cap guards against a surprise.
    if (byKey.size < 10_000) byKey.set(key, hit);
  }
  return hit;
}

/** The role's presenter for records of `spec` processed for `purpose` with these fields, memoised. */
export function presenterFor(policy: LoadedPolicy, actor: Actor, spec: ResourceSpec, purpose: PurposeId, fields: readonly string[]): Presenter {
  const key = `${actor.role ?? '\u0000'}|${spec.name}|${purpose}|${fields.join(',')}`;
  return memo(presenterCache, policy, key, () => {
    const shown = fields.filter((f) => canSeeField(policy, actor, spec, f, purpose));
    const personal = shown.filter((f) => fieldEntry(spec, f)?.personal === true);
    return Object.freeze({ shown, personal, personalColumns: personal.map(toSnake) });
  });
}

/**
 * The presenter of a role: only the fields its grants reach leave the system (data
 * minimisation, GDPR Art. 5(1)(c)). Returns the record and the personal fields shown.
 */
export function presentFor(
  policy: LoadedPolicy,
  actor: Actor,
  spec: ResourceSpec,
  record: Readonly<Record<string, unknown>>,
): { record: Record<string, unknown>; personalFields: readonly string[] } {
  const p = presenterFor(policy, actor, spec, record.purpose as PurposeId, Object.keys(record));
  const out: Record<string, unknown> = {};
  for (const field of p.shown) out[field] = record[field];
  return { record: out, personalFields: p.personal };
}

/** Input fields the actor may not write for this purpose (each named in the 403). */
export function forbiddenWrites(
  policy: LoadedPolicy,
  actor: Actor,
  spec: ResourceSpec,
  operation: Operation,
  purpose: PurposeId,
  fields: readonly string[],
): string[] {
  return fields.filter((f) => {
    const entry = fieldEntry(spec, f);
    return entry?.personal === true && !can(policy, actor, operation, purpose, entry.category);
  });
}
