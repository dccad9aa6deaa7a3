import type { AuditEvent } from './event.js';
import type { ColumnType, Generated } from 'kysely';
import type { Json, Timestamp } from '../../db/schema.js';

/** What was done to personal data (P2.5); 'denied' records a refused attempt. */
export const AUDIT_ACTIONS = ['read', 'create', 'update', 'delete', 'export', 'denied'] as const;
/** One of AUDIT_ACTIONS. */
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** A `bigint` column: PostgreSQL's driver reads it as a string, PGlite's as a number. */
export type Int8 = ColumnType<string | number, string | number, string | number>;

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
