import type { Transaction } from 'kysely';
import type { Database } from '../../db/schema.js';
import { appendInTransaction } from './append.js';
import type { AuditEvent } from './event.js';
import type { AuditWriter } from './writer.js';

/** Where the gate writes audit events: in a write's transaction, or durably for a read (src/access/gate.ts's AuditSink). */
export interface AuditSinkImpl {
  inTransaction(tx: Transaction<Database>, events: readonly AuditEvent[]): Promise<void>;
  durable(events: readonly AuditEvent[]): Promise<void>;
}

/** The audit sink the gate takes: writes go into their own transaction, reads through the group-committing writer. */
export function auditSink(writer: AuditWriter): AuditSinkImpl {
  return {
    inTransaction: (tx, events) => appendInTransaction(tx, events),
    durable: (events) => writer.append(events),
  };
}
