import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { RempartError } from '../../errors.js';
import { chainPending } from './chain.js';
import { toQueuedEvent, type AuditEvent } from './event.js';

interface Waiting {
  /** The events as queued JSON, checked when appended so one bad call cannot fail a whole batch. */
  readonly rows: readonly { readonly event: string }[];
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

const MAX_BATCH_ROWS = 10_000;

/** Options of an AuditWriter. */
export interface AuditWriterOptions {
  /** Chain after each flush (default true); off when a separate chainer runs. */
  readonly chain?: boolean;
  /** Told about a failed chaining run; the events stay queued and the next run retries. */
  readonly onChainError?: (error: unknown) => void;
}

/**
 * Durable audit events for reads, which have no transaction of their own: a read's
 * answer may leave only once its audit event is committed (GDPR Art. 5(2); P2.5).
 *
 * Group commit: calls arriving while a flush is in progress wait for the next one, and
 * each flush writes everything waiting in one transaction, so N concurrent reads cost
 * far fewer than N commits (as PostgreSQL's own WAL group commit does).
 */
export class AuditWriter {
  readonly #db: Kysely<Database>;
  readonly #options: AuditWriterOptions;
  #waiting: Waiting[] = [];
  #loop: Promise<void> | null = null;
  #closed = false;
  #flushes = 0;

  constructor(db: Kysely<Database>, options: AuditWriterOptions = {}) {
    this.#db = db;
    this.#options = options;
  }

  /** How many insert transactions this writer committed (group commit makes it far fewer than calls). */
  get flushCount(): number {
    return this.#flushes;
  }

  /** Appends events and resolves once they are durably committed (queued; chained right after). */
  append(events: readonly AuditEvent[]): Promise<void> {
    if (this.#closed) return Promise.reject(new RempartError('INTERNAL', 'The audit writer is closed.'));
    if (events.length === 0) return Promise.resolve();
    let rows: { event: string }[];
    try {
      rows = events.map((e) => ({ event: JSON.stringify(toQueuedEvent(e)) }));
    } catch (e) {
      return Promise.reject(e);
    }
    return new Promise<void>((resolve, reject) => {
      this.#waiting.push({ rows, resolve, reject });
      // setImmediate, not a timer: callers of this same turn of the event loop join the batch.
      this.#loop ??= new Promise<void>((r) => setImmediate(r)).then(() => this.#drain());
    });
  }

  /** The calls of the next flush: all waiting, up to MAX_BATCH_ROWS events (PostgreSQL takes 65 535 parameters). */
  #takeBatch(): Waiting[] {
    let rows = 0;
    let n = 0;
    while (n < this.#waiting.length && (n === 0 || rows + (this.#waiting[n]?.rows.length ?? 0) <= MAX_BATCH_ROWS)) {
      rows += this.#waiting[n]?.rows.length ?? 0;
      n += 1;
    }
    return this.#waiting.splice(0, n);
  }

  async #drain(): Promise<void> {
    try {
      while (this.#waiting.length > 0) {
        const batch = this.#takeBatch();
        try {
          // One multi-row insert is one transaction: all the batch is durable, or none of it.
          await this.#db.insertInto('auditQueue').values(batch.flatMap((w) => w.rows)).execute();
          this.#flushes += 1;
          for (const w of batch) w.resolve();
        } catch (e) {
          for (const w of batch) w.reject(e);
          continue;
        }
        if (this.#options.chain ?? true) {
          await chainPending(this.#db).catch((e: unknown) => this.#options.onChainError?.(e));
        }
      }
    } finally {
      this.#loop = null;
    }
  }

  /** Waits for every pending append, chains what is queued, and refuses further appends. */
  async close(): Promise<void> {
    this.#closed = true;
    while (this.#loop) await this.#loop;
    if (this.#options.chain ?? true) await chainPending(this.#db).catch((e: unknown) => this.#options.onChainError?.(e));
  }
}
