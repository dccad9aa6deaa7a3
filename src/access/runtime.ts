import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { LoadedPolicy } from '../policy/index.js';
import { AuditWriter, auditSink, chainPending, startChainer, type AuditDurability } from './audit/index.js';
import { personStateChecks } from './person-state-checks.js';
import { Gate, type AuditSink } from './gate.js';

/** The gate with its audit machinery, for one process. */
export interface AccessRuntime {
  readonly gate: Gate;
  readonly auditWriter: AuditWriter;
  readonly audit: AuditSink;
  /** Flushes and chains what is pending, then stops the chainer. */
  close(): Promise<void>;
}

/**
 * Builds the gate over a database: reads are audited through a group-committing
 * writer, writes in their own transaction, and a background chainer links queued
 * events into the hash chain (on PostgreSQL, one instance at a time).
 */
export function createAccessRuntime(options: {
  db: Kysely<Database>;
  policy: LoadedPolicy;
  now: () => Date;
  chainer?: boolean;
  /** Reads' audit events and connection-log entries: `strict` (default here) or `batched` (AuditWriter). */
  durability?: AuditDurability;
  onError?: (error: unknown) => void;
}): AccessRuntime {
  // With a background chainer, flushes need not chain themselves: reads then pay one
  // group commit, not a chaining transaction each (measured in BENCHMARKS.md).
  const background = options.chainer !== false;
  const auditWriter = new AuditWriter(options.db, {
    chain: !background,
    durability: options.durability ?? 'strict',
    ...(options.onError ? { onError: options.onError, onChainError: options.onError } : {}),
  });
  const stopChainer = background ? startChainer(options.db) : () => undefined;
  const audit = auditSink(auditWriter);
  // Restriction (P5.4) and pending objections (P5.6) refuse processing at the gate.
  const gate = new Gate({ db: options.db, policy: options.policy, now: options.now, audit, personState: personStateChecks(options.policy) });
  return {
    gate,
    auditWriter,
    audit,
    async close() {
      stopChainer();
      await auditWriter.close();
      // Link what is still queued, so a clean shutdown leaves the whole trail chained.
      if (background) await chainPending(options.db);
    },
  };
}
