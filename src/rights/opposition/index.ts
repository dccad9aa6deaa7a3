/**
 * The opposition list and objections (GDPR Art. 21; P5.6, R-PROS-3). The prospecting
 * engine calls `isOpposed` at import, at selection and at send.
 */
export { OPPOSITION_CHANNELS, type OppositionChannel, type OppositionListTable, type OppositionTables } from './tables.js';
export { normaliseEmail, normalisePhone, oppositionHash } from './identifiers.js';
export { addOpposition, isOpposed, oppositionListSize, removeOpposition, OPPOSITION_KEEP_YEARS, type OppositionIdentifiers, type OppositionOptions } from './opposition-list.js';
export { decideObjection, objectToOtherProcessing, objectToProspecting, objectToProspectingOn } from './objection.js';
export { OPPOSITION_CATALOGUE } from './catalogue-entries.js';
