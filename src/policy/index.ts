/**
 * The policy: the company's data-protection promises as data. Everything outside
 * this folder imports from here.
 */
export * from './types.js';
export { loadPolicy, parsePolicy, DEFAULT_POLICY_FILE } from './load-policy.js';
export { checkPolicy, analysePolicy, type PolicyAnalysis } from './check-policy.js';
export { effectiveGrants, hasTask, includedRoles, isAllowed, requiresMfa, type AccessRequest } from './grants.js';
export {
  ADEQUACY_COUNTRIES,
  CERTIFICATION_ADEQUACY_COUNTRIES,
  EU_COUNTRIES,
  EU_EEA_COUNTRIES,
  hasAdequacyDecision,
  isEuEea,
  transferGround,
  type TransferGround,
} from './countries.js';
export { addDuration, compareDates, formatDuration, isDuration, isIsoDate, parseDuration, type Duration } from './duration.js';
export { formatPath, type Path } from './path.js';
