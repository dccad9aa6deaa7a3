import type { ColumnType } from 'kysely';
import type { DateString, Json, Timestamp } from '../db/column-types.js';

type NullableTime = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
/** A `bigint` column: PostgreSQL's driver reads it as a string, PGlite's as a number. */
type Int8 = ColumnType<string | number, string | number, string | number>;

/** The platforms an engagement runs on. */
export type Platform = 'phishing' | 'elearning';
/** The client's end-of-service choice (GDPR Art. 28(3)(g)). */
export type EndChoice = 'return_then_destroy' | 'destroy';
/** One version of the client's documented instructions (Art. 28(3)(a)). */
export interface Instructions {
  readonly version: number;
  readonly date: string;
  readonly text: string;
}
/** A sub-processor the client authorised (Art. 28(2)). */
export interface SubProcessor {
  readonly name: string;
  readonly country: string;
  readonly service: string;
}
/** The kinds of Gophish result kept: the fact and the time, nothing submitted. */
export type PhishingKind = 'sent' | 'opened' | 'clicked' | 'submitted' | 'reported';

/** `training_engagements`: one training service for one client. */
export interface TrainingEngagementsTable {
  id: string;
  clientOrganisationId: string;
  contractId: string | null;
  name: string;
  startsOn: DateString;
  endsOn: DateString;
  platforms: Json<Platform[]>;
  instructions: Json<Instructions[]>;
  subProcessors: Json<SubProcessor[]>;
  endChoice: EndChoice;
  status: 'active' | 'closed';
  createdAt: Timestamp;
  closedAt: NullableTime;
}

/** `training_trainees`: one employee of the client, inside one engagement. */
export interface TrainingTraineesTable {
  id: string;
  engagementId: string;
  email: string;
  firstName: string | null;
  lastName: string | null;
  department: string | null;
  jobTitle: string | null;
  createdAt: Timestamp;
  updatedAt: Timestamp;
}

/** `training_campaigns`: a Gophish campaign seen in an engagement. */
export interface TrainingCampaignsTable {
  id: string;
  engagementId: string;
  gophishCampaignId: Int8;
  firstSeenAt: Timestamp;
}

/** `training_phishing_events`: one Gophish result event. */
export interface TrainingPhishingEventsTable {
  id: string;
  engagementId: string;
  campaignId: string;
  traineeId: string;
  kind: PhishingKind;
  occurredAt: Timestamp;
  receivedAt: Timestamp;
  replayKey: string;
}

/** `training_statements`: one xAPI statement, as received. */
export interface TrainingStatementsTable {
  engagementId: string;
  id: string;
  traineeId: string | null;
  actorKey: string;
  verbId: string;
  objectId: string | null;
  statement: Json<Record<string, unknown>>;
  raw: string;
  storedAt: Timestamp;
}

/** What a close destroyed, per kind. */
export interface DestroyedCounts {
  readonly trainees: number;
  readonly campaigns: number;
  readonly phishingEvents: number;
  readonly statements: number;
}

/** `training_closures`: the journal of an engagement's close. */
export interface TrainingClosuresTable {
  engagementId: string;
  state: 'packaged' | 'destroyed' | 'certified';
  packagePath: string;
  packageSha256: string;
  packageBytes: Int8;
  counts: Json<DestroyedCounts>;
  closedBy: string;
  destroyedAt: NullableTime;
  certificate: Json<Record<string, unknown>> | null;
  certificatePath: string | null;
  updatedAt: Timestamp;
  /** How the package reaches the client (migration 20261207T1540). */
  delivery: Delivery | null;
  /** The client's URL for an upload. */
  deliveredTo: string | null;
  /** When the upload was acknowledged, or the one download began. */
  deliveredAt: NullableTime;
}

/** How a restitution package reaches the client: the CLI's file, an upload to its URL, or one download from the API. */
export type Delivery = 'file' | 'upload' | 'download';

/** The training tables, as Kysely sees them. */
export interface TrainingTables {
  trainingEngagements: TrainingEngagementsTable;
  trainingTrainees: TrainingTraineesTable;
  trainingCampaigns: TrainingCampaignsTable;
  trainingPhishingEvents: TrainingPhishingEventsTable;
  trainingStatements: TrainingStatementsTable;
  trainingClosures: TrainingClosuresTable;
}
