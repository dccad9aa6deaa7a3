/**
 * Exports of a person's data: the access copy (GDPR Art. 15; P5.1, P5.7) and the
 * portability archive (Art. 20; P5.5), both gathered by walking the personal-data
 * catalogue, never a hand-kept list of tables, and both audited (P2.5).
 */
export { findPeopleByEmail, normaliseEmail } from './find-people.js';
export {
  accessColumns,
  collectSubjectRows,
  subjectTables,
  toExportValue,
  type CollectedTable,
  type ColumnFilter,
  type ExportRow,
  type ExportValue,
} from './collect.js';
export {
  buildAccessExport,
  exportPolicyVersion,
  type AccessExport,
  type AccessExportOptions,
  type ExportPerson,
  type ExportPolicyVersion,
} from './access-export.js';
export { buildAccessContext, purposesOf, type AccessContext, type PurposeContext } from './context.js';
export { escapeHtml, renderAccessHtml } from './access-html.js';
export { renderAccessPdf } from './access-pdf.js';
export { isAccessFormat, writeAccessZip, type AccessFormat } from './access-zip.js';
export { exportAuditEvent, type AuditSink, type ExportAuditOptions } from './audit.js';
export { buildPortabilityExport, portablePurposes, writePortabilityZip, type PortabilityExport } from './portability.js';
export { csvField, toCsv } from './csv.js';
export { checkPushUrl, portabilitySignature, pushPortability, SIGNATURE_HEADER, type PushOptions, type PushResult } from './push.js';
export { MANIFEST_FILE, packArchive, unpackArchive, type ArchiveFile, type ExportManifest } from './zip.js';
export { isLanguage, RIGHTS, type Language } from './texts.js';
