import type { ColumnType, Generated } from 'kysely';
import type { DateString, Json, Timestamp } from '../../db/column-types.js';

/** The rights a request can exercise (GDPR Art. 15–18, 20, 21). */
export const REQUEST_TYPES = ['access', 'rectification', 'erasure', 'restriction', 'portability', 'objection'] as const;
/** One of REQUEST_TYPES. */
export type RequestType = (typeof REQUEST_TYPES)[number];

/** How the request reached us. */
export const REQUEST_CHANNELS = ['portal', 'email', 'letter', 'phone', 'api'] as const;
/** One of REQUEST_CHANNELS. */
export type RequestChannel = (typeof REQUEST_CHANNELS)[number];

/** The language the person is answered in. */
export const REQUEST_LANGUAGES = ['fr', 'en'] as const;
/** One of REQUEST_LANGUAGES. */
export type RequestLanguage = (typeof REQUEST_LANGUAGES)[number];

/** The states of a request. */
export const REQUEST_STATES = ['received', 'identity_pending', 'in_progress', 'extended', 'answered', 'refused', 'withdrawn'] as const;
/** One of REQUEST_STATES. */
export type RequestState = (typeof REQUEST_STATES)[number];

/** The states in which a request is over: only its keyed subject hash is left. */
export const CLOSED_STATES: readonly RequestState[] = Object.freeze(['answered', 'refused', 'withdrawn']);

/** What the person asked for beyond the type: the correction wanted, the processing objected to… */
export type RequestDetails = Readonly<Record<string, unknown>>;

type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;

/** `rights_requests`: one request to exercise a right, from receipt to its answer. */
export interface RightsRequestsTable {
  id: string;
  type: RequestType;
  /** The person matched by email; null when none matched, and once the request is closed. */
  personId: string | null;
  /** Where to answer; null once the request is closed. */
  contactEmail: string | null;
  language: RequestLanguage;
  channel: RequestChannel;
  details: Json<RequestDetails> | null;
  state: RequestState;
  receivedAt: Timestamp;
  /** The last day to answer (Europe/Paris), GDPR Art. 12(3). */
  dueAt: DateString;
  extendedDueAt: DateString | null;
  extensionReason: string | null;
  refusalReason: string | null;
  verifiedAt: NullableTimestamp;
  answeredAt: NullableTimestamp;
  closedAt: NullableTimestamp;
  /** The policy (notice) version in force at receipt (D3). */
  noticeVersion: string;
  identityCodeHash: string | null;
  codeExpiresAt: NullableTimestamp;
  codeAttempts: Generated<number>;
  idDocumentPath: string | null;
  doubtReason: string | null;
  /** Keyed HMAC of the requester's normalised email, kept once closed. */
  subjectHash: string | null;
}

/** The tables of this folder, merged into `Database` (src/db/schema.ts). */
export interface RightsRequestTables {
  rightsRequests: RightsRequestsTable;
}
