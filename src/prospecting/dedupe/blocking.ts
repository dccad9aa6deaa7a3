/**
 * Blocking: which pairs of records are compared at all. Several rules, each "these fields'
 * keys are equal"; a pair is a candidate when any rule pairs it. Rules are chosen from the
 * data: a field (or two fields together) becomes a rule when the blocks it makes would
 * emit at most `budget` pairs per record, so the same code serves 5,000 or 5,000,000
 * records and any set of fields. A pair found by several rules is kept once: a rule skips
 * a pair that an earlier rule already emitted (Splink's approach), so no pair list is
 * ever sorted or hashed for duplicates.
 */
import type { PreparedField } from './fields.js';
import { PairBuffer } from './pair-buffer.js';
import type { BlockingRuleReport } from './types.js';

/** Candidate pairs and the rules that produced them. */
export interface Candidates {
  readonly left: Int32Array;
  readonly right: Int32Array;
  readonly rules: readonly BlockingRuleReport[];
}

interface Rule {
  readonly fields: readonly PreparedField[];
  /** Per record, its key id for this rule, or -1 (a missing field: no block). */
  readonly keys: Int32Array;
  readonly keyCount: number;
  /** Per key, 1 when its block exceeds the size cap and was skipped. */
  oversized: Uint8Array;
}

/** Per record, the field's blocking key id (-1 when missing). */
function recordKeys(f: PreparedField, n: number): Int32Array {
  const keys = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const v = f.ids[i]!;
    keys[i] = v < 0 ? -1 : f.blockKeys[v]!;
  }
  return keys;
}

/** Pairs a key would make: the sum over its blocks of size·(size−1)/2. */
function pairsOf(keys: Int32Array, keyCount: number): { pairs: number; sizes: Int32Array } {
  const sizes = new Int32Array(keyCount);
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!;
    if (k >= 0) sizes[k]!++;
  }
  let pairs = 0;
  for (let k = 0; k < keyCount; k++) {
    const s = sizes[k]!;
    pairs += (s * (s - 1)) / 2;
  }
  return { pairs, sizes };
}

/** Keys of two fields combined (both present), compacted to ids 0…. */
function combine(a: Int32Array, b: Int32Array, bCount: number): { keys: Int32Array; keyCount: number } {
  const n = a.length;
  const keys = new Int32Array(n);
  const ids = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const ka = a[i]!;
    const kb = b[i]!;
    if (ka < 0 || kb < 0) {
      keys[i] = -1;
      continue;
    }
    const composite = ka * bCount + kb;
    let id = ids.get(composite);
    if (id === undefined) {
      id = ids.size;
      ids.set(composite, id);
    }
    keys[i] = id;
  }
  return { keys, keyCount: ids.size };
}

/** Chooses the rules (see the file comment) and emits the candidate pairs, each once, left < right. */
export function block(fields: readonly PreparedField[], n: number, options: { maxBlockSize: number; budget: number; maxPairRules?: number }): Candidates {
  const limit = options.budget * n;
  const perField = fields.map((f) => {
    const keys = recordKeys(f, n);
    const { pairs } = pairsOf(keys, f.blockKeyCount);
    return { field: f, keys, keyCount: f.blockKeyCount, pairs };
  });
  const rules: Rule[] = [];
  const singles = perField.filter((p) => p.pairs <= limit && p.keyCount > 0);
  for (const s of singles) rules.push({ fields: [s.field], keys: s.keys, keyCount: s.keyCount, oversized: new Uint8Array(0) });
  // Fields too coarse alone are paired; the independence estimate ranks the pairs, the
  // real block sizes decide.
  const coarse = perField.filter((p) => p.pairs > limit);
  const total = (n * (n - 1)) / 2;
  const proposals: { a: (typeof coarse)[number]; b: (typeof coarse)[number]; estimate: number }[] = [];
  for (let x = 0; x < coarse.length; x++) {
    for (let y = x + 1; y < coarse.length; y++) {
      const a = coarse[x]!;
      const b = coarse[y]!;
      proposals.push({ a, b, estimate: total === 0 ? 0 : (a.pairs * b.pairs) / total });
    }
  }
  proposals.sort((p, q) => p.estimate - q.estimate);
  let pairRules = 0;
  for (const p of proposals) {
    if (pairRules >= (options.maxPairRules ?? 15)) break;
    const { keys, keyCount } = combine(p.a.keys, p.b.keys, p.b.keyCount);
    const { pairs } = pairsOf(keys, keyCount);
    if (pairs > limit) continue;
    rules.push({ fields: [p.a.field, p.b.field], keys, keyCount, oversized: new Uint8Array(0) });
    pairRules++;
  }
  return emit(rules, n, options.maxBlockSize);
}

function emit(rules: readonly Rule[], n: number, maxBlockSize: number): Candidates {
  const out = new PairBuffer(Math.max(1024, n * 4));
  const reports: BlockingRuleReport[] = [];
  const order = new Int32Array(n);
  for (let r = 0; r < rules.length; r++) {
    const rule = rules[r]!;
    const { keys, keyCount } = rule;
    // Counting sort of the records by key: blocks become contiguous, records ascending in each.
    const start = new Int32Array(keyCount + 1);
    for (let i = 0; i < n; i++) {
      const k = keys[i]!;
      if (k >= 0) start[k + 1]!++;
    }
    for (let k = 0; k < keyCount; k++) start[k + 1]! += start[k]!;
    const fill = start.slice(0, keyCount);
    for (let i = 0; i < n; i++) {
      const k = keys[i]!;
      if (k >= 0) order[fill[k]!++] = i;
    }
    const oversized = new Uint8Array(keyCount);
    let oversizedBlocks = 0;
    let oversizedRecords = 0;
    let newPairs = 0;
    for (let k = 0; k < keyCount; k++) {
      const from = start[k]!;
      const to = start[k + 1]!;
      const size = to - from;
      if (size < 2) continue;
      if (size > maxBlockSize) {
        oversized[k] = 1;
        oversizedBlocks++;
        oversizedRecords += size;
        continue;
      }
      for (let x = from; x < to; x++) {
        const i = order[x]!;
        for (let y = x + 1; y < to; y++) {
          const j = order[y]!;
          let seen = false;
          for (let e = 0; e < r; e++) {
            const earlier = rules[e]!;
            const ki = earlier.keys[i]!;
            if (ki >= 0 && ki === earlier.keys[j]! && earlier.oversized[ki] === 0) {
              seen = true;
              break;
            }
          }
          if (!seen) {
            out.push(i, j);
            newPairs++;
          }
        }
      }
    }
    rule.oversized = oversized;
    reports.push({ fields: rule.fields.map((f) => f.name), newPairs, oversizedBlocks, oversizedRecords });
  }
  const { left, right } = out.view();
  return { left, right, rules: reports };
}
