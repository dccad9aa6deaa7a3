import type { DataCategory, PersonalColumn, TableEntry } from '../../catalogue/types.js';

/*
 * The policy declares no category of its own for the exercise of rights; a
 * restriction or an objection to other processing is part of managing the
 * relationship ('contract': contracts and account management), an objection to
 * prospecting belongs to prospecting.
 */
const state = (category: DataCategory, purposes: PersonalColumn['purposes'], provided: boolean): PersonalColumn => ({ personal: true, category, purposes, provided });

/** The catalogue entry (P1.1) of `person_states`: restriction (Art. 18) and objections (Art. 21). */
export const RESTRICTION_CATALOGUE: readonly TableEntry[] = Object.freeze([
  {
    table: 'person_states',
    description: 'Restriction (GDPR Art. 18, P5.4), objections (Art. 21, P5.6) and the individual flag of prospecting (R-PROS-6) recorded on a person',
    subjects: [{ column: 'person_id' }],
    columns: {
      person_id: { personal: false, why: 'reference to people' },
      objected_prospecting_at: state('prospecting', ['prospecting'], true),
      objection_other_at: state('contract', ['crm'], true),
      objection_other_grounds: state('contract', ['crm'], true),
      decision: state('contract', ['crm'], false),
      decision_grounds: state('contract', ['crm'], false),
      decided_at: state('contract', ['crm'], false),
      restricted_at: state('contract', ['crm'], false),
      restriction_reason: state('contract', ['crm'], true),
      lift_notice_sent_at: state('contract', ['crm'], false),
      // R-PROS-6: an individual (no company) is not prospected by e-mail without consent.
      individual_at: state('prospecting', ['prospecting'], false),
    },
  },
]);
