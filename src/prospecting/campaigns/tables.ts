import type { ColumnType } from 'kysely';
import type { Json, Timestamp } from '../../db/column-types.js';

/** The actions a selection is made for (annex art. 1: "fidélisation, prospection, étude, sondage, promotion"). */
export const SEGMENT_KINDS = ['loyalty', 'prospecting', 'study', 'survey', 'promotion'] as const;
/** One of SEGMENT_KINDS. */
export type SegmentKind = (typeof SEGMENT_KINDS)[number];

/** Organisation size bands, by headcount (the INSEE size classes, merged). */
export const HEADCOUNT_BANDS = {
  '0-9': [0, 9],
  '10-49': [10, 49],
  '50-249': [50, 249],
  '250-999': [250, 999],
  '1000+': [1000, null],
} as const satisfies Record<string, readonly [number, number | null]>;
/** One of the keys of HEADCOUNT_BANDS. */
export type HeadcountBand = keyof typeof HEADCOUNT_BANDS;

/** The relations a person can have with the company (people.relation). */
export const RELATIONS = ['client_contact', 'colleague', 'prospect'] as const;
/** One of RELATIONS. */
export type Relation = (typeof RELATIONS)[number];

/**
 * What a segment selects. Every field narrows (AND); a list matches any of its values
 * (OR). Absent fields do not filter. Dates are `YYYY-MM-DD` (start of the day, UTC).
 */
export interface SegmentCriteria {
  readonly headcountBands?: readonly HeadcountBand[];
  readonly sectors?: readonly string[];
  /** INSEE region codes (`53`) or names (`Bretagne`); placed by the person's postcode, else the organisation's. */
  readonly regions?: readonly string[];
  /** Case-insensitive substring of the job title. */
  readonly jobTitleContains?: string;
  readonly sources?: readonly string[];
  /** Last contact from the person strictly before this day (people never contacted do not match). */
  readonly lastContactBefore?: string;
  /** Last contact from the person on or after this day. */
  readonly lastContactAfter?: string;
  readonly relations?: readonly Relation[];
}

type NullableTime = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;

/** `segments`: saved selection criteria for one kind of action. */
export interface SegmentsTable {
  id: string;
  name: string;
  kind: SegmentKind;
  criteria: Json<SegmentCriteria>;
  createdAt: Timestamp;
}

/** The channels a solicitation can go through; email is the one sent today. */
export type SolicitationChannel = 'email' | 'phone' | 'post';

/** `campaigns`: one message sent to a segment. */
export interface CampaignsTable {
  id: string;
  name: string;
  segmentId: string;
  channel: 'email';
  language: 'fr' | 'en';
  subject: string;
  body: string;
  links: Json<string[]>;
  trackOpens: ColumnType<boolean, boolean | undefined, boolean>;
  status: 'draft' | 'sending' | 'sent';
  createdAt: Timestamp;
  sentAt: NullableTime;
}

/** `solicitations`: the log of every message sent to a person (never its body). */
export interface SolicitationsTable {
  id: string;
  personId: string;
  campaignId: string | null;
  kind: 'campaign' | 'art14_notice';
  channel: SolicitationChannel;
  sentAt: Timestamp;
  art14Included: boolean;
  openedAt: NullableTime;
  clickedAt: NullableTime;
}

/** The tables of this folder, merged into `Database` (src/db/schema.ts). */
export interface CampaignTables {
  segments: SegmentsTable;
  campaigns: CampaignsTable;
  solicitations: SolicitationsTable;
}
