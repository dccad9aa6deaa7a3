/**
 * Consent to the sale, rental or exchange of client files, and the transfers it allows
 * (annex art. 1; P1.6, P3.1); and consent to the controller's own email prospecting and
 * open tracking (L34-5 CPCE, R-PROS-6, R-PROS-10).
 */
export { FILE_SHARING, PROSPECTING, type ConsentDeps } from './context.js';
export { addPartner, getPartner, listPartners, requireTransferGround, transferGroundNow, type Partner, type PartnerInput } from './partners.js';
export {
  activeConsents,
  activeScopeConsents,
  consentedToElectronicProspecting,
  consentedToOpenTracking,
  consentHistory,
  defaultConsentText,
  defaultScopeText,
  hasActiveConsent,
  purposeOfScope,
  recordConsent,
  withdrawalUrl,
  withdrawControllerScopes,
  type ConsentEvent,
  type ConsentInput,
  type ConsentRecorded,
  type ScopeWithdrawalInput,
} from './events.js';
export { deliverConsentNotices, partnersOfPerson, partnersThatReceived, type ConsentNoticePayload, type NoticeDeliveryReport } from './notices.js';
export { createTransfer, parseSegment, SEGMENT_KEYS, TRANSFER_FIELDS, transfersOf, type Segment, type TransferResult } from './transfer.js';
export { CONSENT_EXPORT_SCHEMA, exportConsents27560, toRecord27560, type ConsentExport27560, type ConsentRecord27560 } from './record-27560.js';
export { consentProof, consentProofHtml, type ConsentProof } from './proof.js';
export { gpcSupport, hasGpcSignal, honourGpc, recordGpcObjection, type GpcRequest } from './gpc.js';
export { readWithdrawalToken, withdrawalToken } from './withdrawal-token.js';
export { withdrawByLink, withdrawalTarget, type WithdrawalTarget } from './withdraw-link.js';
export { ensureSubject, subjectOf } from './subjects.js';
export { sweepConsentRecords } from './sweep.js';
export { consentRoutes, type ConsentRouteOptions } from './routes.js';
export { CONSENT_CATALOGUE } from './catalogue-entries.js';
export { consentMonths, type ConsentMonth } from './monthly.js';
export { CONSENT_SCOPES, CONSENT_STATES, CONTROLLER_SCOPES, PARTNER_KINDS, type ConsentScope, type ConsentState, type ConsentTables, type ControllerScope, type PartnerKind } from './tables.js';
