import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { RempartError } from '../../errors.js';
import type { ConnectionLogRow } from '../connection-logs/index.js';
import { chainPending } from './chain.js';
import { toQueuedEvent, type AuditEvent } from './event.js';

/**
 * How a read's audit event and a connection-log entry reach the database:
 * - `strict`: the caller waits for the group commit that holds its entry, so nothing
 *   served is ever unlogged;
 * - `batched` (the default): the caller goes on at once and the entry is committed
 *   within BATCHED_WINDOW_MS (the writer's window; a database slower than that makes
 *   callers wait, so the bound holds); a crash loses at most that window of read logs,
 *   as pgaudit leaves its lines to the log writer.
 * Writes never take this path: their audit event is in their own transaction.
 */
export type AuditDurability = 'strict' | 'batched';
/** The durability modes, for the config's check. */
export const AUDIT_DURABILITIES: readonly AuditDurability[] = ['strict', 'batched'];
/** In `batched` mode, an entry is committed at most this long after the call that queued it (or that call waits). */
export const BATCHED_WINDOW_MS = 50;

interface Waiting {
  /** The events as queued JSON, checked when appended so one bad call cannot fail a whole batch. */
  readonly rows: readonly { readonly event: string }[];
  readonly connections: readonly ConnectionLogRow[];
  /** performance.now() of the call: the age the batched window is measured on. */
  readonly at: number;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

const MAX_BATCH_ROWS = 5_000;
/** After a failed batched flush, the next try waits this long (the entries stay queued). */
const RETRY_MS = 100;

/** Options of an AuditWriter. */
export interface AuditWriterOptions {
  /** Chain after each flush (default true); off when a separate chainer runs. */
  readonly chain?: boolean;
  /** Told about a failed chaining run; the events stay queued and the next run retries. */
  readonly onChainError?: (error: unknown) => void;
  /** Default `strict` (the CLI); the server takes its config's (default `batched`). */
  readonly durability?: AuditDurability;
  /** Told about a failed batched flush (nobody waits for it); its entries are tried again. */
  readonly onError?: (error: unknown) => void;
}

const noop = (): void => undefined;

/**
 * Durable audit events for reads, which have no transaction of their own, and the
 * connection log (P1.7), on one path: GDPR Art. 5(2), P2.5.
 *
 * Group commit: calls arriving while a flush is in progress wait for the next one, and
 * each flush writes everything waiting in one transaction (audit rows and connection
 * rows together), so N concurrent requests cost far fewer than N commits (as
 * PostgreSQL's own WAL group commit does).
 */
export class AuditWriter {
  readonly #db: Kysely<Database>;
  readonly #options: AuditWriterOptions;
  readonly durability: AuditDurability;
  #waiting: Waiting[] = [];
  /** performance.now() of the oldest entry not yet committed (queued or in flight), or null. */
  #oldestUncommitted: number | null = null;
  #loop: Promise<void> | null = null;
  #closed = false;
  #flushes = 0;

  constructor(db: Kysely<Database>, options: AuditWriterOptions = {}) {
    this.#db = db;
    this.#options = options;
    this.durability = options.durability ?? 'strict';
  }

  /** How many insert transactions this writer committed (group commit makes it far fewer than calls). */
  get flushCount(): number {
    return this.#flushes;
  }

  /**
   * Appends events. `strict`: resolves once they are committed (queued; chained right
   * after). `batched`: resolves at once, unless the oldest uncommitted entry is older
   * than the window, then once committed.
   */
  append(events: readonly AuditEvent[]): Promise<void> {
    if (events.length === 0) return Promise.resolve();
    let rows: { event: string }[];
    try {
      rows = events.map((e) => ({ event: JSON.stringify(toQueuedEvent(e)) }));
    } catch (e) {
      return Promise.reject(e);
    }
    return this.#enqueue(rows, []);
  }

  /**
   * Appends connection-log rows (connectionLogRow), with the same durability as append.
   * `defer`: do not start a flush for them alone; they join the next one (the request's
   * audit event, typically), or the one `kick` starts, or at the latest one started
   * BATCHED_WINDOW_MS later. A strict read then costs one commit, not two.
   */
  appendConnections(rows: readonly ConnectionLogRow[], options: { readonly defer?: boolean } = {}): Promise<void> {
    if (rows.length === 0) return Promise.resolve();
    return this.#enqueue([], rows, options.defer === true);
  }

  /** Starts a flush of whatever waits (see appendConnections' `defer`). */
  kick(): void {
    if (this.#waiting.length > 0) this.#loop ??= new Promise<void>((r) => setImmediate(r)).then(() => this.#drain());
  }

  /** Resolves once everything queued before this call is committed. */
  async flush(): Promise<void> {
    while (this.#loop) await this.#loop;
  }

  #enqueue(rows: readonly { event: string }[], connections: readonly ConnectionLogRow[], defer = false): Promise<void> {
    if (this.#closed) return Promise.reject(new RempartError('INTERNAL', 'The audit writer is closed.'));
    const at = performance.now();
    const overdue = this.#oldestUncommitted !== null && at - this.#oldestUncommitted > BATCHED_WINDOW_MS;
    const wait = this.durability === 'strict' || overdue;
    this.#oldestUncommitted ??= at;
    let done: Promise<void>;
    if (wait) {
      done = new Promise<void>((resolve, reject) => this.#waiting.push({ rows, connections, at, resolve, reject }));
    } else {
      this.#waiting.push({ rows, connections, at, resolve: noop, reject: noop });
      done = Promise.resolve();
    }
    if (defer) {
      setTimeout(() => this.kick(), BATCHED_WINDOW_MS).unref();
    } else {
      // setImmediate, not a timer: callers of this same turn of the event loop join the batch.
      this.#loop ??= new Promise<void>((r) => setImmediate(r)).then(() => this.#drain());
    }
    return done;
  }

  /** The calls of the next flush: all waiting, up to MAX_BATCH_ROWS rows (PostgreSQL takes 65 535 parameters). */
  #takeBatch(): Waiting[] {
    let rows = 0;
    let n = 0;
    const size = (w: Waiting | undefined): number => (w ? w.rows.length + w.connections.length * 11 : 0);
    while (n < this.#waiting.length && (n === 0 || rows + size(this.#waiting[n]) <= MAX_BATCH_ROWS)) {
      rows += size(this.#waiting[n]);
      n += 1;
    }
    return this.#waiting.splice(0, n);
  }

  async #write(batch: readonly Waiting[]): Promise<void> {
    const events = batch.flatMap((w) => w.rows);
    const connections = batch.flatMap((w) => w.connections);
    if (events.length > 0 && connections.length > 0) {
      // One transaction: the whole batch is durable, or none of it.
      await this.#db.transaction().execute(async (tx) => {
        await tx.insertInto('connectionLogs').values(connections).execute();
        await tx.insertInto('auditQueue').values(events).execute();
      });
    } else if (events.length > 0) {
      await this.#db.insertInto('auditQueue').values(events).execute();
    } else if (connections.length > 0) {
      await this.#db.insertInto('connectionLogs').values(connections).execute();
    }
  }

  async #drain(): Promise<void> {
    try {
      while (this.#waiting.length > 0) {
        const batch = this.#takeBatch();
        try {
          await this.#write(batch);
          this.#flushes += 1;
          for (const w of batch) w.resolve();
        } catch (e) {
          if (this.durability === 'strict') {
            for (const w of batch) w.reject(e);
          } else {
            // Nobody may be waiting for these: keep them, first in line, and try again.
            this.#options.onError?.(e);
            this.#waiting.unshift(...batch);
            await new Promise((r) => setTimeout(r, RETRY_MS));
            if (this.#closed) {
              for (const w of this.#waiting.splice(0)) w.reject(e);
            }
          }
          continue;
        } finally {
          this.#oldestUncommitted = this.#waiting[0]?.at ?? null;
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
