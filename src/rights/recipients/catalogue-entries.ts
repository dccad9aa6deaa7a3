import type { PersonalColumn, TableEntry } from '../../catalogue/types.js';

const notice: PersonalColumn = { personal: true, category: 'identity', purposes: ['crm'], provided: false };

/** The catalogue entries (P1.1) of the recipients and the notices sent them (GDPR Art. 19). */
export const RECIPIENTS_CATALOGUE: readonly TableEntry[] = Object.freeze<TableEntry[]>([
  {
    table: 'recipient_endpoints',
    description: 'How to reach each recipient of the data (partners, subsidiary, subcontractors) to tell them of rectifications, erasures and restrictions',
    subjects: [],
    columns: {
      id: { personal: false, why: 'the recipient id from the policy' },
      name: { personal: false, why: 'data of a legal person (GDPR recital 14)' },
      webhook_url: { personal: false, why: 'data of a legal person (GDPR recital 14)' },
      hmac_secret: { personal: false, why: 'shared signing secret, no data about anyone' },
      email: { personal: false, why: "the recipient company's service address (GDPR recital 14)" },
      created_at: { personal: false, why: 'bookkeeping timestamp of the row' },
    },
  },
  {
    // A keyed hash is still personal data (recital 26); the log is reached by hashing
    // the person's id (listNotificationsForPerson), never by the id itself.
    table: 'recipient_notifications',
    description: 'Notices of rectification, erasure or restriction sent to recipients (Art. 19), and their delivery log',
    subjects: [],
    keyedBy: 'keyed HMAC of the normalised email (person_ref); see listNotificationsForPerson',
    columns: {
      id: { personal: false, why: 'surrogate key' },
      recipient_id: { personal: false, why: 'reference to recipient_endpoints' },
      partner_id: { personal: false, why: 'reference to partners (file exchange), the other kind of addressee' },
      person_ref: notice,
      event: notice,
      payload_hash: { personal: false, why: 'SHA-256 of the payload, proof of what was sent' },
      payload_sealed: notice,
      attempts: { personal: false, why: 'delivery bookkeeping' },
      last_status: { personal: false, why: 'delivery bookkeeping' },
      next_attempt_at: { personal: false, why: 'delivery bookkeeping' },
      delivered_at: notice,
      gave_up_at: { personal: false, why: 'delivery bookkeeping' },
      created_at: notice,
    },
  },
]);
