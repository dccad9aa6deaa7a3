/** Telling the recipients of the data about rectifications, erasures and restrictions (GDPR Art. 19). */
export {
  deliverPending,
  knownRecipients,
  listNotificationsForPerson,
  notifyRecipients,
  personRef,
  setRecipientEndpoint,
  type NotificationSummary,
  type RecipientPayload,
  type RecipientPersonIdentifiers,
} from './recipients.js';
/** The one delivery of notices to recipients, shared with the consent-withdrawal notices (src/consent/notices.ts). */
export {
  deliverDue,
  RETRY_DELAYS_MS,
  sealNotice,
  signBody,
  verifySignature,
  type Addressee,
  type DeliveryOptions,
  type DeliveryReport,
  type DueNotice,
  type NoticeKind,
  type NoticeLogTable,
} from './delivery.js';
export { RECIPIENT_EVENTS, type RecipientEvent, type RecipientTables } from './tables.js';
export { RECIPIENTS_CATALOGUE } from './catalogue-entries.js';
