import type { Migration } from 'kysely';
import * as m20261126T1000 from './20261126T1000-client-relationship.js';
import * as m20261126T1100 from './20261126T1100-accounts.js';
import * as m20261126T1110 from './20261126T1110-connection-logs.js';
import * as m20261126T1120 from './20261126T1120-audit-chain.js';
import * as m20261126T1200 from './20261126T1200-rights-requests.js';
import * as m20261126T1210 from './20261126T1210-rights-state.js';
import * as m20261126T1300 from './20261126T1300-retention.js';
import * as m20261126T1400 from './20261126T1400-prospecting.js';
import * as m20261126T1310 from './20261126T1310-contact-and-statistics.js';
import * as m20261126T1450 from './20261126T1450-campaigns.js';
import * as m20261126T1500 from './20261126T1500-consent.js';
import * as m20261126T1600 from './20261126T1600-recipient-partners.js';
import * as m20261126T1700 from './20261126T1700-consent-scope.js';
import * as m20261126T1710 from './20261126T1710-import-keys.js';
import * as m20261126T1720 from './20261126T1720-staff-retention.js';
import * as m20261126T1740 from './20261126T1740-recipient-deliveries.js';
import * as m20261126T1800 from './20261126T1800-consent-subjects-merge.js';
import * as m20261207T1000 from './20261207T1000-erasure-journal.js';
import * as m20261207T1100 from './20261207T1100-oversight-records.js';
import * as m20261207T1200 from './20261207T1200-auth-changes.js';
import * as m20261207T1300 from './20261207T1300-training.js';
import * as m20261207T1310 from './20261207T1310-person-field-history.js';
import * as m20261207T1320 from './20261207T1320-totp-enrolment-codes.js';
import * as m20261207T1520 from './20261207T1520-import-organisations-individuals.js';
import * as m20261207T1530 from './20261207T1530-portal-sessions.js';
import * as m20261207T1540 from './20261207T1540-training-delivery.js';

/**
 * Every migration, in order. Append-only: a landed migration is never edited or removed.
 * Listed statically (not read from the folder) so the built CLI and the tests see the same set.
 */
export const MIGRATIONS: Readonly<Record<string, Migration>> = Object.freeze({
  '20261126T1000-client-relationship': m20261126T1000,
  '20261126T1100-accounts': m20261126T1100,
  '20261126T1110-connection-logs': m20261126T1110,
  '20261126T1120-audit-chain': m20261126T1120,
  '20261126T1200-rights-requests': m20261126T1200,
  '20261126T1210-rights-state': m20261126T1210,
  '20261126T1300-retention': m20261126T1300,
  '20261126T1400-prospecting': m20261126T1400,
  '20261126T1310-contact-and-statistics': m20261126T1310,
  '20261126T1450-campaigns': m20261126T1450,
  '20261126T1500-consent': m20261126T1500,
  '20261126T1600-recipient-partners': m20261126T1600,
  '20261126T1700-consent-scope': m20261126T1700,
  '20261126T1710-import-keys': m20261126T1710,
  '20261126T1720-staff-retention': m20261126T1720,
  '20261126T1740-recipient-deliveries': m20261126T1740,
  '20261126T1800-consent-subjects-merge': m20261126T1800,
  '20261207T1000-erasure-journal': m20261207T1000,
  '20261207T1100-oversight-records': m20261207T1100,
  '20261207T1200-auth-changes': m20261207T1200,
  '20261207T1300-training': m20261207T1300,
  '20261207T1310-person-field-history': m20261207T1310,
  '20261207T1320-totp-enrolment-codes': m20261207T1320,
  '20261207T1520-import-organisations-individuals': m20261207T1520,
  '20261207T1530-portal-sessions': m20261207T1530,
  '20261207T1540-training-delivery': m20261207T1540,
});
