import type { ColumnType } from 'kysely';
import type { Json, Timestamp } from '../../db/column-types.js';
import type { OppositionTables } from '../opposition/tables.js';
import type { RecipientTables } from '../recipients/tables.js';
import type { RectificationTables } from '../rectification/tables.js';
import type { RestrictionTables } from '../restriction/tables.js';

type NullableTime = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;

/** `legal_holds`: a litigation hold the dpo set on a person (Art. 17(3)(e)). */
export interface LegalHoldsTable {
  id: string;
  personId: string;
  reason: string;
  setBy: string;
  setAt: Timestamp;
  liftedAt: NullableTime;
}

/** `archived_records`: the intermediate archive (P4.5) of records kept under a hold. */
export interface ArchivedRecordsTable {
  id: string;
  sourceTable: string;
  recordId: string | null;
  personId: string | null;
  legalHoldId: string | null;
  data: Json<Record<string, unknown>>;
  reason: string;
  holdUntil: NullableTime;
  archivedAt: Timestamp;
}

/** `erasure_journal`: keyed hashes of erased people's identifiers, replayed by a restore (P5.3). */
export interface ErasureJournalTable {
  id: string;
  emailHashes: string[];
  phoneHashes: string[];
  erasedAt: Timestamp;
  keepUntil: Timestamp;
}

/** The tables of this folder. */
export interface ErasureTables {
  legalHolds: LegalHoldsTable;
  archivedRecords: ArchivedRecordsTable;
  erasureJournal: ErasureJournalTable;
}

/** Every table of the rights folders, merged into `Database` (src/db/schema.ts). */
export interface RightsStateTables extends ErasureTables, OppositionTables, RestrictionTables, RectificationTables, RecipientTables {}
