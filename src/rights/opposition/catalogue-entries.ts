import type { DataCategory, PersonalColumn, TableEntry } from '../../catalogue/types.js';

const prospecting = (category: DataCategory = 'prospecting'): PersonalColumn => ({ personal: true, category, purposes: ['prospecting'], provided: false });

/**
 * The catalogue entry (P1.1) of the opposition list (R-PROS-3). A keyed hash is still
 * personal data (GDPR recital 26), so its columns are personal; yet the table links to
 * no person on purpose: it is reached only by hashing an email or phone (`isOpposed`),
 * so it outlives the person's erasure (P5.3) and can serve no other purpose.
 */
export const OPPOSITION_CATALOGUE: readonly TableEntry[] = Object.freeze([
  {
    table: 'opposition_list',
    description: "The opposition list (liste d'opposition): keyed hashes of the email and phone of people who objected to prospecting (R-PROS-3, P5.6)",
    subjects: [],
    keyedBy: 'keyed HMAC of the normalised email (email_hash) or E.164 phone (phone_hash); see isOpposed',
    columns: {
      id: { personal: false, why: 'surrogate key' },
      email_hash: prospecting('contact'),
      phone_hash: prospecting('contact'),
      channel: prospecting(),
      created_at: prospecting(),
      keep_until: { personal: false, why: 'the end of the 3-year keeping period (R-PROS-3), a date computed by the system' },
    },
  },
]);
