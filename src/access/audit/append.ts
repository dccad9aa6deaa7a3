import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../../db/schema.js';
import { toQueuedEvent, type AuditEvent } from './event.js';

/**
 * Queues audit events inside the caller's transaction: a plain insert, no lock, so the
 * business write commits with its audit events or not at all (GDPR Art. 5(2)), and
 * concurrent writers never wait on one another. The chainer links them later.
 */
export async function appendInTransaction(tx: Transaction<Database> | Kysely<Database>, events: readonly AuditEvent[]): Promise<void> {
  if (events.length === 0) return;
  const rows = events.map((e) => ({ event: JSON.stringify(toQueuedEvent(e)) }));
  await tx.insertInto('auditQueue').values(rows).execute();
}
