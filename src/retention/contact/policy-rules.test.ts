import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isRempartError, type RempartError } from '../../errors.js';
import { DEFAULT_POLICY_FILE, parsePolicy } from '../../policy/index.js';
import { statisticsSettings } from '../statistics/settings.js';
import { DEFAULT_REPERMISSION, repermissionPurposes } from './term.js';

const TEXT = readFileSync(DEFAULT_POLICY_FILE, 'utf8');
const PROSPECTING_RULE = '      repermission:\n        before: P30D\n      # R-PROS-8';

function problems(text: string): string[] {
  try {
    parsePolicy(text, 'p.yaml');
  } catch (e) {
    if (!isRempartError(e, 'POLICY_INVALID')) throw e;
    return (e as RempartError).details.map((d) => `${d.field ?? ''}: ${d.message}`);
  }
  return [];
}

describe('policy: re-permission and statistics', () => {
  it('P4.2 R-PROS-8 the annex policy asks for the message 30 days before the term and for statistics with k = 5', () => {
    const policy = parsePolicy(TEXT, 'p.yaml');
    expect(repermissionPurposes(policy)).toEqual([
      { purpose: 'prospecting', active: 'P3Y', rule: { before: 'P30D' } },
      { purpose: 'file_sharing', active: 'P3Y', rule: { before: 'P30D' } },
    ]);
    expect(statisticsSettings(policy)).toEqual({ prospecting: { k: 5, dimensions: ['source', 'region', 'quarter'] } });
    // Without the key, the default lead time applies.
    const without = parsePolicy(TEXT.replace(PROSPECTING_RULE, '      # R-PROS-8'), 'p.yaml');
    expect(repermissionPurposes(without)[0]?.rule).toEqual(DEFAULT_REPERMISSION);
  });

  it('P4.2 an answer window after the term is accepted instead of a lead time, not both', () => {
    expect(problems(TEXT.replace(PROSPECTING_RULE, '      repermission:\n        after: P15D\n      # R-PROS-8'))).toEqual([]);
    expect(problems(TEXT.replace(PROSPECTING_RULE, '      repermission:\n        before: P30D\n        after: P15D\n      # R-PROS-8'))).toEqual([
      expect.stringMatching(/repermission: give exactly one of before .* or after/),
    ]);
    expect(problems(TEXT.replace(PROSPECTING_RULE, '      repermission:\n        before: 30 days\n      # R-PROS-8'))).toEqual([
      expect.stringMatching(/repermission\.before: must be an ISO-8601 duration/),
    ]);
  });

  it('R-PROS-8 k below 5 and unknown dimensions are refused', () => {
    expect(problems(TEXT.replace('        k: 5\n', '        k: 3\n'))).toEqual([expect.stringMatching(/statistics\.k: must be an integer of at least 5, got number 3/)]);
    expect(problems(TEXT.replace('dimensions: [source, region, quarter]', 'dimensions: [source, email]'))).toEqual([
      expect.stringMatching(/statistics\.dimensions\[1\]: must be one of: source, region, quarter, year/),
    ]);
  });
});
