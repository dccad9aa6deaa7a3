import type { ColumnType, Generated, Selectable } from 'kysely';
import type { Json, Timestamp } from '../../db/column-types.js';

/** A nullable `timestamptz` column: read as Date or null, written as Date, ISO string or null. */
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;

/** A staff account (migration 20261126T1100-accounts). */
export interface AccountsTable {
  id: string;
  email: string;
  role: string;
  scopeOrganisationId: string | null;
  passwordHash: string;
  /** AES-256-GCM box (see secret-box.ts), never the secret itself. */
  totpSecret: string | null;
  totpEnabled: Generated<boolean>;
  /** `bigint`: pg reads it as a string, PGlite as a number; only compared in SQL. */
  totpLastStep: ColumnType<string | number | null, number | null | undefined, number | null>;
  /** Hex SHA-256 digests of the unused recovery codes. */
  recoveryCodeHashes: Json<string[]>;
  failedAttempts: Generated<number>;
  lockedUntil: NullableTimestamp;
  createdAt: Generated<Date>;
  disabledAt: NullableTimestamp;
  /** Set by the retention sweep when it anonymised the deactivated account (migration 20261126T1720). */
  anonymisedAt: NullableTimestamp;
  /** Hex SHA-256 of the one-time code needed to enrol a first TOTP app (migration 20261207T1320). */
  enrolmentCodeHash: ColumnType<string | null, string | null | undefined, string | null>;
  enrolmentCodeExpiresAt: NullableTimestamp;
}

/** A browser session; `id` is the hex SHA-256 of the cookie token. */
export interface SessionsTable {
  id: string;
  accountId: string;
  createdAt: Timestamp;
  expiresAt: Timestamp;
  lastSeenAt: Timestamp;
  csrfHash: string;
  revokedAt: NullableTimestamp;
  mfaPassed: Generated<boolean>;
}

/** An API token for integrations, subcontractors and recovery bodies (P2.2, P2.4). */
export interface ApiTokensTable {
  id: string;
  name: string;
  role: string;
  scopeOrganisationId: string | null;
  tokenHash: string;
  createdAt: Generated<Date>;
  expiresAt: NullableTimestamp;
  revokedAt: NullableTimestamp;
  lastUsedAt: NullableTimestamp;
}

/** `auth_changes`: one row whose version every revocation bumps (migration 20261207T1200, auth-cache.ts). */
export interface AuthChangesTable {
  id: number;
  /** `bigint`: pg reads it as a string, PGlite as a number. */
  version: ColumnType<string | number, number, number>;
}

/** The authentication tables, merged into `Database` (src/db/schema.ts). */
export interface AuthTables {
  accounts: AccountsTable;
  sessions: SessionsTable;
  apiTokens: ApiTokensTable;
  authChanges: AuthChangesTable;
}

/** A session as lookupSession reads it (here, below sessions.ts and auth-cache.ts, which both need it). */
export type SessionRow = Pick<Selectable<SessionsTable>, 'id' | 'accountId' | 'createdAt' | 'expiresAt' | 'lastSeenAt' | 'csrfHash' | 'revokedAt' | 'mfaPassed'>;

/** A token row as stored (internal to this folder; here, below tokens.ts and auth-cache.ts). */
export type TokenRow = Selectable<ApiTokensTable>;
