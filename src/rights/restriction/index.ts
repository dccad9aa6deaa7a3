/** Restriction of processing (GDPR Art. 18; P5.4) and the gate's person-state hook. */
export { isRestricted, restrict, unrestrict, type LiftNotice, type RestrictionResult } from './restriction.js';
export { personStateChecks } from '../../access/person-state-checks.js';
export { personContact, setPersonState } from './person-state.js';
export type { PersonStatesTable, RestrictionTables } from './tables.js';
export { RESTRICTION_CATALOGUE } from './catalogue-entries.js';
