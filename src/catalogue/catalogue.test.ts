import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { loadPolicy } from '../policy/index.js';
import { describeEachEngine } from '../../test/engines.js';
import { CATALOGUE, INFRASTRUCTURE_TABLES, personalColumns } from './catalogue.js';

describeEachEngine('personal-data catalogue', (store) => {
  it('P1.1 every column of every table is declared in the catalogue, and nothing declared is missing', async () => {
    // The intermediate archive (P4.5) is a schema of its own: its tables are named `archive.<table>`.
    const rows = await sql<{ tableName: string; columnName: string }>`
      select case when table_schema = 'public' then table_name else table_schema || '.' || table_name end as table_name, column_name
      from information_schema.columns
      where table_schema in ('public', 'archive') order by table_name, ordinal_position`.execute(store().db);
    const undeclared: string[] = [];
    const seen = new Set<string>();
    for (const { tableName, columnName } of rows.rows) {
      if (INFRASTRUCTURE_TABLES.has(tableName)) continue;
      seen.add(`${tableName}.${columnName}`);
      const entry = CATALOGUE.find((t) => t.table === tableName);
      if (!entry || !(columnName in entry.columns)) undeclared.push(`${tableName}.${columnName}`);
    }
    expect(undeclared, 'columns of the database missing from src/catalogue/catalogue.ts').toEqual([]);
    const stale = CATALOGUE.flatMap((t) => Object.keys(t.columns).map((c) => `${t.table}.${c}`)).filter((c) => !seen.has(c));
    expect(stale, 'catalogue entries with no column in the database').toEqual([]);
  });

  it('P1.1 every table that can concern a person says how its rows link to the person', () => {
    for (const t of CATALOGUE) {
      const hasPersonal = Object.values(t.columns).some((c) => c.personal);
      // Processor tables (training) concern the client's employees, never a `people` row (Art. 28).
      expect(hasPersonal ? t.subjects.length > 0 || t.keyedBy !== undefined || t.processor === true : true, `${t.table} has personal columns but no subject link`).toBe(true);
    }
    expect(personalColumns().some((c) => c.table === 'people' && c.column === 'email' && c.entry.provided)).toBe(true);
  });
});

describe('catalogue and policy agree', () => {
  it('P1.1 every catalogued category and purpose is declared in the policy, and each purpose declares the categories it holds', async () => {
    const policy = await loadPolicy('policies/certilience.yaml');
    const categories = new Set(policy.dataCategories.map((c) => c.id));
    const problems: string[] = [];
    for (const { table, column, entry } of personalColumns()) {
      if (!categories.has(entry.category)) problems.push(`${table}.${column}: category ${entry.category} not in policy`);
      for (const purposeId of entry.purposes) {
        const purpose = policy.purposes.find((p) => p.id === purposeId);
        if (!purpose) problems.push(`${table}.${column}: purpose ${purposeId} not in policy`);
        else if (!purpose.dataCategories.includes(entry.category)) {
          problems.push(`${table}.${column}: purpose ${purposeId} does not declare category ${entry.category}`);
        }
      }
    }
    expect(problems).toEqual([]);
  });
});
