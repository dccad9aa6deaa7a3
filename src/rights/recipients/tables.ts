import type { ColumnType, Generated } from 'kysely';
import type { Timestamp } from '../../db/column-types.js';

type NullableTime = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;

/**
 * What a recipient is told about (GDPR Art. 19): a rectification, an erasure, a
 * restriction, and the end of a restriction (so the recipient knows it may process again).
 */
export const RECIPIENT_EVENTS = ['rectification', 'erasure', 'restriction', 'restriction_lifted'] as const;
/** One of RECIPIENT_EVENTS. */
export type RecipientEvent = (typeof RECIPIENT_EVENTS)[number];

/** `recipient_endpoints`: how to reach each recipient of the data (policy locations, the subsidiary). */
export interface RecipientEndpointsTable {
  id: string;
  name: string;
  webhookUrl: string | null;
  hmacSecret: string | null;
  email: string | null;
  createdAt: Generated<Date>;
}

/** `recipient_notifications`: one notice to one recipient, and its delivery log. */
export interface RecipientNotificationsTable {
  id: string;
  /** A recipient endpoint, or null when the notice goes to a partner of the file exchange. */
  recipientId: string | null;
  /** A partner that received the person's data in a transfer (src/consent), or null. */
  partnerId: string | null;
  personRef: string;
  event: RecipientEvent;
  payloadHash: string;
  payloadSealed: string | null;
  attempts: Generated<number>;
  lastStatus: string | null;
  nextAttemptAt: NullableTime;
  deliveredAt: NullableTime;
  gaveUpAt: NullableTime;
  createdAt: Timestamp;
}

/** The tables of this folder. */
export interface RecipientTables {
  recipientEndpoints: RecipientEndpointsTable;
  recipientNotifications: RecipientNotificationsTable;
}
