import type { Selectable } from 'kysely';
import type { AuditEntryContent } from './hash.js';
import type { AuditCheckpointsTable, AuditEntriesTable } from './tables.js';

/** One chained audit entry, as read back. */
export interface AuditEntry extends AuditEntryContent {
  readonly prevHash: string;
  readonly hash: string;
}

/** One signed checkpoint, as read back. */
export interface AuditCheckpoint {
  readonly seq: number;
  readonly hash: string;
  readonly at: Date;
  /** Base64 Ed25519 signature of `checkpointMessage(seq, hash, at)`. */
  readonly signature: string;
  /** The signer's public key, SPKI PEM. */
  readonly publicKey: string;
}

/** A bigint read back: a string from pg, a number from PGlite. */
export function toSeq(value: string | number): number {
  return typeof value === 'number' ? value : Number(value);
}

/** A row of audit_entries as an AuditEntry. */
export function toEntry(row: Selectable<AuditEntriesTable>): AuditEntry {
  return {
    seq: toSeq(row.seq),
    at: row.at.toISOString(),
    actor: row.actor,
    role: row.role,
    purpose: row.purpose,
    action: row.action,
    resource: row.resource,
    recordIds: row.recordIds,
    personIds: row.personIds,
    fields: row.fields,
    reason: row.reason,
    prevHash: row.prevHash,
    hash: row.hash,
  };
}

/** A row of audit_checkpoints as an AuditCheckpoint. */
export function toCheckpoint(row: Selectable<AuditCheckpointsTable>): AuditCheckpoint {
  return { seq: toSeq(row.seq), hash: row.hash, at: row.at, signature: row.signature, publicKey: row.publicKey };
}
