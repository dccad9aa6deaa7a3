import { sql } from 'kysely';
import { expect, it } from 'vitest';
import { describeEachEngine } from '../../../test/engines.js';
import { loadPolicy } from '../../policy/index.js';
import { CONNECTION_LOG_CATALOGUE } from '../connection-logs/catalogue-entries.js';
import { AUDIT_CATALOGUE } from './catalogue-entries.js';

const ENTRIES = [...CONNECTION_LOG_CATALOGUE, ...AUDIT_CATALOGUE];

describeEachEngine('audit and connection-log tables in the catalogue', (store) => {
  it('P1.1 every column of connection_logs and the audit tables is declared, and nothing more', async () => {
    const tables = ENTRIES.map((t) => t.table);
    expect(tables).toEqual(['connection_logs', 'audit_queue', 'audit_entries', 'audit_checkpoints', 'audit_verifications']);
    const rows = await sql<{ tableName: string; columnName: string }>`
      select table_name, column_name from information_schema.columns
      where table_schema = 'public' and table_name in (${sql.join(tables)})`.execute(store().db);
    const inDb = rows.rows.map((r) => `${r.tableName}.${r.columnName}`).sort();
    const declared = ENTRIES.flatMap((t) => Object.keys(t.columns).map((c) => `${t.table}.${c}`)).sort();
    expect(declared).toEqual(inDb);
  });

  it('P1.1 the categories and purposes used are declared in the policy, and a table with personal columns names its subject', async () => {
    const policy = await loadPolicy('policies/certilience.yaml');
    const categories = new Set(policy.dataCategories.map((c) => c.id));
    for (const table of ENTRIES) {
      const personal = Object.entries(table.columns).flatMap(([column, c]) => (c.personal ? [{ column, c }] : []));
      expect(personal.length === 0 || table.subjects.length > 0, table.table).toBe(true);
      for (const { column, c } of personal) {
        expect(categories.has(c.category), `${table.table}.${column}`).toBe(true);
        for (const purposeId of c.purposes) {
          expect(policy.purposes.find((p) => p.id === purposeId)?.dataCategories, `${table.table}.${column}`).toContain(c.category);
        }
      }
    }
  });
});
