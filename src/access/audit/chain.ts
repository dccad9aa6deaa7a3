import { type Kysely, sql, type Transaction } from 'kysely';
import type { Database } from '../../db/schema.js';
import { toSeq } from './entries.js';
import { parseQueuedEvent } from './event.js';
import { entryHash, GENESIS_HASH } from './hash.js';

/**
 * The advisory-lock key of the chainer ("REMPAUDI" would not fit; any constant works as
 * long as nothing else in the database uses it). On PostgreSQL several app instances run
 * chainers; the lock makes exactly one link at a time, the others skip their turn.
 */
export const CHAIN_LOCK_KEY = 0x52_4d_50_41_55_44;

const DEFAULT_BATCH = 1000;

/** The last link: the newest entry, else the newest checkpoint (everything pruned), else the genesis. */
async function chainHead(tx: Transaction<Database>): Promise<{ seq: number; hash: string }> {
  const last = await tx.selectFrom('auditEntries').select(['seq', 'hash']).orderBy('seq', 'desc').limit(1).executeTakeFirst();
  if (last) return { seq: toSeq(last.seq), hash: last.hash };
  const checkpoint = await tx.selectFrom('auditCheckpoints').select(['seq', 'hash']).orderBy('seq', 'desc').limit(1).executeTakeFirst();
  if (checkpoint) return { seq: toSeq(checkpoint.seq), hash: checkpoint.hash };
  return { seq: 0, hash: GENESIS_HASH };
}

/** One batch in one transaction; -1 when another chainer holds the lock. */
async function chainBatch(db: Kysely<Database>, batchSize: number): Promise<number> {
  return db.transaction().execute(async (tx) => {
    const lock = await sql<{ locked: boolean }>`select pg_try_advisory_xact_lock(${sql.lit(CHAIN_LOCK_KEY)}) as locked`.execute(tx);
    if (!lock.rows[0]?.locked) return -1;
    const queued = await tx.selectFrom('auditQueue').select(['id', 'event']).orderBy('id').limit(batchSize).execute();
    if (queued.length === 0) return 0;
    let { seq, hash } = await chainHead(tx);
    const entries = queued.map((row) => {
      const e = parseQueuedEvent(row.event, String(row.id));
      seq += 1;
      const content = {
        seq,
        at: new Date(e.at).toISOString(),
        actor: e.actor,
        role: e.role,
        purpose: e.purpose,
        action: e.action,
        resource: e.resource,
        recordIds: [...e.recordIds],
        personIds: [...e.personIds],
        fields: [...e.fields],
        reason: e.reason ?? null,
      };
      const prevHash = hash;
      hash = entryHash(prevHash, content);
      return { ...content, at: new Date(content.at), prevHash, hash };
    });
    await tx.insertInto('auditEntries').values(entries).execute();
    // The queue's trigger lets a DELETE through only in a transaction that says it is the chainer.
    await sql`select set_config('rempart.chain', 'on', true)`.execute(tx);
    await tx
      .deleteFrom('auditQueue')
      .where(
        'id',
        'in',
        queued.map((r) => r.id),
      )
      .execute();
    return queued.length;
  });
}

/**
 * Moves queued audit events into the hash chain, in queue order, and returns how many
 * it chained (0 when another instance holds the chainer's lock). Each entry's hash
 * covers its content, its seq and the previous hash, so altering, deleting, inserting
 * or reordering any entry breaks every link after it (GDPR Art. 5(2); P2.5).
 */
export async function chainPending(db: Kysely<Database>, options: { readonly batchSize?: number } = {}): Promise<number> {
  const batchSize = options.batchSize ?? DEFAULT_BATCH;
  let total = 0;
  for (;;) {
    const n = await chainBatch(db, batchSize);
    if (n <= 0) return total;
    total += n;
    if (n < batchSize) return total;
  }
}

/**
 * Runs chainPending every `intervalMs` (default 200 ms) so events queued by writes are
 * chained within moments; the timer is unref'd (it never keeps the process alive) and a
 * run never overlaps the previous one. Returns the function that stops it.
 */
export function startChainer(
  db: Kysely<Database>,
  options: { readonly intervalMs?: number; readonly onError?: (error: unknown) => void } = {},
): () => void {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    chainPending(db)
      .catch((e: unknown) => options.onError?.(e))
      .finally(() => {
        running = false;
      });
  }, options.intervalMs ?? 200);
  timer.unref();
  return () => clearInterval(timer);
}
