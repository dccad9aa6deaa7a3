import type { Json, Timestamp, DateString } from '../db/column-types.js';

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

/** `retention_runs`: one sweep and what it changed (counts only), proof the periods are applied. */
export interface RetentionRunsTable {
  id: string;
  startedAt: Timestamp;
  finishedAt: Timestamp;
  /** The day the policy was applied at (`--at` replays an earlier one). */
  appliedAt: DateString;
  actor: string;
  batches: number;
  changed: Json<readonly { readonly purpose: string; readonly action: string; readonly count: number }[]>;
  rows: Json<Readonly<Record<string, number>>>;
}

/** The tables of the retention engine; `archive.records` is schema-qualified (the archive schema). */
export interface RetentionTables {
  'archive.records': ArchiveRecordsTable;
  retentionRuns: RetentionRunsTable;
}
