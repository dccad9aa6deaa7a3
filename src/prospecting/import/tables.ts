import type { ColumnType, Generated } from 'kysely';
import type { Json, Timestamp } from '../../db/column-types.js';

type NullableTime = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;

/** One rejected row of an import: where it is and why, never its values. */
/**
 * Why a row, a value or a column was rejected, dropped or flagged: the closed set the
 * back office translates (issue 16 item 3: the report in the user's language); the
 * English `reason` beside it is what the CLI prints. Stored reports of earlier versions
 * have no code: the back office then shows their `reason`.
 */
export const IMPORT_PROBLEM_CODES = [
  // rows rejected
  'no_name_or_email',
  'no_contact_point',
  'restricted',
  // values dropped
  'email_invalid',
  'phone_invalid',
  'address_unusable',
  'company_id_invalid',
  'headcount_invalid',
  'collected_at_invalid',
  'collected_at_future',
  // consents not recorded (R-PROS-6, GDPR Art. 7)
  'consent_unclear',
  'consent_without_email',
  'consent_date_invalid',
  'consent_date_future',
  'consent_date_too_old',
  'consent_undated',
  'consent_no_proof',
  'consent_date_without_yes',
  'consent_without_policy',
  'consent_objected',
  'consent_withdrawn',
  // columns and flags
  'column_unmapped',
  'opposed',
  // not eligible for e-mail prospecting (R-PROS-6)
  'personal_email',
  'no_company',
] as const;
/** One of IMPORT_PROBLEM_CODES. */
export type ImportProblemCode = (typeof IMPORT_PROBLEM_CODES)[number];

export interface RejectedRow {
  /** Data row number, from 1, header excluded. */
  readonly row: number;
  /** Physical line (CSV) or sheet row (XLSX) where the record starts. */
  readonly line: number;
  readonly field: string;
  readonly code?: ImportProblemCode;
  readonly reason: string;
}

/** A value dropped from an accepted row, or a note about the file. */
export interface ImportWarning {
  readonly row?: number;
  readonly line?: number;
  readonly field: string;
  readonly code?: ImportProblemCode;
  readonly reason: string;
}

/** The report of an import, as stored on its job and printed by the CLI. */
export interface ImportReport {
  readonly imported: number;
  /**
   * Accepted rows that merged into a record, by the exact match (email, phone) during the
   * batches or by the record-linkage pass after them (`fuzzyMerged` of them).
   */
  readonly merged: number;
  readonly rejected: readonly RejectedRow[];
  /** Of `merged`, the rows whose record the record-linkage pass merged after the batches (R-PROS-2). */
  readonly fuzzyMerged: number;
  readonly warnings: readonly ImportWarning[];
  /** Accepted rows whose email or phone is on the opposition list: flagged objected, never contacted (R-PROS-3). */
  readonly flaggedOpposed: number;
  /** Pairs left for review instead of being merged (R-PROS-2). */
  readonly queuedForReview: number;
  readonly rows: number;
  readonly blankRows: number;
  readonly created: number;
  readonly organisationsCreated: number;
  /** Pairs of organisations left for review instead of being matched (a common name without a place, a near name at one postcode). */
  readonly organisationsQueuedForReview: number;
  /** Consents to email prospecting recorded from the file's opt-in columns (R-PROS-6). */
  readonly consentsRecorded: number;
  /**
   * Rows imported as individuals (an e-mail at a consumer domain, or no company): not
   * eligible for e-mail prospecting until a consent is recorded (R-PROS-6, L34-5 CPCE).
   */
  readonly notEligible: readonly RejectedRow[];
  readonly dryRun: boolean;
  readonly encoding: string;
  readonly delimiter: string | null;
  readonly columns: Readonly<Record<string, string>>;
}

/** `import_jobs`: one import, its progress and its report. */
export interface ImportJobsTable {
  id: string;
  kind: 'prospects';
  source: string;
  actor: string;
  role: string | null;
  status: 'queued' | 'running' | 'done' | 'failed';
  dryRun: Generated<boolean>;
  rowsTotal: number | null;
  rowsDone: Generated<number>;
  imported: Generated<number>;
  merged: Generated<number>;
  report: Json<ImportReport> | null;
  error: Json<{ code: string; message: string; details: readonly unknown[] }> | null;
  createdAt: Timestamp;
  finishedAt: NullableTime;
}

/** `prospect_field_provenance`: which source gave each field of a person, and when (R-PROS-2, R-PROS-9). */
export interface ProspectFieldProvenanceTable {
  personId: string;
  field: string;
  source: string;
  collectedAt: Timestamp;
  importJobId: string | null;
  chosen: Generated<boolean>;
}

/**
 * `prospect_organisation_keys`: SIRET, SIREN or normalised-name keys of organisations;
 * `name_place` keys are `PLACE|name` (a postcode or a folded city), for common names.
 */
export interface ProspectOrganisationKeysTable {
  kind: 'siret' | 'siren' | 'name' | 'name_place';
  key: string;
  organisationId: string;
}

/** `dedupe_review_queue`: uncertain pairs waiting for a person's decision (R-PROS-2). */
export interface DedupeReviewQueueTable {
  id: string;
  leftPersonId: string;
  rightPersonId: string;
  score: number;
  comparison: Json<Readonly<Record<string, string>>>;
  status: Generated<'pending' | 'accepted' | 'rejected'>;
  importJobId: string | null;
  createdAt: Timestamp;
  decidedAt: NullableTime;
  decidedBy: string | null;
}

/** `organisation_review_queue`: pairs of organisations the import was unsure of (issue 17, item 2). */
export interface OrganisationReviewQueueTable {
  id: string;
  leftOrganisationId: string;
  rightOrganisationId: string;
  rule: OrganisationReviewRule;
  score: number;
  status: Generated<'pending' | 'accepted' | 'rejected'>;
  importJobId: string | null;
  createdAt: Timestamp;
  decidedAt: NullableTime;
  decidedBy: string | null;
}

/** Why an organisation pair was sent to review. */
export type OrganisationReviewRule = 'common_name_without_place' | 'near_name_same_place';

/** `person_field_history`: values a merge did not keep, with their source (survivorship.ts). */
export interface PersonFieldHistoryTable {
  id: string;
  personId: string;
  field: string;
  value: string;
  source: string;
  collectedAt: Timestamp;
  reason: string;
  importJobId: string | null;
  recordedAt: Generated<Date>;
}

/** The tables of src/prospecting (import, provenance, review). */
export interface ProspectingTables {
  importJobs: ImportJobsTable;
  prospectFieldProvenance: ProspectFieldProvenanceTable;
  prospectOrganisationKeys: ProspectOrganisationKeysTable;
  dedupeReviewQueue: DedupeReviewQueueTable;
  personFieldHistory: PersonFieldHistoryTable;
  organisationReviewQueue: OrganisationReviewQueueTable;
}
