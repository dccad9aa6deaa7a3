/**
 * The shape of a Rempart policy: the company's data-protection promises as data
 * (purposes, legal bases, categories, recipients, retention, locations).
 * Every engine reads these types; nothing legal is hard-coded twice.
 *
 * The closed value sets live here as `const` arrays so that the schema and the
 * types are generated from the same list.
 */

/** The processing purposes the engines know. Each one has code behind it, so the set is closed. */
export const PURPOSE_IDS = ['crm', 'prospecting', 'training', 'file_sharing', 'connection_logs'] as const;
/** One of the processing purposes (annex article 1). */
export type PurposeId = (typeof PURPOSE_IDS)[number];

/** Lawful bases of GDPR Art. 6(1) the annex relies on, plus the processor's one (Art. 28(3)(a)). */
export const LEGAL_BASES = [
  'contract',
  'legitimate_interest',
  'consent',
  'legal_obligation',
  'processor_instructions',
] as const;
/** A lawful basis; `processor_instructions` is only for purposes where the company is a processor. */
export type LegalBasis = (typeof LEGAL_BASES)[number];

/** Whether the company decides the purpose (controller, Art. 4(7)) or acts for a client (processor, Art. 4(8)). */
export const PROCESSING_ROLES = ['controller', 'processor'] as const;
/** Controller or processor. */
export type ProcessingRole = (typeof PROCESSING_ROLES)[number];

/** What a grant allows on personal data. */
export const OPERATIONS = ['read', 'create', 'update', 'delete', 'export'] as const;
/** One operation on personal data. */
export type Operation = (typeof OPERATIONS)[number];

/** Who stands behind a role (annex article 2). */
export const ROLE_KINDS = ['staff', 'subcontractor', 'subsidiary', 'external'] as const;
/** The kind of recipient a role stands for. */
export type RoleKind = (typeof ROLE_KINDS)[number];

/** Row scoping: `organisation` limits a role to the organisations assigned to the account (P2.2–P2.4). */
export const ROLE_SCOPES = ['organisation'] as const;
/** A row scope applied by the data-access layer. */
export type RoleScope = (typeof ROLE_SCOPES)[number];

/**
 * Accountability tasks a role carries beyond its grants on data (GDPR Art. 38–39 give
 * them to the DPO, but the controller decides who holds them): `rights_requests`
 * handles requests to exercise a right, restrictions and the opposition list
 * (Art. 12–21); `audit_trail` reads the audit trail and monitors other staff's work
 * (Art. 39(1)(b)). The code asks for a task, never for a role's name.
 */
export const ROLE_TASKS = ['rights_requests', 'audit_trail'] as const;
/** One accountability task. */
export type RoleTask = (typeof ROLE_TASKS)[number];

/** Events that start a purpose's retention clock (annex article 4). */
export const RETENTION_STARTS = ['contract_end', 'collection_or_last_contact', 'engagement_end', 'entry_time'] as const;
/** The event a purpose's retention runs from. */
export type RetentionStart = (typeof RETENTION_STARTS)[number];

/** Events that start an accountability record's retention clock. */
export const ACCOUNTABILITY_STARTS = ['entry_time', 'consent_withdrawal', 'request_closed', 'account_closed'] as const;
/** The event an accountability record's retention runs from. */
export type AccountabilityStart = (typeof ACCOUNTABILITY_STARTS)[number];

/** What happens when the last phase ends. */
export const RETENTION_ENDS = ['delete', 'anonymise'] as const;
/** Deletion or anonymisation at the end of retention. */
export type RetentionEnd = (typeof RETENTION_ENDS)[number];

/** Events a legal hold runs from. */
export const HOLD_STARTS = ['financial_year_end', 'record_date', 'contract_end'] as const;
/** The event a legal hold runs from. */
export type HoldStart = (typeof HOLD_STARTS)[number];

/** Safeguards for a transfer outside the EU/EEA (GDPR Art. 45, 46(2)(c), 47). */
export const SAFEGUARDS = ['adequacy', 'scc', 'bcr'] as const;
/** A declared transfer safeguard. */
export type Safeguard = (typeof SAFEGUARDS)[number];

/** Accountability records with retention rules of their own (GDPR Art. 5(2)). */
export const ACCOUNTABILITY_RECORDS = [
  'audit_entries',
  'consent_proofs',
  'transfer_logs',
  'closed_requests',
  'staff_accounts',
] as const;
/** One kind of accountability record. */
export type AccountabilityRecord = (typeof ACCOUNTABILITY_RECORDS)[number];

/** A data category id, declared in `dataCategories`. */
export type DataCategoryId = string;
/** A category-of-people id, declared in `dataSubjects`. */
export type DataSubjectId = string;
/** A role id, declared in `roles`. */
export type RoleId = string;
/** A store, subcontractor or partner id, declared in `locations`. */
export type LocationId = string;
/** An ISO-8601 duration limited to years, months and days, e.g. `P3Y`, `P0D`. */
export type IsoDuration = string;
/** A calendar date `YYYY-MM-DD`. */
export type IsoDate = string;
/** An ISO 3166-1 alpha-2 country code, upper case. */
export type CountryCode = string;

/** A text in both languages of the notice (D2). */
export interface Localized {
  readonly fr: string;
  readonly en: string;
}

/** The version block of the policy file. */
export interface PolicyVersion {
  /** The date the notice takes effect ("Mise à jour du …"). */
  readonly effectiveDate: IsoDate;
  readonly label?: string;
}

/** A postal address; fields may be empty placeholders until the company fills them. */
export interface PostalAddress {
  readonly street: string;
  readonly postalCode: string;
  readonly city: string;
  readonly country: string;
}

/** A person or service to contact; the email may be an empty placeholder. */
export interface ContactPoint {
  readonly name: string;
  readonly email: string;
  readonly phone?: string;
}

/** The controller (GDPR Art. 13(1)(a), 30(1)(a)). */
export interface Controller {
  readonly name: string;
  readonly address: PostalAddress;
  readonly email: string;
  readonly phone?: string;
  /** The data protection officer (Art. 13(1)(b), 37). */
  readonly dpo: ContactPoint;
}

/** The supervisory authority people may complain to (Art. 13(2)(d), annex article 5). */
export interface SupervisoryAuthority {
  readonly name: string;
  readonly fullName?: string;
  readonly address: string;
  readonly phone: string;
  readonly fax: string;
  readonly website: string;
}

/** A declared data category. */
export interface DataCategory {
  readonly id: DataCategoryId;
  readonly label: Localized;
}

/** A declared category of people (Art. 30(1)(c)). */
export interface DataSubjectCategory {
  readonly id: DataSubjectId;
  readonly label: Localized;
}

/** Records kept beyond a purpose's retention because a law requires it (Art. 17(3)(b)). */
export interface LegalHold {
  /** Record types held, e.g. `invoice`, `ledger_entry`. */
  readonly records: readonly string[];
  readonly duration: IsoDuration;
  readonly from: HoldStart;
  /** The legal text that imposes the hold. */
  readonly basis: string;
}

/** The dimensions anonymised statistics may be cut by (R-PROS-8): source, région, quarter or year of collection. */
export const STATISTICS_DIMENSIONS = ['source', 'region', 'quarter', 'year'] as const;
/** One of STATISTICS_DIMENSIONS. */
export type StatisticsDimension = (typeof STATISTICS_DIMENSIONS)[number];

/**
 * When the one re-permission message goes out (P4.2): `before` the term (lead time,
 * default P30D), or at the term with an answer window `after` it during which the data
 * is kept (the annex: "au terme de ce délai, CERTILIENCE peut reprendre contact").
 * Exactly one of the two.
 */
export interface RepermissionRule {
  readonly before?: IsoDuration;
  readonly after?: IsoDuration;
}

/** The aggregates folded in before a purpose's people are deleted (R-PROS-8). */
export interface StatisticsRule {
  /** Minimum group size, at least 5. */
  readonly k: number;
  readonly dimensions: readonly StatisticsDimension[];
}

/**
 * Retention of a purpose's data: the data lives for the whole relationship, then
 * `active` more after `start`, then `archive` in the intermediate archive, then `end`.
 */
export interface RetentionRule {
  readonly start: RetentionStart;
  readonly active: IsoDuration;
  readonly archive: IsoDuration;
  readonly end: RetentionEnd;
  /** P4.2: the re-permission message for retention from collection or last contact; default 30 days before the term. */
  readonly repermission?: RepermissionRule;
  /** R-PROS-8: the anonymised statistics kept when the purpose's people are deleted; absent, none. */
  readonly statistics?: StatisticsRule;
  /** At the end, give the data back to the client before destroying it (processor, Art. 28(3)(g)). */
  readonly restitution?: boolean;
  readonly holds?: readonly LegalHold[];
  /**
   * P4.5: the columns kept, per table, when a record moves to the intermediate archive;
   * every other column is dropped as not needed for proof, and a table not listed is
   * deleted rather than archived. Absent: nothing is archived (the archive phase is empty).
   */
  readonly archiveKeeps?: { readonly [table: string]: readonly string[] };
  /** The last day of the financial year, `MM-DD` (holds `from: financial_year_end`); default `12-31`. */
  readonly financialYearEnd?: string;
  readonly notes?: Localized;
}

/** Retention of an accountability record (audit chain, consent proofs, …). */
export interface AccountabilityRule {
  readonly start: AccountabilityStart;
  readonly active: IsoDuration;
  readonly archive: IsoDuration;
  readonly end: RetentionEnd;
  readonly notes?: Localized;
}

/** Retention rules for each kind of accountability record. */
export type AccountabilityRetention = { readonly [R in AccountabilityRecord]: AccountabilityRule };

/**
 * Mandatory fields per record type (P1.2), e.g. `contract: [organisation.name, contacts[].email]`.
 * `contacts[]` means "at least one contact, and each has".
 */
export type MandatoryFields = { readonly [recordType: string]: readonly string[] };

/** One processing purpose (annex article 1). */
export interface Purpose {
  readonly id: PurposeId;
  readonly name: Localized;
  readonly description: Localized;
  readonly role: ProcessingRole;
  readonly legalBases: readonly LegalBasis[];
  /** The interest pursued, required when a basis is `legitimate_interest` (Art. 13(1)(d)). */
  readonly legitimateInterest?: Localized;
  readonly dataCategories: readonly DataCategoryId[];
  readonly dataSubjects: readonly DataSubjectId[];
  readonly mandatory: MandatoryFields;
  /** The roles that receive this purpose's data (Art. 13(1)(e)). */
  readonly recipients: readonly RoleId[];
  readonly retention: RetentionRule;
  /** Where the processing takes place: ids from `locations`. */
  readonly location: readonly LocationId[];
}

/** What a role may do: operations on categories of data, for purposes. */
export interface Grant {
  readonly purposes: readonly PurposeId[];
  readonly categories: readonly DataCategoryId[];
  readonly operations: readonly Operation[];
  /** The grant applies to the intermediate archive only (P4.5); operational grants never reach it. */
  readonly archive?: boolean;
}

/** A recipient of personal data (annex article 2) as an access role. */
export interface Role {
  readonly id: RoleId;
  readonly label: Localized;
  readonly kind: RoleKind;
  /** Roles whose grants this role also has, transitively. */
  readonly includes?: readonly RoleId[];
  readonly mfa?: boolean;
  readonly scope?: RoleScope;
  /** Accountability tasks of this role (see ROLE_TASKS), also held by roles including it. */
  readonly tasks?: readonly RoleTask[];
  readonly grants: readonly Grant[];
}

/** A store, subcontractor or partner and where it is (annex article 3, P3.1). */
export interface Location {
  readonly id: LocationId;
  readonly name: string;
  readonly country: CountryCode;
  readonly safeguard?: Safeguard;
  /** The purposes this subcontractor or partner serves. */
  readonly purposes?: readonly PurposeId[];
}

/** Every place personal data goes. */
export interface Locations {
  readonly stores: readonly Location[];
  readonly subcontractors: readonly Location[];
  readonly partners: readonly Location[];
}

/** The policy file as written. */
export interface Policy {
  readonly version: PolicyVersion;
  readonly controller: Controller;
  readonly supervisoryAuthority: SupervisoryAuthority;
  readonly dataCategories: readonly DataCategory[];
  readonly dataSubjects: readonly DataSubjectCategory[];
  readonly purposes: readonly Purpose[];
  readonly accountabilityRetention: AccountabilityRetention;
  readonly roles: readonly Role[];
  readonly locations: Locations;
  /** Technical and organisational measures (Art. 30(1)(g), 32). */
  readonly securityMeasures: readonly Localized[];
  /** How trusted each data source is when merging records (src/prospecting/import/survivorship.ts); default: all equal, newer wins. */
  readonly sources?: SourcesRule;
}

/** The source ranking of survivorship (R-PROS-2). */
export interface SourcesRule {
  /** Source names, most trusted first; an unlisted source ranks after every listed one. */
  readonly ranking: readonly string[];
  /** Among equally ranked sources, whether a more recent value replaces an older one (default true). */
  readonly newerReplaces?: boolean;
}

/** The version of a loaded policy: what a consent or a request records (D3). */
export interface LoadedPolicyVersion extends PolicyVersion {
  /** SHA-256 of the file content, hex. */
  readonly hash: string;
  /** The first 12 hex digits of `hash`, for display. */
  readonly shortHash: string;
}

/** A validated, deep-frozen policy with its version and source file. */
export interface LoadedPolicy extends Omit<Policy, 'version'> {
  readonly version: LoadedPolicyVersion;
  readonly file: string;
}

/** One problem found in a policy file, pointing at where it is. */
export interface PolicyProblem {
  readonly file: string;
  /** Path in the policy, e.g. `purposes[2].retention`; empty for the whole file. */
  readonly path: string;
  /** 1-based line in the file. */
  readonly line: number;
  readonly message: string;
}
