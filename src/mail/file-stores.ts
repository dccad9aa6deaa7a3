/**
 * Folders of the data directory that hold personal data in files, declared like the
 * catalogue's tables (P1.1) so that access, erasure and the residue scan (P5.1, P5.3)
 * reach them and their expiry is known (GDPR Art. 5(1)(e), storage limitation).
 */

/** One folder of personal data under the data directory. */
export interface FileStore {
  /** A stable id. */
  readonly id: string;
  /** The folder, relative to the data directory, with `/` separators. */
  readonly path: string;
  /** The file names it holds (a glob on the last path segment). */
  readonly pattern: string;
  /** What the files hold. */
  readonly holds: string;
  /** Personal-data categories found in the files (policy dataCategories ids). */
  readonly categories: readonly string[];
  /** How long a file may stay: an ISO-8601 duration after it is written, and/or until an event. */
  readonly expiry: { readonly after?: string; readonly until?: string };
  /** Who deletes the files. */
  readonly deletedBy: string;
}

/** The outbox: messages written as .eml files when no SMTP server is configured. */
export const OUTBOX_STORE: FileStore = Object.freeze({
  id: 'mail_outbox',
  path: 'outbox',
  pattern: '*.eml',
  holds:
    'Outgoing messages (RFC 5322 .eml) written when SMTP_URL is not set: identity codes, acknowledgements, extension notices, ' +
    'answers and refusals to requests, with the recipient address and any attached export.',
  categories: Object.freeze(['identity', 'contact']),
  // A day by default (REMPART_OUTBOX_KEEP_HOURS): the identity codes in it expire in 30
  // minutes and an attached export is the person's whole file.
  expiry: Object.freeze({ after: 'P1D' }),
  deletedBy: 'the outbox sweeper every 10 minutes (src/mail/outbox-sweeper.ts, REMPART_OUTBOX_KEEP_HOURS), the daily jobs, and erasure for the person concerned',
});

/** Identity documents uploaded for a request whose requester's identity is in real doubt. */
export const ID_DOCUMENTS_STORE: FileStore = Object.freeze({
  id: 'id_documents',
  path: 'uploads/id-documents',
  pattern: '*',
  holds:
    'A copy of an identity document, uploaded only after the dpo recorded a real doubt about who made a request ' +
    '(GDPR Art. 12(6)); file name: the request id.',
  categories: Object.freeze(['identity']),
  // Deleted when the request closes (answered, refused or withdrawn): the document served
  // only to settle the doubt (Art. 5(1)(c), data minimisation).
  expiry: Object.freeze({ until: 'request_closed' }),
  deletedBy: 'closing the request (src/rights/requests), and erasure for the person concerned',
});

/** Every file store of personal data, for the access export, erasure and the residue scan. */
export const FILE_STORES: readonly FileStore[] = Object.freeze([OUTBOX_STORE, ID_DOCUMENTS_STORE]);
