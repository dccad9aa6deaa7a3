import type { TableEntry } from '../../catalogue/types.js';

/** The catalogue entry (P1.1) of the privacy portal's sessions (issue 15). */
export const PORTAL_CATALOGUE: readonly TableEntry[] = Object.freeze([
  {
    table: 'portal_sessions',
    description: 'Sessions of people in the privacy portal, opened by the one-time code of a request; 30 minutes at most, then purged',
    subjects: [{ column: 'person_id' }],
    columns: {
      id: { personal: false, why: 'surrogate key' },
      token_hash: { personal: false, why: 'SHA-256 of a random session token: no information about the person' },
      email: { personal: true, category: 'contact', purposes: ['crm', 'prospecting'], provided: true },
      person_id: { personal: true, category: 'identity', purposes: ['crm', 'prospecting'], provided: false },
      request_id: { personal: false, why: 'reference to rights_requests' },
      language: { personal: true, category: 'contact', purposes: ['crm', 'prospecting'], provided: true },
      created_at: { personal: false, why: 'bookkeeping timestamp of the row' },
      expires_at: { personal: false, why: 'bookkeeping: when the session ends' },
    },
  },
]);
