import { sql } from 'kysely';
import { expect, it } from 'vitest';
import { describeEachEngine } from '../../../test/engines.js';
import { FILE_STORES } from '../../mail/index.js';
import { isDuration, loadPolicy } from '../../policy/index.js';
import { RIGHTS_REQUESTS_CATALOGUE } from './catalogue-entries.js';

describeEachEngine('rights requests in the catalogue', (store) => {
  it('P1.1 every column of rights_requests is declared, and nothing more', async () => {
    expect(RIGHTS_REQUESTS_CATALOGUE.map((t) => t.table)).toEqual(['rights_requests']);
    const rows = await sql<{ columnName: string }>`
      select column_name from information_schema.columns
      where table_schema = 'public' and table_name = 'rights_requests' order by column_name`.execute(store().db);
    const declared = Object.keys(RIGHTS_REQUESTS_CATALOGUE[0]?.columns ?? {}).sort();
    expect(declared).toEqual(rows.rows.map((r) => r.columnName).sort());
  });

  it('P1.1 the categories and purposes used are declared in the policy; the subject is person_id; contact_email is provided contact data', async () => {
    const policy = await loadPolicy('policies/certilience.yaml');
    const [table] = RIGHTS_REQUESTS_CATALOGUE;
    expect(table?.subjects).toEqual([{ column: 'person_id' }]);
    expect(table?.columns.contact_email).toEqual({ personal: true, category: 'contact', purposes: ['crm', 'prospecting'], provided: true });
    expect(table?.columns.details).toMatchObject({ personal: true });
    for (const [column, entry] of Object.entries(table?.columns ?? {})) {
      if (!entry.personal) continue;
      for (const purposeId of entry.purposes) {
        expect(policy.purposes.find((p) => p.id === purposeId)?.dataCategories, column).toContain(entry.category);
      }
    }
  });

  it('P5.3 the outbox and the ID documents are declared file stores with an expiry', () => {
    expect(FILE_STORES.map((f) => f.path)).toEqual(['outbox', 'uploads/id-documents']);
    for (const f of FILE_STORES) {
      expect(f.expiry.after !== undefined || f.expiry.until !== undefined, f.id).toBe(true);
      if (f.expiry.after !== undefined) expect(isDuration(f.expiry.after)).toBe(true);
    }
  });
});
