/** Consent to the sale, rental or exchange of client files, and the transfers it allows (annex art. 1; P1.6, P3.1). */
export { FILE_SHARING, type ConsentDeps } from './context.js';
export { addPartner, getPartner, listPartners, requireTransferGround, transferGroundNow, type Partner, type PartnerInput } from './partners.js';
export { activeConsents, consentHistory, defaultConsentText, hasActiveConsent, recordConsent, withdrawalUrl, type ConsentEvent, type ConsentInput, type ConsentRecorded } from './events.js';
export { deliverConsentNotices, partnersOfPerson, partnersThatReceived, type ConsentNoticePayload, type NoticeDeliveryReport } from './notices.js';
export { createTransfer, parseSegment, SEGMENT_KEYS, TRANSFER_FIELDS, transfersOf, type Segment, type TransferResult } from './transfer.js';
export { CONSENT_EXPORT_SCHEMA, exportConsents27560, toRecord27560, type ConsentExport27560, type ConsentRecord27560 } from './record-27560.js';
export { consentProof, consentProofHtml, type ConsentProof } from './proof.js';
export { gpcSupport, hasGpcSignal, recordGpcObjection } from './gpc.js';
export { readWithdrawalToken, withdrawalToken } from './withdrawal-token.js';
export { withdrawByLink, withdrawalTarget, type WithdrawalTarget } from './withdraw-link.js';
export { ensureSubject, subjectOf } from './subjects.js';
export { sweepConsentRecords } from './sweep.js';
export { consentRoutes, type ConsentRouteOptions } from './routes.js';
export { CONSENT_CATALOGUE } from './catalogue-entries.js';
export { CONSENT_STATES, PARTNER_KINDS, type ConsentState, type ConsentTables, type PartnerKind } from './tables.js';
