import type { DataCategory, PersonalColumn, PlainColumn, TableEntry } from '../../catalogue/types.js';

/*
 * 'connection' is declared in the policy's dataCategories and in the connection_logs
 * purpose but not yet in catalogue.ts's DataCategory union; the double cast goes once it
 * is added there (as for CONNECTION_LOG_CATALOGUE).
 */
const CONNECTION: DataCategory = 'connection';

/**
 * Staff accounts identify the people who use the digital services: the purpose is the
 * identification and connection logging of those services (P1.7); they are kept as
 * accountability records (policy `accountabilityRetention.staff_accounts`).
 */
const identification = (category: DataCategory): PersonalColumn => ({ personal: true, category, purposes: ['connection_logs'], provided: false });
const plain = (why: string): PlainColumn => ({ personal: false, why });
const secret = (what: string): PlainColumn => plain(`${what}: a one-way digest or sealed secret, no data about the person`);

/** The catalogue entries (P1.1) of the authentication tables. */
export const AUTH_CATALOGUE: readonly TableEntry[] = Object.freeze<TableEntry[]>([
  {
    table: 'accounts',
    description: 'Staff accounts (and subcontractor, subsidiary and recovery-body staff): who may sign in, with which role (P2.1–P2.4).',
    subjects: [{ column: 'id' }],
    columns: {
      id: plain('surrogate key'),
      email: identification('identity'),
      role: identification(CONNECTION),
      scope_organisation_id: plain('reference to organisations'),
      password_hash: secret('argon2id hash of the password'),
      totp_secret: secret('AES-256-GCM box of the TOTP seed'),
      totp_enabled: identification(CONNECTION),
      totp_last_step: plain('replay guard: the last TOTP time step accepted'),
      recovery_code_hashes: secret('SHA-256 digests of the recovery codes'),
      enrolment_code_hash: secret('SHA-256 of the one-time code that allows a first TOTP enrolment'),
      enrolment_code_expires_at: plain('when the enrolment code stops working'),
      failed_attempts: identification(CONNECTION),
      locked_until: identification(CONNECTION),
      created_at: plain('bookkeeping timestamp of the row'),
      disabled_at: identification(CONNECTION),
      anonymised_at: plain('when the retention sweep dropped the identifying fields (accountabilityRetention.staff_accounts)'),
    },
  },
  {
    table: 'sessions',
    description: 'Browser sessions of staff accounts; ended after 30 idle minutes or 12 hours, or at logout.',
    subjects: [{ column: 'account_id' }],
    columns: {
      id: secret('SHA-256 of the session cookie'),
      account_id: identification(CONNECTION),
      created_at: identification(CONNECTION),
      expires_at: identification(CONNECTION),
      last_seen_at: identification(CONNECTION),
      csrf_hash: secret('SHA-256 of the CSRF token'),
      revoked_at: identification(CONNECTION),
      mfa_passed: identification(CONNECTION),
    },
  },
  {
    table: 'api_tokens',
    description: 'API tokens of integrations, subcontractors and recovery bodies (P2.2, P2.4); they stand for a system, not a person.',
    subjects: [],
    columns: {
      id: plain('surrogate key'),
      name: plain('names the integration or contract the token serves, not a person'),
      role: plain('the policy role of the token'),
      scope_organisation_id: plain('reference to organisations'),
      token_hash: secret('SHA-256 of the token'),
      created_at: plain('bookkeeping timestamp of the row'),
      expires_at: plain('when the token stops working'),
      revoked_at: plain('when the token was revoked'),
      last_used_at: plain('when an integration last used the token'),
    },
  },
  {
    table: 'auth_changes',
    description: 'One row: a version number every revocation, disabling or logout bumps, so each server instance drops its authentication cache (auth-cache.ts).',
    subjects: [],
    columns: {
      id: plain('the single row'),
      version: plain('a counter; says that something changed, not what nor whose'),
    },
  },
]);
