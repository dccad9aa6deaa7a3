import type { PersonalColumn, TableEntry } from '../../catalogue/types.js';

// Provenance: when and how the person renewed the permission the data is kept under;
// both purposes whose retention runs from the last contact declare it.
const prospecting: PersonalColumn = { personal: true, category: 'provenance', purposes: ['prospecting', 'file_sharing'], provided: false };

/** The catalogue entry (P1.1) of the re-permission log (P4.2). */
export const CONTACT_CATALOGUE: readonly TableEntry[] = Object.freeze([
  {
    table: 'repermission_requests',
    description: 'Re-permission messages sent before the retention term of a prospect or file-exchange subject, and their answer (P4.2)',
    subjects: [{ column: 'person_id' }],
    columns: {
      id: { personal: false, why: 'surrogate key' },
      person_id: prospecting,
      term_at: prospecting,
      token_hash: prospecting,
      sent_at: prospecting,
      answered_at: prospecting,
    },
  },
]);
