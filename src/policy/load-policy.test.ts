import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isRempartError, type RempartError } from '../errors.js';
import { isEuEea } from './countries.js';
import { addDuration } from './duration.js';
import { effectiveGrants, isAllowed, requiresMfa } from './grants.js';
import { DEFAULT_POLICY_FILE, loadPolicy, parsePolicy } from './load-policy.js';
import type { LegalBasis, LoadedPolicy, Purpose, PurposeId } from './types.js';

const TEXT = readFileSync(DEFAULT_POLICY_FILE, 'utf8');
const policy: LoadedPolicy = await loadPolicy(DEFAULT_POLICY_FILE);

function purpose(id: PurposeId): Purpose {
  const found = policy.purposes.find((p) => p.id === id);
  if (found === undefined) throw new Error(`no purpose ${id}`);
  return found;
}

function thrown(fn: () => unknown): RempartError {
  try {
    fn();
  } catch (e) {
    if (isRempartError(e)) return e;
    throw e;
  }
  throw new Error('expected a RempartError');
}

describe('loadPolicy', () => {
  it('D3 loads the default policy with its effective date and the sha256 of its content', () => {
    const hash = createHash('sha256').update(readFileSync(DEFAULT_POLICY_FILE)).digest('hex');
    expect(policy.file).toBe(DEFAULT_POLICY_FILE);
    expect(policy.version).toEqual({
      effectiveDate: '2018-06-20',
      label: 'Mise à jour du 20 juin 2018',
      hash,
      shortHash: hash.slice(0, 12),
    });
  });

  it('D3 the hash changes when the content changes', () => {
    const changed = parsePolicy(`${TEXT}\n# a comment\n`, 'x.yaml');
    expect(changed.version.hash).not.toBe(policy.version.hash);
    expect(changed.version.effectiveDate).toBe(policy.version.effectiveDate);
  });

  it('returns a deep-frozen policy', () => {
    expect(Object.isFrozen(policy)).toBe(true);
    expect(Object.isFrozen(policy.purposes)).toBe(true);
    expect(Object.isFrozen(purpose('crm').retention.holds?.[0]?.records)).toBe(true);
    expect(() => {
      (purpose('crm').legalBases as LegalBasis[]).push('consent');
    }).toThrow(TypeError);
  });

  it('throws POLICY_INVALID listing every problem with field, file and line', () => {
    const broken = TEXT.replace('active: P3Y', 'active: three').replace('country: FR\n  email', 'country: France\n  email');
    const error = thrown(() => parsePolicy(broken, 'broken.yaml'));
    expect(error.code).toBe('POLICY_INVALID');
    expect(error.message).toMatch(/^policy broken\.yaml is invalid: 2 problems; first: line \d+ controller\.address\.country: /);
    expect(error.details).toEqual([
      {
        field: 'controller.address.country',
        message: 'must be an ISO 3166-1 alpha-2 country code (or ""), got "France"',
        file: 'broken.yaml',
        line: TEXT.slice(0, TEXT.indexOf('    country: FR\n  email')).split('\n').length,
      },
      {
        field: 'purposes[0].retention.active',
        message: 'must be an ISO-8601 duration of the form PnYnMnD such as P3Y or P0D, got "three"',
        file: 'broken.yaml',
        line: TEXT.slice(0, TEXT.indexOf('active: P3Y')).split('\n').length,
      },
    ]);
  });

  it('throws POLICY_INVALID when a semantic check fails', () => {
    const error = thrown(() => parsePolicy(TEXT.replace('legalBases: [consent]', 'legalBases: []'), 'p.yaml'));
    expect(error.details).toHaveLength(1);
    expect(error.details[0]?.field).toBe('purposes[3].legalBases');
  });

  it('throws POLICY_INVALID when the file cannot be read', async () => {
    await expect(loadPolicy('/nonexistent/policy.yaml')).rejects.toMatchObject({
      code: 'POLICY_INVALID',
      message: 'policy /nonexistent/policy.yaml cannot be read',
    });
  });
});

describe('the default policy reproduces the annex', () => {
  it('P1.3 P1.4 P1.5 P1.6 P1.7 five purposes with the annex bases', () => {
    expect(policy.purposes.map((p) => [p.id, p.role, p.legalBases])).toEqual([
      ['crm', 'controller', ['contract', 'legitimate_interest']],
      ['prospecting', 'controller', ['legitimate_interest']],
      ['training', 'processor', ['processor_instructions']],
      ['file_sharing', 'controller', ['consent']],
      ['connection_logs', 'controller', ['legal_obligation']],
    ]);
    expect(purpose('crm').name.fr).toBe('Gestion de la relation client');
    expect(purpose('training').dataSubjects).toEqual(['trainees']);
    expect(purpose('crm').dataSubjects).not.toContain('trainees');
  });

  it('P1.1 the data categories of the annex are declared', () => {
    expect(policy.dataCategories.map((c) => c.id)).toEqual([
      'identity', 'contact', 'professional', 'contract', 'order', 'delivery', 'financial',
      'complaint', 'survey', 'debt_recovery', 'connection', 'training', 'consent', 'prospecting', 'provenance',
    ]);
  });

  it('P1.2 a contract needs the organisation name, one contact with names and email, the offer and the start date', () => {
    expect(purpose('crm').mandatory).toEqual({
      contract: ['organisation.name', 'contacts[].lastName', 'contacts[].firstName', 'contacts[].email', 'offer', 'startDate'],
    });
  });

  it('P4.1 relationship data: active 3 years after the contract, archived to 5 years, invoices 10 years', () => {
    const r = purpose('crm').retention;
    expect([r.start, r.active, r.archive, r.end]).toEqual(['contract_end', 'P3Y', 'P2Y', 'anonymise']);
    const contractEnd = '2020-03-15';
    expect(addDuration(contractEnd, r.active)).toBe('2023-03-15');
    expect(addDuration(addDuration(contractEnd, r.active), r.archive)).toBe('2025-03-15');
    expect(addDuration(contractEnd, 'P5Y')).toBe('2025-03-15');
    expect(r.holds).toEqual([
      { records: ['invoice', 'ledger_entry'], duration: 'P10Y', from: 'financial_year_end', basis: 'Code de commerce L123-22' },
    ]);
  });

  it('P4.2 prospecting and file-exchange data: 3 years from collection or last contact, then deleted', () => {
    for (const id of ['prospecting', 'file_sharing'] as const) {
      const r = purpose(id).retention;
      expect([r.start, r.active, r.archive, r.end]).toEqual(['collection_or_last_contact', 'P3Y', 'P0D', 'delete']);
    }
  });

  it('P4.3 training data: kept for the engagement, returned to the client, then destroyed', () => {
    const r = purpose('training').retention;
    expect([r.start, r.active, r.archive, r.end, r.restitution]).toEqual(['engagement_end', 'P0D', 'P0D', 'delete', true]);
  });

  it('P4.4 connection logs: 12 months', () => {
    const r = purpose('connection_logs').retention;
    expect([r.start, r.active, r.archive, r.end]).toEqual(['entry_time', 'P1Y', 'P0D', 'delete']);
    expect(addDuration('2024-05-10', r.active)).toBe('2025-05-10');
  });

  it('accountability records have retention rules of their own', () => {
    expect(Object.keys(policy.accountabilityRetention).sort()).toEqual(
      ['audit_entries', 'closed_requests', 'consent_proofs', 'staff_accounts', 'transfer_logs'],
    );
    expect(policy.accountabilityRetention.consent_proofs).toMatchObject({ start: 'consent_withdrawal', archive: 'P5Y' });
  });

  it('P5.7 the supervisory authority is the CNIL at its annex address', () => {
    expect(policy.supervisoryAuthority).toMatchObject({
      name: 'CNIL',
      address: '8 rue Vivienne, CS 30223, F-75002 Paris Cedex 02',
      phone: '+33 1 53 73 22 22',
      fax: '+33 1 53 73 22 00',
      website: 'http://www.cnil.fr/',
    });
    expect(policy.controller.name).toBe('CERTILIENCE');
  });

  it('P3.1 every store, subcontractor and partner is in the EU', () => {
    const { stores, subcontractors, partners } = policy.locations;
    expect(stores.length).toBeGreaterThan(0);
    for (const location of [...stores, ...subcontractors, ...partners]) expect(isEuEea(location.country)).toBe(true);
  });
});

describe('the default roles keep the recipients of annex article 2', () => {
  const can = (role: string, purposeId: PurposeId, category: string, archive = false): boolean =>
    isAllowed(policy, role, { purpose: purposeId, category, operation: 'read', archive });
  const categoriesOf = (role: string): Set<string> => new Set(effectiveGrants(policy, role).flatMap((g) => g.categories));

  it('P2.1 every recipient of the annex is a role', () => {
    expect(policy.roles.map((r) => r.id)).toEqual([
      'marketing', 'sales', 'customer_relations', 'prospecting', 'administration', 'logistics', 'it',
      'manager', 'subcontractor', 'subsidiary', 'debt_recovery', 'dpo', 'archive_reader',
      // The client's contact for its training engagements (issue 19): the client is the controller there.
      'training_client',
    ]);
  });

  it('P2.1 logistics sees deliveries, not invoices', () => {
    expect(can('logistics', 'crm', 'delivery')).toBe(true);
    expect(categoriesOf('logistics').has('financial')).toBe(false);
  });

  it('P2.1 marketing sees no financial or debt-recovery data', () => {
    expect(categoriesOf('marketing').has('financial')).toBe(false);
    expect(categoriesOf('marketing').has('debt_recovery')).toBe(false);
  });

  it('P2.1 managers have the grants of their services and need MFA', () => {
    expect(can('manager', 'crm', 'financial')).toBe(true);
    expect(can('manager', 'prospecting', 'prospecting')).toBe(true);
    expect(requiresMfa(policy, 'manager')).toBe(true);
    expect(['dpo', 'it', 'administration'].every((r) => requiresMfa(policy, r))).toBe(true);
  });

  it('P2.2 subcontractors reach only the purposes of their contract', () => {
    const purposes = new Set(effectiveGrants(policy, 'subcontractor').flatMap((g) => g.purposes));
    expect([...purposes]).toEqual(['training']);
    expect(policy.roles.find((r) => r.id === 'subcontractor')?.scope).toBe('organisation');
  });

  it('P2.4 debt-recovery bodies see only identity, contact, financial and debt-recovery data of crm', () => {
    const grants = effectiveGrants(policy, 'debt_recovery');
    expect(grants.flatMap((g) => g.purposes)).toEqual(['crm']);
    expect([...categoriesOf('debt_recovery')].sort()).toEqual(['contact', 'debt_recovery', 'financial', 'identity']);
    expect(grants.flatMap((g) => g.operations)).toEqual(['read']);
  });

  it('P5.1 the DPO reads every category of every purpose, archive included', () => {
    for (const p of policy.purposes) {
      for (const category of p.dataCategories) expect(can('dpo', p.id, category)).toBe(true);
    }
    expect(can('dpo', 'crm', 'financial', true)).toBe(true);
  });

  it('P4.5 only the archive reader (and the DPO through it) reads the archive', () => {
    const readers = policy.roles.filter((r) => can(r.id, 'crm', 'identity', true)).map((r) => r.id);
    expect(readers).toEqual(['dpo', 'archive_reader']);
    expect(can('archive_reader', 'crm', 'identity')).toBe(false);
  });
});
