import type { Timestamp } from '../../db/column-types.js';
import type { RequestLanguage } from '../requests/tables.js';

/** `portal_sessions`: a person's short session in the privacy portal, after their code. */
export interface PortalSessionsTable {
  id: string;
  /** SHA-256 (hex) of the cookie's token: the token itself is never stored. */
  tokenHash: string;
  /** The normalised address the person proved they hold; what their data is found by. */
  email: string;
  /** The first people record holding the address, when one does: erasure removes the session with it. */
  personId: string | null;
  /** The request whose code opened the session. */
  requestId: string | null;
  language: RequestLanguage;
  createdAt: Timestamp;
  expiresAt: Timestamp;
}

/** The tables of this folder, merged into `Database` (src/db/schema.ts). */
export interface PortalTables {
  portalSessions: PortalSessionsTable;
}
