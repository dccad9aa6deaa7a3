import { describe, expect, it } from 'vitest';
import { effectiveGrants, includedRoles, isAllowed, requiresMfa } from './grants.js';
import type { Grant, Role } from './types.js';

const label = { fr: 'x', en: 'x' };
const grant = (category: string, archive?: boolean): Grant => ({
  purposes: ['crm'],
  categories: [category],
  operations: ['read'],
  ...(archive === undefined ? {} : { archive }),
});
const role = (id: string, grants: readonly Grant[], includes?: readonly string[], mfa?: boolean): Role => ({
  id,
  label,
  kind: 'staff',
  grants,
  ...(includes === undefined ? {} : { includes }),
  ...(mfa === undefined ? {} : { mfa }),
});

describe('effectiveGrants', () => {
  const policy = {
    roles: [
      role('top', [grant('identity')], ['middle']),
      role('middle', [grant('contact')], ['bottom', 'ghost']),
      role('bottom', [grant('financial', true)], [], true),
      role('a', [grant('order')], ['b']),
      role('b', [grant('delivery')], ['a']),
    ],
  };

  it('P2.1 expands includes transitively', () => {
    expect(effectiveGrants(policy, 'top').flatMap((g) => g.categories)).toEqual(['identity', 'contact', 'financial']);
    expect(includedRoles(policy, 'top').map((r) => r.id)).toEqual(['top', 'middle', 'bottom']);
  });

  it('P2.1 terminates on include cycles, each role once', () => {
    expect(effectiveGrants(policy, 'a').flatMap((g) => g.categories)).toEqual(['order', 'delivery']);
  });

  it('P2.1 denies an unknown role', () => {
    expect(effectiveGrants(policy, 'nobody')).toEqual([]);
    expect(isAllowed(policy, 'nobody', { purpose: 'crm', category: 'identity', operation: 'read' })).toBe(false);
  });

  it('P4.5 archive grants reach only the archive, operational grants never do', () => {
    expect(isAllowed(policy, 'top', { purpose: 'crm', category: 'financial', operation: 'read', archive: true })).toBe(true);
    expect(isAllowed(policy, 'top', { purpose: 'crm', category: 'financial', operation: 'read' })).toBe(false);
    expect(isAllowed(policy, 'top', { purpose: 'crm', category: 'identity', operation: 'read', archive: true })).toBe(false);
    expect(isAllowed(policy, 'top', { purpose: 'crm', category: 'identity', operation: 'update' })).toBe(false);
    expect(isAllowed(policy, 'top', { purpose: 'training', category: 'identity', operation: 'read' })).toBe(false);
  });

  it('MFA is required when an included role requires it', () => {
    expect(requiresMfa(policy, 'top')).toBe(true);
    expect(requiresMfa(policy, 'a')).toBe(false);
  });
});
