/**
 * The schema of a policy file. Shapes are typed by the interfaces of `types.ts`,
 * so a key added to one and not the other does not compile.
 */
import { isDuration, isIsoDate } from './duration.js';
import {
  ACCOUNTABILITY_STARTS,
  HOLD_STARTS,
  LEGAL_BASES,
  OPERATIONS,
  PROCESSING_ROLES,
  PURPOSE_IDS,
  RETENTION_ENDS,
  RETENTION_STARTS,
  STATISTICS_DIMENSIONS,
  ROLE_KINDS,
  ROLE_SCOPES,
  ROLE_TASKS,
  SAFEGUARDS,
  type AccountabilityRetention,
  type AccountabilityRule,
  type ContactPoint,
  type Controller,
  type DataCategory,
  type DataSubjectCategory,
  type Grant,
  type LegalHold,
  type Localized,
  type Location,
  type Locations,
  type Policy,
  type PolicyVersion,
  type PostalAddress,
  type Purpose,
  type RepermissionRule,
  type RetentionRule,
  type Role,
  type StatisticsRule,
  type SupervisoryAuthority,
  type SourcesRule,
} from './types.js';
import { array, boolean, integer, object, oneOf, optional, record, string, type Schema } from './validator.js';

const id = string({
  format: { test: (s) => /^[a-z][a-z0-9_]*$/.test(s), expected: 'an id in snake_case such as client_contacts' },
});
const ids = array(id, { unique: true });
const text = string({ nonEmpty: true });
/** Contact fields may stay empty placeholders until the company fills them in. */
const placeholder = string();

const localized = object<Localized>({ fr: text, en: text });

const duration = string({
  format: { test: isDuration, expected: 'an ISO-8601 duration of the form PnYnMnD such as P3Y or P0D' },
});
const date = string({ format: { test: isIsoDate, expected: 'a calendar date YYYY-MM-DD' } });
const country = string({
  format: { test: (s) => /^[A-Z]{2}$/.test(s), expected: 'an ISO 3166-1 alpha-2 country code such as FR' },
});
const emailOrEmpty = string({
  format: { test: (s) => s === '' || /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(s), expected: 'an email address (or "")' },
});
const url = string({ format: { test: (s) => /^https?:\/\/\S+$/.test(s), expected: 'an http(s) URL' } });
/** `organisation.name`, `contacts[].email`: `[]` means "at least one, and each has". */
const fieldPath = string({
  format: {
    test: (s) => /^[a-z][A-Za-z0-9]*(\[\])?(\.[a-z][A-Za-z0-9]*(\[\])?)*$/.test(s),
    expected: 'a field path such as organisation.name or contacts[].email',
  },
});
const purposeIds = array(oneOf(PURPOSE_IDS), { unique: true });

const version = object<PolicyVersion>({ effectiveDate: date, label: optional(text) });

const address = object<PostalAddress>({
  street: placeholder,
  postalCode: placeholder,
  city: placeholder,
  country: string({
    format: { test: (s) => s === '' || /^[A-Z]{2}$/.test(s), expected: 'an ISO 3166-1 alpha-2 country code (or "")' },
  }),
});

const contactPoint = object<ContactPoint>({ name: placeholder, email: emailOrEmpty, phone: optional(placeholder) });

const controller = object<Controller>({
  name: text,
  address,
  email: emailOrEmpty,
  phone: optional(placeholder),
  dpo: contactPoint,
});

const supervisoryAuthority = object<SupervisoryAuthority>({
  name: text,
  fullName: optional(text),
  address: text,
  phone: text,
  fax: text,
  website: url,
});

const dataCategory = object<DataCategory>({ id, label: localized });
const dataSubject = object<DataSubjectCategory>({ id, label: localized });

const legalHold = object<LegalHold>({
  records: array(id, { nonEmpty: true, unique: true }),
  duration,
  from: oneOf(HOLD_STARTS),
  basis: text,
});

const repermission = object<RepermissionRule>({ before: optional(duration), after: optional(duration) });
// R-PROS-8: k ≥ 5 by default and at least 5 always.
const statistics = object<StatisticsRule>({
  k: integer({ min: 5 }),
  dimensions: array(oneOf(STATISTICS_DIMENSIONS), { unique: true }),
});

const retention = object<RetentionRule>({
  start: oneOf(RETENTION_STARTS),
  active: duration,
  archive: duration,
  end: oneOf(RETENTION_ENDS),
  repermission: optional(repermission),
  statistics: optional(statistics),
  restitution: optional(boolean()),
  holds: optional(array(legalHold)),
  archiveKeeps: optional(record(id, array(id, { nonEmpty: true, unique: true }))),
  financialYearEnd: optional(string({ format: { test: (v) => /^(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/.test(v), expected: 'a month-day MM-DD such as 12-31' } })),
  notes: optional(localized),
});

const purpose = object<Purpose>({
  id: oneOf(PURPOSE_IDS),
  name: localized,
  description: localized,
  role: oneOf(PROCESSING_ROLES),
  legalBases: array(oneOf(LEGAL_BASES), { unique: true }),
  legitimateInterest: optional(localized),
  dataCategories: array(id, { nonEmpty: true, unique: true }),
  dataSubjects: array(id, { nonEmpty: true, unique: true }),
  mandatory: record(id, array(fieldPath, { unique: true })),
  recipients: ids,
  // Required: every purpose states how long its data lives (GDPR Art. 5(1)(e), 13(2)(a)).
  retention,
  location: array(id, { nonEmpty: true, unique: true }),
});

const accountabilityRule = object<AccountabilityRule>({
  start: oneOf(ACCOUNTABILITY_STARTS),
  active: duration,
  archive: duration,
  end: oneOf(RETENTION_ENDS),
  notes: optional(localized),
});

const accountabilityRetention = object<AccountabilityRetention>({
  audit_entries: accountabilityRule,
  consent_proofs: accountabilityRule,
  transfer_logs: accountabilityRule,
  closed_requests: accountabilityRule,
  staff_accounts: accountabilityRule,
});

const grant = object<Grant>({
  purposes: array(oneOf(PURPOSE_IDS), { nonEmpty: true, unique: true }),
  categories: array(id, { nonEmpty: true, unique: true }),
  operations: array(oneOf(OPERATIONS), { nonEmpty: true, unique: true }),
  archive: optional(boolean()),
});

const role = object<Role>({
  id,
  label: localized,
  kind: oneOf(ROLE_KINDS),
  includes: optional(ids),
  mfa: optional(boolean()),
  scope: optional(oneOf(ROLE_SCOPES)),
  tasks: optional(array(oneOf(ROLE_TASKS), { nonEmpty: true, unique: true })),
  grants: array(grant),
});

const location = object<Location>({
  id,
  name: text,
  country,
  safeguard: optional(oneOf(SAFEGUARDS)),
  purposes: optional(purposeIds),
});

const locations = object<Locations>({
  stores: array(location, { nonEmpty: true }),
  subcontractors: array(location),
  partners: array(location),
});

/** The schema of a whole policy file. */
export const policySchema: Schema<Policy> = object<Policy>({
  version,
  controller,
  supervisoryAuthority,
  dataCategories: array(dataCategory, { nonEmpty: true }),
  dataSubjects: array(dataSubject, { nonEmpty: true }),
  purposes: array(purpose, { nonEmpty: true }),
  accountabilityRetention,
  roles: array(role, { nonEmpty: true }),
  locations,
  securityMeasures: array(localized, { nonEmpty: true }),
  sources: optional(object<SourcesRule>({ ranking: array(text, { unique: true }), newerReplaces: optional(boolean()) })),
});
