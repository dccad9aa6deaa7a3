import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import type { AccountRow } from './accounts.js';
import type { SessionRow, TokenRow } from './tables.js';

/**
 * How often each instance reads `auth_changes.version` (migration 20261207T1200). A
 * revocation, a disabled account or a logout is honoured by every instance within
 * AUTH_REVOCATION_BOUND_MS: one poll interval, plus the poll's own round trip, with room for a busy event loop.
 */
export const AUTH_POLL_MS = 250;
/** The stated bound (tested on two instances): a revoked credential stops working everywhere within it. */
export const AUTH_REVOCATION_BOUND_MS = 1000;
/**
 * A cached entry is read again from the database at the latest after this long, even
 * when no revocation was seen: a safety net should a poll fail for a while.
 */
export const AUTH_CACHE_MAX_AGE_MS = 30_000;
const MAX_ENTRIES = 10_000;

interface Cached<T> {
  readonly value: T;
  readonly at: number;
}

/** A session row and its account, as lookupSession uses them. */
export interface CachedSession {
  readonly row: SessionRow;
  readonly account: AccountRow;
}

/** Options of an AuthCache (tests shorten the intervals). */
export interface AuthCacheOptions {
  readonly pollMs?: number;
  readonly maxAgeMs?: number;
  /** Told when a poll fails; the cache is then cleared, so lookups go to the database. */
  readonly onError?: (error: unknown) => void;
}

/**
 * Token and session lookups served from memory after the first, keyed by the token's
 * SHA-256 (the clear token is never kept). Only live credentials are cached; unknown
 * tokens are not, so guessing cannot fill the memory.
 *
 * Expiry is checked against the clock on every request from the cached row, so it is
 * exact. Revocation, disabling and logout write columns whose triggers bump
 * `auth_changes.version`; every instance polls that version every AUTH_POLL_MS and drops
 * its whole cache when it moved, on either engine (PGlite is one process, PostgreSQL may
 * have several instances and the CLI beside them).
 */
export class AuthCache {
  readonly #tokens = new Map<string, Cached<TokenRow>>();
  readonly #sessions = new Map<string, Cached<CachedSession>>();
  readonly #maxAgeMs: number;
  #version: string | null = null;
  #generation = 0;
  #timer: NodeJS.Timeout | null = null;
  #polling: Promise<void> | null = null;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly options: AuthCacheOptions = {},
  ) {
    this.#maxAgeMs = options.maxAgeMs ?? AUTH_CACHE_MAX_AGE_MS;
  }

  /** Reads the version once, then polls it; the timer never keeps the process alive. */
  async start(): Promise<void> {
    await this.poll();
    if (this.#timer) return;
    this.#timer = setInterval(() => void this.poll(), this.options.pollMs ?? AUTH_POLL_MS);
    this.#timer.unref();
  }

  /** Stops polling and forgets everything. */
  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    await this.#polling;
    this.clear();
  }

  /** One poll: clears the cache when the version moved (or cannot be read). */
  poll(): Promise<void> {
    this.#polling ??= (async () => {
      try {
        const row = await this.db.selectFrom('authChanges').select('version').where('id', '=', 1).executeTakeFirst();
        const version = row === undefined ? null : String(row.version);
        if (version !== this.#version) this.clear();
        this.#version = version;
      } catch (e) {
        this.clear();
        this.#version = null;
        this.options.onError?.(e);
      } finally {
        this.#polling = null;
      }
    })();
    return this.#polling;
  }

  /**
   * Bumped by every clear. A lookup notes it before reading the database and passes it to
   * put: a row read before a revocation was seen is then not cached after it.
   */
  get generation(): number {
    return this.#generation;
  }

  /** Drops every entry. */
  clear(): void {
    this.#generation += 1;
    this.#tokens.clear();
    this.#sessions.clear();
  }

  token(hash: string): TokenRow | undefined {
    return this.#fresh(this.#tokens, hash);
  }

  putToken(hash: string, row: TokenRow, generation: number): void {
    // Only while polling: without it nothing would ever tell this cache of a revocation.
    if (this.#timer && generation === this.#generation) this.#put(this.#tokens, hash, row);
  }

  session(id: string): CachedSession | undefined {
    return this.#fresh(this.#sessions, id);
  }

  putSession(id: string, value: CachedSession, generation: number): void {
    if (this.#timer && generation === this.#generation) this.#put(this.#sessions, id, value);
  }

  dropSession(id: string): void {
    this.#sessions.delete(id);
  }

  #fresh<T>(map: Map<string, Cached<T>>, key: string): T | undefined {
    const hit = map.get(key);
    if (!hit) return undefined;
    if (performance.now() - hit.at > this.#maxAgeMs) {
      map.delete(key);
      return undefined;
    }
    return hit.value;
  }

  #put<T>(map: Map<string, Cached<T>>, key: string, value: T): void {
    if (!map.has(key) && map.size >= MAX_ENTRIES) {
      // Oldest first: a Map iterates in insertion order.
      const oldest = map.keys().next();
      if (!oldest.done) map.delete(oldest.value);
    }
    map.set(key, { value, at: performance.now() });
  }
}
