/**
 * Prospect import (annex art. 1; P1.4, R-PROS-1, R-PROS-2, R-PROS-3, R-PROS-9): files
 * of prospects (CSV or XLSX) normalised, matched, merged with provenance, checked
 * against the opposition list, in streamed batches.
 */
export { importProspects, type ImportOptions, type ImportProgress } from './engine.js';
export { dedupeProspectBase, type BaseDedupeOptions, type BaseDedupeReport } from './linkage.js';
export { exactMatcher, type Matcher, type MatchDecision } from './matcher.js';
export { normaliseProspectRow, parseCollectionDate, type ProspectCandidate, type RowOutcome, type RowValues, type FieldProblem } from './prospect-row.js';
export { fieldOfHeader, loadMappingFile, PROSPECT_FIELDS, resolveColumns, type ColumnMapping, type ProspectField, type ResolvedColumns } from './mapping.js';
export { detectDelimiter, detectShape, readRecords, type FileShape, type SourceRecord } from './reader.js';
export { PROSPECTING_IMPORT_CATALOGUE } from './catalogue-entries.js';
export type { ImportReport, ImportWarning, RejectedRow, ProspectingTables } from './tables.js';
export { createImportJob, getImportJob, runImportJob, type ImportJobView } from './jobs.js';
