import type { ColumnType, Generated } from 'kysely';
import type { Json, Timestamp } from '../../db/column-types.js';

/** What was done to personal data (P2.5); 'denied' records a refused attempt. */
export const AUDIT_ACTIONS = ['read', 'create', 'update', 'delete', 'export', 'denied'] as const;
/** One of AUDIT_ACTIONS. */
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** A `bigint` column: PostgreSQL's driver reads it as a string, PGlite's as a number. */
export type Int8 = ColumnType<string | number, string | number, string | number>;

/**
 * One read or write of personal data (GDPR Art. 5(2), accountability; P2.5): who
 * (actor, role), why (purpose), what (action, resource, records), whom (persons) and
 * which fields. Field NAMES only: the trail must never become a second copy of the data
 * (Art. 5(1)(c); P5.2, the audit trail records that a field changed, never the values).
 */
export interface AuditEvent {
  readonly at: Date;
  /** `Actor.id`: `user:<uuid>`, `token:<uuid>`, `cli:<os user>`, `system:<job>`. */
  readonly actor: string;
  readonly role: string | null;
  readonly purpose: string | null;
  readonly action: AuditAction;
  /** The record type, e.g. 'people'. */
  readonly resource: string;
  readonly recordIds: readonly string[];
  readonly personIds: readonly string[];
  readonly fields: readonly string[];
  readonly reason?: string | null;
}

/** An audit event as queued (jsonb): the event with its time as an ISO-8601 string. */
export type QueuedAuditEvent = Omit<AuditEvent, 'at' | 'reason'> & { readonly at: string; readonly reason: string | null };

/** `audit_queue`: events committed with the business write, waiting to be chained. */
export interface AuditQueueTable {
  id: Generated<Int8>;
  event: Json<QueuedAuditEvent>;
  queuedAt: Generated<Date>;
}

/** `audit_entries`: the hash chain (P2.5). */
export interface AuditEntriesTable {
  seq: Int8;
  at: Timestamp;
  actor: string;
  role: string | null;
  purpose: string | null;
  action: AuditAction;
  resource: string;
  recordIds: string[];
  personIds: string[];
  fields: string[];
  reason: string | null;
  prevHash: string;
  hash: string;
}

/** `audit_checkpoints`: signed (Ed25519) statements "entry seq had this hash". */
export interface AuditCheckpointsTable {
  seq: Int8;
  hash: string;
  at: Timestamp;
  signature: string;
  publicKey: string;
}

/** `audit_verifications`: each verification of the chain and its outcome (the dpo's dashboard). */
export interface AuditVerificationsTable {
  id: string;
  at: Timestamp;
  /** Who ran it (Actor.id: `cli:<user>`, `user:<id>`, `system:<job>`). */
  actor: string;
  ok: boolean;
  entries: Int8;
  problem: string | null;
  seq: Int8 | null;
  message: string | null;
}

/** The tables of this folder, merged into `Database` (src/db/schema.ts). */
export interface AuditTables {
  auditVerifications: AuditVerificationsTable;
  auditQueue: AuditQueueTable;
  auditEntries: AuditEntriesTable;
  auditCheckpoints: AuditCheckpointsTable;
}
