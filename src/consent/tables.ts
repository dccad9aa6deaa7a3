import type { ColumnType } from 'kysely';
import type { Json, Timestamp } from '../db/column-types.js';
import type { TransferGround } from '../policy/countries.js';
import type { Safeguard } from '../policy/types.js';

type NullableTime = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;

/** The kinds of recipient of a client file (annex art. 1). */
export const PARTNER_KINDS = ['group_company', 'partner'] as const;
/** One of PARTNER_KINDS. */
export type PartnerKind = (typeof PARTNER_KINDS)[number];

/** The states a consent event records. */
export const CONSENT_STATES = ['given', 'refused', 'withdrawn'] as const;
/** One of CONSENT_STATES. */
export type ConsentState = (typeof CONSENT_STATES)[number];

/**
 * What a consent is for: passing the person's data to a partner (`file_sharing`, annex
 * art. 1), or the controller's own commercial emails (`email_prospecting`, L34-5 CPCE)
 * and the open pixel in them (`open_tracking`, CNIL).
 */
export const CONSENT_SCOPES = ['file_sharing', 'email_prospecting', 'open_tracking'] as const;
/** One of CONSENT_SCOPES. */
export type ConsentScope = (typeof CONSENT_SCOPES)[number];
/** The scopes whose recipient is the controller itself: no partner. */
export const CONTROLLER_SCOPES = ['email_prospecting', 'open_tracking'] as const;
/** One of CONTROLLER_SCOPES. */
export type ControllerScope = (typeof CONTROLLER_SCOPES)[number];

/** A partner as the person was told of it, frozen in the event. */
export interface PartnerRecipient {
  readonly id: string;
  readonly name: string;
  readonly kind: PartnerKind;
  readonly country: string;
  readonly transferGround: TransferGround;
}

/** The controller as the recipient of a consent to its own scopes, frozen in the event. */
export interface ControllerRecipient {
  readonly name: string;
  readonly kind: 'controller';
  readonly country: string;
}

/** The recipient as the person was told of it, frozen in the event. */
export type ConsentRecipient = PartnerRecipient | ControllerRecipient;

/** `partners`: group companies and partners a client file may go to (P1.6, P3.1). */
export interface PartnersTable {
  id: string;
  name: string;
  kind: PartnerKind;
  country: string;
  safeguard: Safeguard | null;
  transferGround: TransferGround;
  purposes: Json<string[]>;
  objectionContact: string | null;
  webhookUrl: string | null;
  hmacSecret: string | null;
  email: string | null;
  createdAt: Timestamp;
}

/** `consent_subjects`: the pseudonym under which a person's consents and transfers are kept. */
export interface ConsentSubjectsTable {
  id: string;
  personId: string;
  createdAt: Timestamp;
}

/** `consent_events`: one change of consent, with the ISO/IEC TS 27560 fields; append-only. */
export interface ConsentEventsTable {
  id: string;
  subjectId: string;
  /** The partner (file_sharing); null for the controller's own scopes. */
  partnerId: string | null;
  scope: ColumnType<ConsentScope, ConsentScope | undefined, never>;
  state: ConsentState;
  eventAt: Timestamp;
  channel: string;
  noticeId: string;
  noticeVersion: string;
  textShown: string;
  purpose: string;
  dataCategories: Json<string[]>;
  controller: string;
  recipient: Json<ConsentRecipient>;
  storageLocations: Json<{ id: string; country: string }[]>;
  retention: string;
  jurisdiction: string;
  withdrawalMethod: string;
  collector: string;
  evidence: string | null;
  recordedAt: Timestamp;
}

/** `transfers`: one file sent to a partner; append-only. */
export interface TransfersTable {
  id: string;
  partnerId: string;
  segment: string | null;
  fields: Json<string[]>;
  fileName: string;
  fileSha256: string;
  rowCount: number;
  createdBy: string;
  createdAt: Timestamp;
}

/** `transfer_items`: who was in a transfer, on which consent event; append-only. */
export interface TransferItemsTable {
  transferId: string;
  subjectId: string;
  consentEventId: string;
}

/** `consent_notices`: withdrawal notices to partners, and their delivery log. */
export interface ConsentNoticesTable {
  id: string;
  partnerId: string;
  subjectId: string;
  consentEventId: string;
  payloadHash: string;
  payloadSealed: string | null;
  attempts: ColumnType<number, number | undefined, number>;
  lastStatus: string | null;
  nextAttemptAt: NullableTime;
  deliveredAt: NullableTime;
  gaveUpAt: NullableTime;
  createdAt: Timestamp;
}

/** The consent tables, for src/db/schema.ts. */
export interface ConsentTables {
  partners: PartnersTable;
  consentSubjects: ConsentSubjectsTable;
  consentEvents: ConsentEventsTable;
  transfers: TransfersTable;
  transferItems: TransferItemsTable;
  consentNotices: ConsentNoticesTable;
}
