import { CATALOGUE } from '../catalogue/catalogue.js';
import type { Issue } from '../policy/path.js';
import type { Policy } from '../policy/types.js';

/**
 * The policy's `retention.archiveKeeps` (P4.5: the fields kept as proof when a record is
 * archived) against the catalogue: each table and column it names must exist, or the sweep
 * would archive nothing of it and drop what the policy meant to keep. Each issue has the
 * path of the offending table or column, so `rempart policy check` gives its line.
 */
export function archiveKeepsIssues(policy: Pick<Policy, 'purposes'>): Issue[] {
  const issues: Issue[] = [];
  policy.purposes.forEach((p, i) => {
    for (const [table, columns] of Object.entries(p.retention.archiveKeeps ?? {})) {
      const path = ['purposes', i, 'retention', 'archiveKeeps', table];
      const entry = CATALOGUE.find((t) => t.table === table);
      if (!entry) {
        issues.push({ path, message: `no table ${table} in the catalogue` });
        continue;
      }
      columns.forEach((c, j) => {
        if (!(c in entry.columns)) issues.push({ path: [...path, j], message: `no column ${c} in table ${table}` });
      });
    }
  });
  return issues;
}
