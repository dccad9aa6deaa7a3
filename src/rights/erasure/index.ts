/** Erasure (GDPR Art. 17; P5.3): the catalogue walk, legal holds, the intermediate archive and the residue scan. */
export { erasePerson, vacuum, type ErasureOptions, type ErasureReport, type KeptRecords } from './erase-person.js';
export { scanForPerson, isClean, likePattern, type ScanHit, type ScanResult } from './scan.js';
export { activeHolds, financialYearEnd, HELD_RECORD_TABLES, liftLegalHold, setLegalHold, statutoryHolds, type TableHold } from './holds.js';
export { rightsCatalogue } from './walk.js';
export { fileStoreFiles } from './file-stores.js';
export { ERASURE_CATALOGUE } from './catalogue-entries.js';
export type { ArchivedRecordsTable, ErasureTables, LegalHoldsTable, RightsStateTables } from './tables.js';
