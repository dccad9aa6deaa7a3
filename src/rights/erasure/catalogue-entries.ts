import type { PersonalColumn, TableEntry } from '../../catalogue/types.js';

const litigation: PersonalColumn = { personal: true, category: 'debt_recovery', purposes: ['crm'], provided: false };
const archived: PersonalColumn = { personal: true, category: 'financial', purposes: ['crm'], provided: false };

/** The catalogue entries (P1.1) of litigation holds and the intermediate archive (P4.5, P5.3). */
export const ERASURE_CATALOGUE: readonly TableEntry[] = Object.freeze<TableEntry[]>([
  {
    // A keyed hash is still personal data (recital 26); the table links to no person on
    // purpose, so it outlives the erasure it records and a restore can replay it.
    table: 'erasure_journal',
    description: 'The erasure journal: keyed hashes of erased people\'s email and phones, replayed by `rempart restore` so that no erased person comes back (GDPR Art. 17, P5.3)',
    subjects: [],
    keyedBy: 'keyed HMAC of the normalised email (email_hashes) or E.164 phone (phone_hashes), the opposition list\'s keys',
    columns: {
      id: { personal: false, why: 'surrogate key' },
      email_hashes: { personal: true, category: 'contact', purposes: ['crm', 'prospecting'], provided: false },
      phone_hashes: { personal: true, category: 'contact', purposes: ['crm', 'prospecting'], provided: false },
      erased_at: { personal: false, why: 'when an erasure happened: no person is named' },
      keep_until: { personal: false, why: 'the end of its keeping period, computed by the system' },
    },
  },
  {
    table: 'legal_holds',
    description: 'Litigation holds the dpo set on a person (GDPR Art. 17(3)(e)): their records are kept, archived, until lifted',
    subjects: [{ column: 'person_id' }],
    columns: {
      id: { personal: false, why: 'surrogate key' },
      person_id: litigation,
      reason: litigation,
      set_by: { personal: false, why: 'the staff actor who set the hold (accountability)' },
      set_at: litigation,
      lifted_at: litigation,
    },
  },
  {
    table: 'archived_records',
    description:
      'The intermediate archive (P4.5): records kept under a legal hold after erasure (accounting, L123-22; litigation), ' +
      'with only the fields needed as proof',
    subjects: [{ column: 'person_id' }],
    columns: {
      id: { personal: false, why: 'surrogate key' },
      source_table: { personal: false, why: 'the table the record came from' },
      record_id: { personal: false, why: 'the id of the record in its table' },
      person_id: archived,
      legal_hold_id: { personal: false, why: 'reference to legal_holds' },
      // Accounting proof for the most part; under a litigation hold, any category of the person's records.
      data: archived,
      reason: { personal: false, why: 'the legal basis of the hold' },
      hold_until: { personal: false, why: 'the end of the hold, computed from the policy' },
      archived_at: { personal: false, why: 'bookkeeping timestamp of the row' },
    },
  },
]);
