import { describe, expect, it } from 'vitest';
import { loadPolicy } from '../policy/index.js';
import { accountingHoldEnd, financialYearClose, planRecord, retentionRules, type RetentionRules } from './plan.js';

describe('retention planner (pure, P4.1–P4.6)', async () => {
  const rules: RetentionRules = retentionRules(await loadPolicy('policies/certilience.yaml'));

  it('P4.2 a prospect: due on the term day, not the day before; the later of collection and last contact starts the clock', () => {
    const f = { kind: 'contact_person', purpose: 'prospecting', collectedOn: '2020-02-29', lastContactOn: null } as const;
    expect(planRecord(rules, f, '2023-02-27')).toMatchObject({ phase: 'active', due: null, next: { action: 'delete', on: '2023-02-28' } });
    expect(planRecord(rules, f, '2023-02-28').due).toBe('delete');
    const contacted = { ...f, lastContactOn: '2022-01-10' };
    expect(planRecord(rules, contacted, '2023-03-01').due).toBeNull();
    expect(planRecord(rules, contacted, '2025-01-10').due).toBe('delete');
  });

  it('P4.1 a client contact: active while a contract is open, then archive at 3 years and anonymise at 5; past both, ended directly', () => {
    expect(planRecord(rules, { kind: 'crm_person', relationshipEnd: null }, '2099-01-01')).toMatchObject({ due: null, next: null });
    const f = { kind: 'crm_person', relationshipEnd: '2020-06-30' } as const;
    expect(planRecord(rules, f, '2023-06-29')).toMatchObject({ due: null, next: { action: 'archive', on: '2023-06-30' } });
    expect(planRecord(rules, f, '2023-06-30')).toMatchObject({ due: 'archive', next: { action: 'anonymise', on: '2025-06-30' } });
    expect(planRecord(rules, f, '2025-06-30')).toMatchObject({ due: 'anonymise', next: null });
    expect(planRecord(rules, { ...f, held: true }, '2030-01-01')).toMatchObject({ phase: 'held', due: null, next: null });
  });

  it('P4.1 L123-22 an invoice leaves the archive 10 years after the close of the financial year of its last payment', () => {
    expect(financialYearClose('2020-02-01', '12-31')).toBe('2020-12-31');
    expect(financialYearClose('2020-07-15', '06-30')).toBe('2021-06-30');
    expect(accountingHoldEnd(rules, '2020-02-01')).toBe('2030-12-31');
    const f = { kind: 'invoice', relationshipEnd: '2020-06-30', issuedOn: '2019-05-10', lastPaidOn: '2020-02-01' } as const;
    expect(planRecord(rules, f, '2023-06-30')).toMatchObject({ due: 'archive', next: { action: 'delete', on: '2030-12-31' } });
    expect(planRecord(rules, f, '2030-12-30').due).toBe('archive');
    expect(planRecord(rules, f, '2030-12-31').due).toBe('delete');
  });

  it('P4.4 a connection-log entry goes on the day after its first anniversary (the purge cuts at the run minus 12 months)', () => {
    expect(planRecord(rules, { kind: 'connection_log', loggedOn: '2024-05-10' }, '2025-05-10').due).toBeNull();
    expect(planRecord(rules, { kind: 'connection_log', loggedOn: '2024-05-10' }, '2025-05-11').due).toBe('delete');
  });
});
