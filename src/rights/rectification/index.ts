/** Rectification (GDPR Art. 16; P5.2) through the gate, with the person's own change history. */
export { changeHistory, rectify, type RectificationResult } from './rectify.js';
export type { PersonChangeHistoryTable, RectificationTables } from './tables.js';
export { RECTIFICATION_CATALOGUE } from './catalogue-entries.js';
