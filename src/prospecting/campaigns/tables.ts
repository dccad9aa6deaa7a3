import type { ColumnType } from 'kysely';
import type { Json, Timestamp } from '../../db/column-types.js';
import type { SegmentCriteria, SegmentKind } from './criteria.js';

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
