import type { Timestamp } from '../../db/column-types.js';

/** `repermission_requests`: the one re-permission message per person and term (P4.2). */
export interface RepermissionRequestsTable {
  id: string;
  personId: string;
  termAt: Timestamp;
  /** SHA-256 (hex) of the opaque token in the message's link; the token itself is not kept. */
  tokenHash: string;
  sentAt: Timestamp;
  answeredAt: Timestamp | null;
}

/** The tables of this folder. */
export interface ContactTables {
  repermissionRequests: RepermissionRequestsTable;
}
