/**
 * A Bloom filter over strings: answers "certainly absent" or "maybe present", never a
 * false "absent". The exact matcher keeps the match keys (emails, phone numbers) of the
 * prospect base in one, so that a batch asks the database only about the keys that may
 * be there: most rows of a new file match nothing, and each key the database looks up is
 * an index probe (measured at 100,000 rows on PostgreSQL: the phone and email probes were
 * 60 % of the server's time for the whole import).
 *
 * Scalable (Almeida et al., 2007): when a filter holds its capacity a new one twice its
 * size is added, each at 10 bits and 7 hashes per key (about 1 % false "maybe" each), so
 * memory grows with the keys at about 1.2 bytes a key and no rebuild is needed.
 */
export class KeyFilter {
  private readonly parts: { bits: Uint32Array; mask: number; capacity: number; count: number }[] = [];

  constructor(private readonly initialCapacity = 1 << 16) {
    this.grow(initialCapacity);
  }

  private grow(capacity: number): void {
    // A power of two of bits, at least 10 per key.
    let size = 1024;
    while (size < capacity * 10) size *= 2;
    this.parts.push({ bits: new Uint32Array(size / 32), mask: size - 1, capacity, count: 0 });
  }

  add(key: string): void {
    let part = this.parts[this.parts.length - 1]!;
    if (part.count >= part.capacity) {
      this.grow(part.capacity * 2);
      part = this.parts[this.parts.length - 1]!;
    }
    const [h1, h2] = hashes(key);
    for (let i = 0; i < HASHES; i++) {
      const bit = (h1 + Math.imul(i, h2)) & part.mask;
      part.bits[bit >>> 5]! |= 1 << (bit & 31);
    }
    part.count++;
  }

  mightHave(key: string): boolean {
    const [h1, h2] = hashes(key);
    outer: for (const part of this.parts) {
      for (let i = 0; i < HASHES; i++) {
        const bit = (h1 + Math.imul(i, h2)) & part.mask;
        if ((part.bits[bit >>> 5]! & (1 << (bit & 31))) === 0) continue outer;
      }
      return true;
    }
    return false;
  }

  /** Bytes held by the bit arrays. */
  get bytes(): number {
    return this.parts.reduce((n, p) => n + p.bits.byteLength, 0);
  }
}

const HASHES = 7;

/** Two independent 32-bit hashes of a string (FNV-1a and a multiplicative mix), for double hashing. */
function hashes(s: string): [number, number] {
  let a = 0x811c9dc5;
  let b = 0x9e3779b9;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 15;
  }
  a ^= a >>> 16;
  a = Math.imul(a, 0x85ebca6b);
  a ^= a >>> 13;
  // The second hash odd, so its multiples visit every bit of a power-of-two table.
  return [a >>> 0, (b | 1) >>> 0];
}
