import type { ColumnEntry, DataCategory, PersonalColumn, TableEntry } from '../../catalogue/types.js';
import type { PurposeId } from '../../db/schema.js';

/*
 * A request concerns a client contact or a prospect, so its personal columns carry the
 * purposes of the people it can concern. The policy has no "rights requests" category;
 * the request's own facts (which right, when, in which state) are filed under 'contact'
 * (the person's exchanges with us) until one is declared.
 */
const PURPOSES: readonly PurposeId[] = ['crm', 'prospecting'];

const personal = (category: DataCategory, provided: boolean): PersonalColumn => ({ personal: true, category, purposes: PURPOSES, provided });
const plain = (why: string): ColumnEntry => ({ personal: false, why });

/** The catalogue entry (P1.1) of the requests to exercise a right (GDPR Art. 12–21). */
export const RIGHTS_REQUESTS_CATALOGUE: readonly TableEntry[] = Object.freeze([
  {
    table: 'rights_requests',
    description:
      'Requests to exercise a right (access, rectification, erasure, restriction, portability, objection), from receipt to answer. ' +
      'Once closed only a keyed hash of the requester\'s email is left (accountability: closed_requests retention).',
    subjects: [{ column: 'person_id' }],
    columns: {
      id: plain('surrogate key'),
      type: personal('contact', true),
      person_id: personal('identity', false),
      contact_email: personal('contact', true),
      language: personal('contact', true),
      channel: personal('contact', true),
      // What the person asked for (the correction wanted…), in whatever category they chose to give.
      details: personal('identity', true),
      state: personal('contact', false),
      received_at: personal('contact', false),
      due_at: personal('contact', false),
      extended_due_at: personal('contact', false),
      extension_reason: personal('contact', false),
      refusal_reason: personal('contact', false),
      verified_at: personal('contact', false),
      answered_at: personal('contact', false),
      closed_at: personal('contact', false),
      notice_version: plain('hash of the policy file in force (D3), the same for everyone'),
      identity_code_hash: plain('keyed hash of a random one-time code; says nothing about the person and is erased once used'),
      code_expires_at: plain('bookkeeping of the one-time code'),
      code_attempts: plain('bookkeeping of the one-time code'),
      id_document_path: personal('identity', true),
      doubt_reason: personal('identity', false),
      // A keyed hash is pseudonymised data, still personal data (GDPR recital 26).
      subject_hash: personal('identity', false),
    },
  },
]);
