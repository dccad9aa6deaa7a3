import type { PersonalColumn, PlainColumn, TableEntry } from '../catalogue/types.js';

// Trainees are the client's employees: the client is their controller and CERTILIENCE its
// processor (GDPR Art. 28). These tables name no `people` row (subjects: []) and are
// marked `processor`, so the controller's rights, retention and search engines never walk them.
const t = (category: 'identity' | 'contact' | 'professional' | 'training', provided: boolean): PersonalColumn => ({ personal: true, category, purposes: ['training'], provided });
const plain = (why: string): PlainColumn => ({ personal: false, why });
const ENGAGEMENT = 'a term of the service agreed with the client organisation (a legal person, GDPR recital 14)';

/** The catalogue entries (P1.1) of the training engagements (P1.5, P4.3). */
export const TRAINING_CATALOGUE: readonly TableEntry[] = Object.freeze<TableEntry[]>([
  {
    table: 'training_engagements',
    description: 'Training services run as processor for a client: dates, platforms, instructions, sub-processors, end choice',
    subjects: [],
    processor: true,
    columns: {
      id: plain('surrogate key'),
      client_organisation_id: plain('reference to organisations'),
      contract_id: plain('reference to contracts'),
      name: plain(ENGAGEMENT),
      starts_on: plain(ENGAGEMENT),
      ends_on: plain(ENGAGEMENT),
      platforms: plain(ENGAGEMENT),
      instructions: plain("the client's documented instructions, about the service, not about a person"),
      sub_processors: plain('companies (legal persons) the client authorised'),
      end_choice: plain(ENGAGEMENT),
      status: plain('the state of the engagement'),
      created_at: plain('bookkeeping timestamp of the row'),
      closed_at: plain('when the engagement was closed'),
    },
  },
  {
    table: 'training_trainees',
    description: "The client's employees taking part in an engagement (held for the client, never merged with CERTILIENCE's own data)",
    subjects: [],
    processor: true,
    columns: {
      id: plain('surrogate key'),
      engagement_id: plain('reference to training_engagements'),
      email: t('contact', false),
      first_name: t('identity', false),
      last_name: t('identity', false),
      department: t('professional', false),
      job_title: t('professional', false),
      created_at: plain('bookkeeping timestamp of the row'),
      updated_at: plain('bookkeeping timestamp of the row'),
    },
  },
  {
    table: 'training_campaigns',
    description: 'Gophish campaigns seen in an engagement',
    subjects: [],
    processor: true,
    columns: {
      id: plain('surrogate key'),
      engagement_id: plain('reference to training_engagements'),
      gophish_campaign_id: plain("the platform's campaign number, about no one"),
      first_seen_at: plain('when the first event of the campaign arrived'),
    },
  },
  {
    table: 'training_phishing_events',
    description: 'Gophish results per trainee: the fact and the time (submitted form contents are never stored)',
    subjects: [],
    processor: true,
    columns: {
      id: plain('surrogate key'),
      engagement_id: plain('reference to training_engagements'),
      campaign_id: plain('reference to training_campaigns'),
      trainee_id: t('training', false),
      kind: t('training', false),
      occurred_at: t('training', false),
      received_at: plain('bookkeeping timestamp of the row'),
      replay_key: t('training', false),
    },
  },
  {
    table: 'training_statements',
    description: 'xAPI statements of the e-learning platform, exactly as received',
    subjects: [],
    processor: true,
    columns: {
      engagement_id: plain('reference to training_engagements'),
      id: plain("the statement's id"),
      trainee_id: t('training', false),
      actor_key: t('contact', false),
      verb_id: t('training', false),
      object_id: t('training', false),
      statement: t('training', false),
      raw: t('training', false),
      stored_at: plain('bookkeeping timestamp of the row'),
    },
  },
  {
    table: 'training_closures',
    description: "The journal of an engagement's close: package checksum, counts destroyed, signed certificate",
    subjects: [],
    processor: true,
    columns: {
      engagement_id: plain('reference to training_engagements'),
      state: plain('the step the close reached'),
      package_path: plain('where the restitution package was written'),
      package_sha256: plain('checksum of the package'),
      package_bytes: plain('size of the package'),
      counts: plain('counts of rows destroyed, per kind'),
      closed_by: plain('the actor id of who closed'),
      delivery: plain("how the package reached the client: file, upload or download"),
      delivered_to: plain("the client's upload URL (an organisation's endpoint)"),
      delivered_at: plain('when the upload was acknowledged or the one download began'),
      destroyed_at: plain('when the rows were destroyed'),
      certificate: plain('the signed destruction certificate: counts, checksum, dates, actor ids'),
      certificate_path: plain('where the certificate was written'),
      updated_at: plain('bookkeeping timestamp of the row'),
    },
  },
]);
