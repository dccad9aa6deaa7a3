import type { Json, Timestamp } from '../../db/column-types.js';

/** `person_change_history`: the values a rectification replaced, the person's own history (Art. 16). */
export interface PersonChangeHistoryTable {
  id: string;
  personId: string;
  changedAt: Timestamp;
  field: string;
  oldValue: Json<unknown>;
}

/** The tables of this folder. */
export interface RectificationTables {
  personChangeHistory: PersonChangeHistoryTable;
}
