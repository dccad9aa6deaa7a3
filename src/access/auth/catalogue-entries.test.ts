import { sql } from 'kysely';
import { expect, it } from 'vitest';
import { describeEachEngine } from '../../../test/engines.js';
import { loadPolicy } from '../../policy/index.js';
import { AUTH_CATALOGUE } from './catalogue-entries.js';

describeEachEngine('authentication tables in the catalogue', (store) => {
  it('P1.1 every column of accounts, sessions, api_tokens and auth_changes is declared, and nothing more', async () => {
    const tables = AUTH_CATALOGUE.map((t) => t.table);
    expect(tables).toEqual(['accounts', 'sessions', 'api_tokens', 'auth_changes']);
    const rows = await sql<{ tableName: string; columnName: string }>`
      select table_name, column_name from information_schema.columns
      where table_schema = 'public' and table_name in ('accounts', 'sessions', 'api_tokens', 'auth_changes')
      order by table_name, column_name`.execute(store().db);
    const inDb = rows.rows.map((r) => `${r.tableName}.${r.columnName}`).sort();
    const declared = AUTH_CATALOGUE.flatMap((t) => Object.keys(t.columns).map((c) => `${t.table}.${c}`)).sort();
    expect(declared).toEqual(inDb);
  });

  it('P1.1 the categories and purposes used are declared in the policy, and each table with personal columns names its subject', async () => {
    const policy = await loadPolicy('policies/certilience.yaml');
    for (const table of AUTH_CATALOGUE) {
      const personal = Object.entries(table.columns).filter(([, c]) => c.personal);
      expect(personal.length === 0 || table.subjects.length > 0, table.table).toBe(true);
      for (const [column, entry] of personal) {
        if (!entry.personal) continue;
        for (const purposeId of entry.purposes) {
          const purpose = policy.purposes.find((p) => p.id === purposeId);
          expect(purpose?.dataCategories, `${table.table}.${column}`).toContain(entry.category);
        }
      }
    }
  });
});
