import type { Json, Timestamp, DateString } from '../db/schema.js';

/** `archive.records`: one record in the intermediate archive (P4.5), under the id it had. */
export interface ArchiveRecordsTable {
  sourceTable: string;
  id: string;
  purpose: string;
  personId: string | null;
  organisationId: string | null;
  /** Only the columns the policy's `archiveKeeps` names (SQL names). */
  data: Json<Record<string, unknown>>;
  reason: string;
  archivedAt: Timestamp;
  deleteOn: DateString;
  endAction: 'delete' | 'anonymise';
}

/** The tables of the retention engine; `archive.records` is schema-qualified (the archive schema). */
export interface RetentionTables {
  'archive.records': ArchiveRecordsTable;
}
