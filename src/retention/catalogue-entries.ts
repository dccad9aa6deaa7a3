import type { TableEntry } from '../catalogue/types.js';

/** The name of the intermediate archive's table, schema-qualified (P4.5). */
export const ARCHIVE_TABLE = 'archive.records';

/**
 * The catalogue entry (P1.1) of the intermediate archive. Its `data` holds the columns
 * a purpose's `archiveKeeps` names, of the categories of the source table; it is
 * declared under the widest of them the relationship archive keeps (identity: the
 * person's name stays as proof of who the contract was with).
 */
export const RETENTION_CATALOGUE: readonly TableEntry[] = Object.freeze<TableEntry[]>([
  {
    table: ARCHIVE_TABLE,
    description:
      'The intermediate archive (P4.1, P4.5): records past their active period, moved out of the operational tables ' +
      'under their own ids, with only the fields the policy keeps as proof; read only by archive_reader, for a stated reason',
    subjects: [{ column: 'person_id' }],
    columns: {
      source_table: { personal: false, why: 'the table the record came from' },
      id: { personal: false, why: 'the id the record had in its table' },
      purpose: { personal: false, why: 'the purpose the record belonged to' },
      person_id: { personal: true, category: 'identity', purposes: ['crm'], provided: false },
      organisation_id: { personal: false, why: 'reference to organisations (a legal person, GDPR recital 14)' },
      data: { personal: true, category: 'identity', purposes: ['crm'], provided: false },
      reason: { personal: false, why: 'the retention rule that archived the record' },
      archived_at: { personal: false, why: 'bookkeeping timestamp of the row' },
      delete_on: { personal: false, why: 'the day the record leaves the archive, computed from the policy' },
      end_action: { personal: false, why: 'deletion or anonymisation, from the policy' },
    },
  },
  {
    table: 'retention_runs',
    description: 'Each retention sweep and what it changed, as counts by purpose, action and table (proof the periods are applied, GDPR Art. 5(1)(e), 5(2))',
    subjects: [],
    columns: {
      id: { personal: false, why: 'surrogate key' },
      started_at: { personal: false, why: 'when the sweep started' },
      finished_at: { personal: false, why: 'when the sweep ended' },
      applied_at: { personal: false, why: 'the day the policy was applied at' },
      actor: { personal: false, why: 'the job or operator that ran it (Actor.id)' },
      batches: { personal: false, why: 'committed batches' },
      changed: { personal: false, why: 'counts by purpose and action; no ids' },
      rows: { personal: false, why: 'counts of rows by table; no ids' },
    },
  },
]);
