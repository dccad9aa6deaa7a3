import type { FastifyReply } from 'fastify';
import { RempartError } from '../../errors.js';

/**
 * A sliding-window counter kept in memory: at most `limit` hits per key within
 * `windowMs`. Per process, which is enough for its purpose (slowing down guessing from
 * one address); the lockout in the database is what holds across instances.
 */
export class SlidingWindowLimiter {
  private readonly hits = new Map<string, number[]>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    /** Bounds the memory an attacker can make us spend by varying the key. */
    private readonly maxKeys = 10_000,
  ) {}

  /**
   * Records a hit for `key` at `now`; returns 0 when it is allowed, else the number of
   * milliseconds until the oldest hit leaves the window (for Retry-After).
   */
  hit(key: string, now: number): number {
    const since = now - this.windowMs;
    const recent = (this.hits.get(key) ?? []).filter((t) => t > since);
    if (recent.length >= this.limit) {
      this.hits.set(key, recent);
      return Math.max(1, (recent[0] ?? now) + this.windowMs - now);
    }
    recent.push(now);
    this.hits.delete(key); // re-insert so that Map order is least recently used first
    this.hits.set(key, recent);
    if (this.hits.size > this.maxKeys) {
      const oldest = this.hits.keys().next().value;
      if (oldest !== undefined) this.hits.delete(oldest);
    }
    return 0;
  }
}

/**
 * Counts a hit of `key` and, past the limit, answers 429 with Retry-After: the one way a
 * public route turns a limiter's wait into an answer. `what` says what was limited
 * ("requests from this address"), never the key itself, which may be an address.
 */
export function enforceLimit(limiter: SlidingWindowLimiter, key: string, now: Date, reply: FastifyReply, what: string): void {
  const waitMs = limiter.hit(key, now.getTime());
  if (waitMs === 0) return;
  const seconds = Math.ceil(waitMs / 1000);
  void reply.header('retry-after', String(seconds));
  throw new RempartError('RATE_LIMITED', `Too many ${what}; try again in ${seconds} seconds.`);
}
