import type { Rng } from '../identifiers/siret.js';

/**
 * UUIDv7 ids (RFC 9562) drawn from the demo's seeded generator, so one seed always gives
 * the same ids and the rows can be compared across runs and engines (`newId()` draws
 * from the system's entropy and clock). The 48-bit time is `baseMs` plus one
 * millisecond per 4096 ids and the 12-bit `rand_a` field is a counter, so ids increase
 * in the order they are handed out, as `newId()`'s do.
 */
export class DemoIdSource {
  readonly #baseMs: number;
  readonly #rng: Rng;
  #seq = 0;

  constructor(baseMs: number, rng: Rng) {
    this.#baseMs = Math.floor(baseMs);
    this.#rng = rng;
  }

  /** The next id. */
  next(): string {
    const ms = this.#baseMs + Math.floor(this.#seq / 4096);
    const counter = this.#seq % 4096;
    this.#seq++;
    // 62 random bits: 30 in `hi` (under the 2 variant bits), 32 in `lo`.
    const hi = Math.floor(this.#rng() * 2 ** 30);
    const lo = Math.floor(this.#rng() * 2 ** 32);
    const time = ms.toString(16).padStart(12, '0');
    const randA = (0x7000 | counter).toString(16);
    const variant = (0x8000 | (hi >>> 16)).toString(16);
    const tail = (hi & 0xffff).toString(16).padStart(4, '0') + lo.toString(16).padStart(8, '0');
    return `${time.slice(0, 8)}-${time.slice(8)}-${randA}-${variant}-${tail}`;
  }
}
