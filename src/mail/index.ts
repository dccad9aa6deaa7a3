/**
 * Outgoing mail: SMTP through nodemailer when SMTP_URL is set, else RFC 5322 `.eml` files
 * in `<data-dir>/outbox/`; the messages to people exercising their rights, in French and
 * English (GDPR Art. 12). Everything outside this folder imports from here.
 */
export { createMailer, purgeOutbox, redactSmtpUrl, type Mailer, type MailerOptions, type MailMessage, type MailAttachment, type MailSender } from './mailer.js';
export { startOutboxSweeper, DEFAULT_OUTBOX_KEEP_HOURS } from './outbox-sweeper.js';
export { FILE_STORES, ID_DOCUMENTS_STORE, OUTBOX_STORE, type FileStore } from './file-stores.js';
export {
  complaintParagraph,
  formatLongDate,
  RIGHT_NAMES,
  type MailLanguage,
  type MailPolicy,
  type RenderedMail,
} from './templates/common.js';
export { identityCodeMail, type IdentityCodeMail } from './templates/identity-code.js';
export { acknowledgementMail, type AcknowledgementMail } from './templates/acknowledgement.js';
export { extensionMail, type ExtensionMail } from './templates/extension.js';
export { answerMail, type AnswerMail } from './templates/answer.js';
export { refusalMail, type RefusalMail } from './templates/refusal.js';
export { consentReceiptMail, consentWithdrawnMail, type ConsentReceiptMail, type ConsentWithdrawnMail } from './templates/consent-receipt.js';
export { repermissionMail, type RepermissionMail } from './templates/repermission.js';
