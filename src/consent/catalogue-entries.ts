import type { PersonalColumn, PlainColumn, TableEntry } from '../catalogue/types.js';

/** A column of the consent record or transfer log: personal data (it says what one person chose), observed, not provided. */
const consent: PersonalColumn = { personal: true, category: 'consent', purposes: ['file_sharing'], provided: false };
/** The person's own choice (given, refused, withdrawn): provided by them (Art. 20(1)). */
const choice: PersonalColumn = { personal: true, category: 'consent', purposes: ['file_sharing'], provided: true };
/** consent_events also holds consents to the controller's own email prospecting and open tracking (R-PROS-6, R-PROS-10). */
const eventColumn: PersonalColumn = { ...consent, purposes: ['file_sharing', 'prospecting'] };
const eventChoice: PersonalColumn = { ...choice, purposes: ['file_sharing', 'prospecting'] };
const legalPerson = (what: string): PlainColumn => ({ personal: false, why: `${what} of a legal person (GDPR recital 14)` });
const policyCopy = (what: string): PlainColumn => ({ personal: false, why: `${what}, copied from the policy or the partner at the time of the event: the same for everyone` });
/** Rows reached through the pseudonym: erasure removes the pseudonym row, these stay as unlinked proofs (Art. 5(2), 7(1)). */
const throughSubject = { column: 'person_id', via: { table: 'consent_subjects', column: 'id', subjectColumn: 'subject_id' } } as const;

/**
 * The catalogue entries (P1.1) of consent to file exchange and of the transfers it
 * allows (annex art. 1, P1.6). The history and the transfer log point at a pseudonym
 * (`consent_subjects`), the only table linked to the person directly: an erasure
 * (Art. 17) deletes it, and the proofs that remain no longer name anyone, kept as
 * accountability records for the policy's `accountabilityRetention.consent_proofs` and
 * `transfer_logs` periods (Art. 17(3)(e): establishing or defending legal claims).
 */
export const CONSENT_CATALOGUE: readonly TableEntry[] = Object.freeze<TableEntry[]>([
  {
    table: 'partners',
    description: 'Group companies and partners a client file may be sold, rented or exchanged with, and the ground of a transfer to their country (P1.6, P3.1)',
    subjects: [],
    columns: {
      id: { personal: false, why: 'surrogate key' },
      name: legalPerson('the name'),
      kind: legalPerson('the kind'),
      country: legalPerson('the country'),
      safeguard: legalPerson('the declared transfer safeguard'),
      transfer_ground: legalPerson('the transfer ground'),
      purposes: legalPerson('the purposes'),
      objection_contact: legalPerson("the objection service's contact"),
      webhook_url: legalPerson('the notice endpoint'),
      hmac_secret: { personal: false, why: 'shared signing secret, no data about anyone' },
      email: legalPerson('the service address'),
      created_at: { personal: false, why: 'bookkeeping timestamp of the row' },
    },
  },
  {
    table: 'consent_subjects',
    // Several rows for one person after a merge of their records (R-PROS-2): erasure and
    // access reach them all, as the rows below are found through every row of the person.
    description: "The pseudonyms under which a person's consents, transfers and withdrawal notices are kept (one per record merged into the person); deleted with the person",
    subjects: [{ column: 'person_id' }],
    columns: {
      id: consent,
      person_id: consent,
      created_at: consent,
    },
  },
  {
    table: 'consent_events',
    description: 'Consent to file exchange (per partner), and to the controller\'s own email prospecting and open tracking (no partner), one row per change (ISO/IEC TS 27560 fields); append-only proof (GDPR Art. 7(1))',
    subjects: [throughSubject],
    columns: {
      id: eventColumn,
      subject_id: eventColumn,
      partner_id: eventColumn,
      scope: eventColumn,
      state: eventChoice,
      event_at: eventColumn,
      channel: eventColumn,
      notice_id: policyCopy('the notice id'),
      notice_version: eventColumn,
      text_shown: policyCopy('the exact text of the request for consent'),
      purpose: eventColumn,
      data_categories: policyCopy('the data categories'),
      controller: policyCopy('the controller'),
      recipient: eventColumn,
      storage_locations: policyCopy('the storage locations'),
      retention: policyCopy('the retention rule'),
      jurisdiction: policyCopy('the jurisdiction'),
      withdrawal_method: policyCopy('the withdrawal method'),
      collector: eventColumn,
      evidence: eventColumn,
      recorded_at: eventColumn,
    },
  },
  {
    table: 'transfers',
    description: 'Client files sent to a partner: which fields, when, by whom, the SHA-256 of the file (P1.6); append-only',
    subjects: [],
    columns: {
      id: { personal: false, why: 'surrogate key' },
      partner_id: { personal: false, why: 'reference to partners' },
      segment: { personal: false, why: 'the selection criteria, about organisations and relations, not a person' },
      fields: { personal: false, why: 'column names' },
      file_name: { personal: false, why: 'a file name chosen by the operator, checked to hold no personal data by convention' },
      file_sha256: { personal: false, why: 'SHA-256 of a whole file, not of one person' },
      row_count: { personal: false, why: 'a count' },
      created_by: { personal: false, why: 'the staff actor id (src/access/actor.ts)' },
      created_at: { personal: false, why: 'when the file was built' },
    },
  },
  {
    table: 'transfer_items',
    description: 'Who was in each transfer, on which consent event; append-only',
    subjects: [throughSubject],
    columns: {
      transfer_id: consent,
      subject_id: consent,
      consent_event_id: consent,
    },
  },
  {
    table: 'consent_notices',
    description: 'Withdrawal notices to the partners that received the person\'s data (GDPR Art. 7(3), 19), and their delivery log',
    subjects: [throughSubject],
    columns: {
      id: consent,
      partner_id: consent,
      subject_id: consent,
      consent_event_id: consent,
      payload_hash: { personal: false, why: 'SHA-256 of the payload, proof of what was sent' },
      payload_sealed: consent,
      attempts: { personal: false, why: 'delivery bookkeeping' },
      last_status: { personal: false, why: 'delivery bookkeeping' },
      next_attempt_at: { personal: false, why: 'delivery bookkeeping' },
      delivered_at: consent,
      gave_up_at: { personal: false, why: 'delivery bookkeeping' },
      created_at: consent,
    },
  },
]);
