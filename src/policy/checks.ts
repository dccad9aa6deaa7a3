/**
 * Semantic checks on a policy that passed the schema: the rules a well-formed file
 * can still break (a purpose with no lawful basis, a grant on an undeclared
 * category, a store outside the EU with no safeguard, …).
 */
import { transferGround } from './countries.js';
import { effectiveGrants } from './grants.js';
import type { Issue, Path } from './path.js';
import type { Location, Policy, Purpose, Role } from './types.js';

function duplicates(
  items: readonly { readonly id: string }[],
  pathOf: (index: number) => Path,
  what: string,
  issues: Issue[],
): void {
  const seen = new Set<string>();
  items.forEach((item, index) => {
    if (seen.has(item.id)) issues.push({ path: [...pathOf(index), 'id'], message: `${what} '${item.id}' is declared twice` });
    seen.add(item.id);
  });
}

function checkPurposeBases(purpose: Purpose, path: Path, issues: Issue[]): void {
  const bases = purpose.legalBases;
  if (purpose.role === 'controller') {
    // Art. 6(1): processing is lawful only on at least one of its bases.
    if (bases.length === 0) {
      issues.push({
        path: [...path, 'legalBases'],
        message: `controller purpose '${purpose.id}' has no legal basis (GDPR Art. 6(1))`,
      });
    }
    bases.forEach((basis, j) => {
      if (basis === 'processor_instructions') {
        issues.push({
          path: [...path, 'legalBases', j],
          message: `processor_instructions is a basis only for processor purposes (GDPR Art. 28(3)(a)); controller purpose '${purpose.id}' needs an Art. 6(1) basis`,
        });
      }
    });
  } else if (bases.length !== 1 || bases[0] !== 'processor_instructions') {
    // Art. 28(3)(a): a processor processes only on the controller's documented instructions;
    // the lawful basis is the client's, not ours.
    issues.push({
      path: [...path, 'legalBases'],
      message: `processor purpose '${purpose.id}' must have processor_instructions as its only basis (GDPR Art. 28(3)(a)), got [${bases.join(', ')}]`,
    });
  }
  if (bases.includes('legitimate_interest') && purpose.legitimateInterest === undefined) {
    issues.push({
      path: [...path, 'legitimateInterest'],
      message: `purpose '${purpose.id}' relies on legitimate_interest but does not state the interest pursued (GDPR Art. 13(1)(d))`,
    });
  }
}

function checkReferences(
  values: readonly string[],
  known: ReadonlySet<string>,
  path: Path,
  describe: (value: string) => string,
  issues: Issue[],
): void {
  values.forEach((value, j) => {
    if (!known.has(value)) issues.push({ path: [...path, j], message: describe(value) });
  });
}

function checkPurposes(policy: Policy, issues: Issue[]): void {
  const categories = new Set(policy.dataCategories.map((c) => c.id));
  const subjects = new Set(policy.dataSubjects.map((s) => s.id));
  const roles = new Set(policy.roles.map((r) => r.id));
  const { stores, subcontractors, partners } = policy.locations;
  const locations = new Set([...stores, ...subcontractors, ...partners].map((l) => l.id));

  policy.purposes.forEach((purpose, i) => {
    const path = ['purposes', i];
    checkPurposeBases(purpose, path, issues);
    checkReferences(purpose.dataCategories, categories, [...path, 'dataCategories'], (v) => `unknown data category '${v}'`, issues);
    checkReferences(purpose.dataSubjects, subjects, [...path, 'dataSubjects'], (v) => `unknown category of people '${v}'`, issues);
    checkReferences(purpose.recipients, roles, [...path, 'recipients'], (v) => `unknown recipient role '${v}'`, issues);
    checkReferences(purpose.location, locations, [...path, 'location'], (v) => `unknown location '${v}' (declare it under locations)`, issues);

    // Art. 13(1)(e): the notice must name every recipient, so every role that can reach
    // a purpose's data must be listed among its recipients.
    for (const role of policy.roles) {
      const reaches = effectiveGrants(policy, role.id).some((g) => g.purposes.includes(purpose.id));
      if (reaches && !purpose.recipients.includes(role.id)) {
        issues.push({
          path: [...path, 'recipients'],
          message: `role '${role.id}' is granted access to purpose '${purpose.id}' but is not listed among its recipients (GDPR Art. 13(1)(e))`,
        });
      }
    }
  });
}

/** Each include cycle once, as the list of role ids around it. */
function includeCycles(roles: readonly Role[]): readonly (readonly string[])[] {
  const byId = new Map(roles.map((r) => [r.id, r]));
  const cycles: string[][] = [];
  const reported = new Set<string>();
  const done = new Set<string>();
  const visit = (id: string, stack: readonly string[]): void => {
    if (done.has(id)) return;
    const at = stack.indexOf(id);
    if (at >= 0) {
      const cycle = stack.slice(at);
      const key = [...cycle].sort().join(' ');
      if (!reported.has(key)) {
        reported.add(key);
        cycles.push(cycle);
      }
      return;
    }
    for (const next of byId.get(id)?.includes ?? []) visit(next, [...stack, id]);
    done.add(id);
  };
  for (const role of roles) visit(role.id, []);
  return cycles;
}

function checkRoles(policy: Policy, issues: Issue[]): void {
  const categories = new Set(policy.dataCategories.map((c) => c.id));
  const roleIds = new Set(policy.roles.map((r) => r.id));
  const purposes = new Map(policy.purposes.map((p) => [p.id, p]));

  policy.roles.forEach((role, i) => {
    const path = ['roles', i];
    checkReferences(role.includes ?? [], roleIds, [...path, 'includes'], (v) => `includes unknown role '${v}'`, issues);
    role.grants.forEach((grant, g) => {
      const grantPath = [...path, 'grants', g];
      grant.purposes.forEach((purposeId, k) => {
        if (!purposes.has(purposeId)) {
          issues.push({
            path: [...grantPath, 'purposes', k],
            message: `role '${role.id}' is granted purpose '${purposeId}', which the policy does not declare`,
          });
        }
      });
      const processed = new Set(grant.purposes.flatMap((p) => purposes.get(p)?.dataCategories ?? []));
      // An undeclared purpose is reported above; its categories would only repeat the problem.
      const purposesKnown = grant.purposes.every((p) => purposes.has(p));
      grant.categories.forEach((category, k) => {
        if (!categories.has(category)) {
          issues.push({ path: [...grantPath, 'categories', k], message: `role '${role.id}' is granted unknown data category '${category}'` });
        } else if (purposesKnown && !processed.has(category)) {
          // Art. 5(1)(b),(c): a grant cannot reach data outside the purposes it is for.
          issues.push({
            path: [...grantPath, 'categories', k],
            message: `role '${role.id}' is granted category '${category}', which none of its purposes [${grant.purposes.join(', ')}] processes`,
          });
        }
      });
      if (grant.archive === true) {
        grant.operations.forEach((operation, k) => {
          if (operation !== 'read') {
            // CNIL on intermediate archives (P4.5): archived data is consulted, never worked on.
            issues.push({ path: [...grantPath, 'operations', k], message: `an archive grant may only read, not ${operation}` });
          }
        });
      }
    });
  });

  for (const cycle of includeCycles(policy.roles)) {
    const first = cycle[0] ?? '';
    const index = policy.roles.findIndex((r) => r.id === first);
    issues.push({ path: ['roles', index, 'includes'], message: `roles include each other in a cycle: ${[...cycle, first].join(' → ')}` });
  }
}

function checkLocation(location: Location, path: Path, what: string, purposes: ReadonlySet<string>, issues: Issue[]): void {
  const country = location.country;
  if (location.safeguard === 'adequacy' && transferGround(country, 'adequacy') === null) {
    issues.push({
      path: [...path, 'safeguard'],
      message: `${what} '${location.id}' declares an adequacy decision, but the European Commission has none for ${country} (GDPR Art. 45)`,
    });
  } else if (transferGround(country, location.safeguard) === null) {
    // P3.1 and GDPR Art. 44-46: outside the EU/EEA, data goes only where a decision or a safeguard covers it.
    issues.push({
      path: [...path, 'country'],
      message: `${what} '${location.id}' is in ${country}, outside the EU/EEA, with neither an adequacy decision nor a declared safeguard (scc, bcr) (GDPR Art. 44-46)`,
    });
  }
  checkReferences(location.purposes ?? [], purposes, [...path, 'purposes'], (v) => `purpose '${v}' is not declared in the policy`, issues);
}

function checkLocations(policy: Policy, issues: Issue[]): void {
  const purposes = new Set<string>(policy.purposes.map((p) => p.id));
  const lists = [
    ['stores', 'store'],
    ['subcontractors', 'subcontractor'],
    ['partners', 'partner'],
  ] as const;
  for (const [key, what] of lists) {
    policy.locations[key].forEach((location, i) => checkLocation(location, ['locations', key, i], what, purposes, issues));
  }
  const all: { readonly id: string; readonly path: Path }[] = lists.flatMap(([key]) =>
    policy.locations[key].map((l, i) => ({ id: l.id, path: ['locations', key, i] })),
  );
  const seen = new Set<string>();
  for (const { id, path } of all) {
    if (seen.has(id)) issues.push({ path: [...path, 'id'], message: `location '${id}' is declared twice` });
    seen.add(id);
  }
}

/**
 * P4.2: a re-permission message makes sense only where retention runs from the last
 * contact; it goes either before the term or with an answer window after it, not both.
 */
function checkRepermission(policy: Policy, issues: Issue[]): void {
  policy.purposes.forEach((purpose, i) => {
    const rule = purpose.retention.repermission;
    if (rule === undefined) return;
    const path = ['purposes', i, 'retention', 'repermission'];
    if (purpose.retention.start !== 'collection_or_last_contact') {
      issues.push({ path, message: `re-permission applies only to retention that starts at collection_or_last_contact, not ${purpose.retention.start}` });
    }
    if ((rule.before === undefined) === (rule.after === undefined)) {
      issues.push({ path, message: 'give exactly one of before (lead time before the term) or after (answer window after the term)' });
    }
  });
}

/** Every semantic problem of a schema-valid policy, each at the path to fix. */
export function semanticIssues(policy: Policy): readonly Issue[] {
  const issues: Issue[] = [];
  duplicates(policy.dataCategories, (i) => ['dataCategories', i], 'data category', issues);
  duplicates(policy.dataSubjects, (i) => ['dataSubjects', i], 'category of people', issues);
  duplicates(policy.purposes, (i) => ['purposes', i], 'purpose', issues);
  duplicates(policy.roles, (i) => ['roles', i], 'role', issues);
  checkPurposes(policy, issues);
  checkRoles(policy, issues);
  checkLocations(policy, issues);
  checkRepermission(policy, issues);
  return issues;
}

/**
 * Warnings, not errors: what a sound policy still leaves empty that the people concerned need
 * (issue 15, item 5). The annex gives no address nor contact, so the shipped policy has empty
 * placeholders; the notice and the portal must say who to write to (GDPR Art. 13(1)(a): the
 * controller's identity and contact details; 13(1)(b): the DPO's, Art. 37(7)). The server
 * still starts; `rempart policy check` names each field to fill.
 */
export function contactWarnings(policy: Policy): readonly Issue[] {
  const c = policy.controller;
  const fields: readonly [Path, string, string][] = [
    [['controller', 'address', 'street'], c.address.street, "the controller's postal address (GDPR Art. 13(1)(a))"],
    [['controller', 'address', 'postalCode'], c.address.postalCode, "the controller's postal code (GDPR Art. 13(1)(a))"],
    [['controller', 'address', 'city'], c.address.city, "the controller's city (GDPR Art. 13(1)(a))"],
    [['controller', 'email'], c.email, "the controller's contact e-mail, where people write to exercise their rights (GDPR Art. 13(1)(a))"],
    [['controller', 'dpo', 'email'], c.dpo.email, "the data protection officer's e-mail (GDPR Art. 13(1)(b), 37(7))"],
  ];
  return fields.filter(([, value]) => value.trim() === '').map(([path, , what]) => ({ path, message: `empty: ${what}; the notice and the privacy portal cannot give it` }));
}
