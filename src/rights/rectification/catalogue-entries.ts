import type { PersonalColumn, TableEntry } from '../../catalogue/types.js';

const history: PersonalColumn = { personal: true, category: 'identity', purposes: ['crm', 'prospecting'], provided: true };

/** The catalogue entry (P1.1) of the person's own change history (Art. 16; P5.2). */
export const RECTIFICATION_CATALOGUE: readonly TableEntry[] = Object.freeze([
  {
    table: 'person_change_history',
    description: "Values a rectification replaced: the person's own history, removed with them on erasure (P5.2)",
    subjects: [{ column: 'person_id' }],
    columns: {
      id: { personal: false, why: 'surrogate key' },
      person_id: { personal: false, why: 'reference to people' },
      changed_at: { ...history, provided: false },
      field: { ...history, provided: false },
      old_value: history,
    },
  },
]);
