/** Telling the recipients of the data about rectifications, erasures and restrictions (GDPR Art. 19). */
export {
  deliverPending,
  knownRecipients,
  listNotificationsForPerson,
  notifyRecipients,
  personRef,
  RETRY_DELAYS_MS,
  setRecipientEndpoint,
  signBody,
  verifySignature,
  type DeliveryOptions,
  type DeliveryReport,
  type NotificationSummary,
  type RecipientPayload,
  type RecipientPersonIdentifiers,
} from './recipients.js';
export { RECIPIENT_EVENTS, type RecipientEvent, type RecipientTables } from './tables.js';
export { RECIPIENTS_CATALOGUE } from './catalogue-entries.js';
