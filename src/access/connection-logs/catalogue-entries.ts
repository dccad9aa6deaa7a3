import type { DataCategory, PersonalColumn, TableEntry } from '../../catalogue/types.js';

/*
 * 'connection' is declared in the policy's dataCategories (policies/certilience.yaml) and
 * in the connection_logs purpose, but not yet in catalogue.ts's DataCategory union; the
 * double cast goes once 'connection' is added there when these entries are merged.
 */
const CONNECTION: DataCategory = 'connection';

/** Observed by the service, never typed in by the person (so outside Art. 20 portability). */
const observed = (category: DataCategory = CONNECTION): PersonalColumn => ({
  personal: true,
  category,
  purposes: ['connection_logs'],
  provided: false,
});

/** The catalogue entries (P1.1) of the connection and identification logs (P1.7). */
export const CONNECTION_LOG_CATALOGUE: readonly TableEntry[] = Object.freeze([
  {
    table: 'connection_logs',
    description:
      'Connection and identification logs of the digital services (legal obligation, kept 12 months: P1.7, P4.4). ' +
      'The accounts are staff and portal accounts, not rows of people.',
    subjects: [{ column: 'account_id' }],
    columns: {
      id: { personal: false, why: 'surrogate key' },
      at: observed(),
      service: observed(),
      event: observed(),
      account_id: observed(),
      // A keyed hash is pseudonymised data, still personal data (GDPR recital 26).
      identifier_hash: observed('identity'),
      source_ip: observed(),
      source_port: observed(),
      user_agent: observed(),
      outcome: observed(),
      reason: observed(),
    },
  },
]);
