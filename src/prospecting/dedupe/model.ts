/**
 * The Fellegi-Sunter model: each field's comparison level is evidence, weighed by
 * m = P(level | match) and u = P(level | non-match). u is first measured on random pairs
 * of records (almost all non-matches); m and the prior are then estimated by EM on the
 * candidate pairs, as Splink does. Pairs are grouped by their vector of levels (the
 * "pattern"): EM runs on a few hundred patterns with counts, not on millions of pairs.
 */
import type { PreparedField } from './fields.js';

/** Candidate pairs reduced to their level patterns. */
export interface Patterns {
  /** Per pair, its pattern index. */
  readonly ofPair: Int32Array;
  /** Per pattern, F levels (0 = missing). */
  readonly levels: Uint8Array;
  /** Pairs per pattern. */
  readonly counts: Float64Array;
  readonly fieldCount: number;
}

/** The level of field `f` for records i and j (0 when either is missing). */
export function levelOf(f: PreparedField, i: number, j: number): number {
  const a = f.ids[i]!;
  const b = f.ids[j]!;
  if (a < 0 || b < 0) return 0;
  return f.compare(a, b, i, j);
}

/** Compares every candidate pair on every field and groups the pairs by pattern. */
export function comparePairs(fields: readonly PreparedField[], left: Int32Array, right: Int32Array): Patterns {
  const F = fields.length;
  const n = left.length;
  const ofPair = new Int32Array(n);
  const byKey = new Map<number, number>();
  const levels: number[] = [];
  const counts: number[] = [];
  // Base 8 per field: 3 bits, at most 7 levels; 17 fields fit in a double exactly.
  const useNumber = F <= 17;
  const byString = new Map<string, number>();
  const row = new Uint8Array(F);
  for (let p = 0; p < n; p++) {
    const i = left[p]!;
    const j = right[p]!;
    let key = 0;
    for (let f = 0; f < F; f++) {
      const l = levelOf(fields[f]!, i, j);
      row[f] = l;
      key = key * 8 + l;
    }
    let idx = useNumber ? byKey.get(key) : byString.get(row.join(','));
    if (idx === undefined) {
      idx = counts.length;
      if (useNumber) byKey.set(key, idx);
      else byString.set(row.join(','), idx);
      for (let f = 0; f < F; f++) levels.push(row[f]!);
      counts.push(0);
    }
    counts[idx]!++;
    ofPair[p] = idx;
  }
  return { ofPair, levels: Uint8Array.from(levels), counts: Float64Array.from(counts), fieldCount: F };
}

/** Per field, per level (index 0 unused), a probability. */
export type LevelProbabilities = Float64Array<ArrayBufferLike>[];

/**
 * u, the levels' shares among non-matching pairs, measured on all pairs of records where
 * both have the field (almost all of them non-matches). The exact level is counted, not
 * sampled: Σ c(c−1) / (n(n−1)) over the value counts c, so even a rare agreement on an
 * identifier gets its true small u. The other levels share the rest in the proportions seen
 * on `samples` random non-identical pairs. Smoothed so no level is impossible.
 */
export function estimateU(fields: readonly PreparedField[], n: number, samples: number, random: () => number): LevelProbabilities {
  const counts = fields.map((f) => new Float64Array(f.levels.length + 1));
  if (n >= 2) {
    for (let s = 0; s < samples; s++) {
      const i = Math.floor(random() * n);
      let j = Math.floor(random() * (n - 1));
      if (j >= i) j++;
      for (let f = 0; f < fields.length; f++) {
        const field = fields[f]!;
        const a = field.ids[i]!;
        const b = field.ids[j]!;
        if (a < 0 || b < 0 || a === b) continue;
        counts[f]![field.compare(a, b, i, j)]!++;
      }
    }
  }
  return fields.map((f, x) => {
    let present = 0;
    let same = 0;
    for (let v = 0; v < f.counts.length; v++) {
      const c = f.counts[v]!;
      present += c;
      same += c * (c - 1);
    }
    const exact = present < 2 ? 0 : same / (present * (present - 1));
    const rest = normalise(counts[x]!, 0.5);
    const out = new Float64Array(rest.length);
    // Floor: an exact agreement is never taken as impossible between different entities.
    out[1] = Math.max(exact, 1 / Math.max(2, present * present));
    let restTotal = 0;
    for (let l = 2; l < rest.length; l++) restTotal += rest[l]!;
    for (let l = 2; l < rest.length; l++) out[l] = restTotal === 0 ? 0 : ((1 - out[1]!) * rest[l]!) / restTotal;
    return out;
  });
}

function normalise(c: Float64Array, pseudo: number): Float64Array {
  let total = 0;
  for (let l = 1; l < c.length; l++) total += c[l]! + pseudo;
  const out = new Float64Array(c.length);
  for (let l = 1; l < c.length; l++) out[l] = (c[l]! + pseudo) / total;
  return out;
}

/**
 * The level frequencies over all candidate pairs: a start for u when EM re-estimates it.
 * Most candidates are non-matches, and unlike random pairs they carry the agreement that
 * blocking itself selects for (same postcode, same company), which must not count as evidence.
 */
export function candidateFrequencies(patterns: Patterns, levelCounts: readonly number[]): LevelProbabilities {
  const F = patterns.fieldCount;
  const counts = levelCounts.map((L) => new Float64Array(L + 1));
  for (let p = 0; p < patterns.counts.length; p++) {
    for (let f = 0; f < F; f++) {
      const l = patterns.levels[p * F + f]!;
      if (l > 0) counts[f]![l]! += patterns.counts[p]!;
    }
  }
  return counts.map((c) => normalise(c, 0.5));
}

/** Starting m: most matches agree exactly, a few fall to each weaker level. */
function initialM(levelCounts: readonly number[]): LevelProbabilities {
  return levelCounts.map((L) => {
    const c = new Float64Array(L + 1);
    c[1] = 0.8;
    for (let l = 2; l <= L; l++) c[l] = 0.2 / (L - 1);
    return c;
  });
}

/** What EM estimated. */
export interface EmResult {
  readonly lambda: number;
  readonly m: LevelProbabilities;
  readonly u: LevelProbabilities;
  readonly iterations: number;
  readonly converged: boolean;
}

/**
 * Expectation-maximisation over the patterns (`levelCounts[f]`: field f's levels, missing excluded). With `updateU` false, u stays as measured
 * on random pairs and only m and the prior move (Splink's default).
 */
export function expectationMaximisation(
  patterns: Patterns,
  levelCounts: readonly number[],
  u0: LevelProbabilities,
  options: { maxIterations: number; updateU: boolean; tolerance?: number },
): EmResult {
  const F = patterns.fieldCount;
  const P = patterns.counts.length;
  let m: LevelProbabilities = initialM(levelCounts);
  let u: LevelProbabilities = u0.map((x) => Float64Array.from(x));
  let lambda = 0.1;
  const tolerance = options.tolerance ?? 1e-6;
  const w = new Float64Array(P);
  let iterations = 0;
  let converged = false;
  let total = 0;
  for (let p = 0; p < P; p++) total += patterns.counts[p]!;
  if (total === 0) return { lambda: 0, m, u, iterations: 0, converged: true };
  while (iterations < options.maxIterations) {
    iterations++;
    // E-step: posterior probability of a match, per pattern.
    for (let p = 0; p < P; p++) {
      let pm = lambda;
      let pu = 1 - lambda;
      for (let f = 0; f < F; f++) {
        const l = patterns.levels[p * F + f]!;
        if (l === 0) continue;
        pm *= m[f]![l]!;
        pu *= u[f]![l]!;
      }
      w[p] = pm / (pm + pu);
    }
    // M-step.
    let matched = 0;
    const mc = levelCounts.map((L) => new Float64Array(L + 1));
    const uc = levelCounts.map((L) => new Float64Array(L + 1));
    for (let p = 0; p < P; p++) {
      const c = patterns.counts[p]!;
      const cw = c * w[p]!;
      matched += cw;
      for (let f = 0; f < F; f++) {
        const l = patterns.levels[p * F + f]!;
        if (l === 0) continue;
        mc[f]![l]! += cw;
        uc[f]![l]! += c - cw;
      }
    }
    const nextLambda = Math.min(1 - 1e-9, Math.max(1e-9, matched / total));
    const nextM = mc.map((c) => normalise(c, 1e-3));
    const nextU = options.updateU ? uc.map((c) => normalise(c, 1e-3)) : u;
    let change = Math.abs(nextLambda - lambda);
    for (let f = 0; f < F; f++) {
      for (let l = 1; l < nextM[f]!.length; l++) change = Math.max(change, Math.abs(nextM[f]![l]! - m[f]![l]!));
    }
    lambda = nextLambda;
    m = nextM;
    u = nextU;
    if (change < tolerance) {
      converged = true;
      break;
    }
  }
  return { lambda, m, u, iterations, converged };
}

/** The match weight (log2 of prior odds times Bayes factors) of each pattern. */
export function patternWeights(patterns: Patterns, em: EmResult): Float64Array {
  const F = patterns.fieldCount;
  const P = patterns.counts.length;
  const out = new Float64Array(P);
  const prior = Math.log2(em.lambda / (1 - em.lambda));
  for (let p = 0; p < P; p++) {
    let wgt = prior;
    for (let f = 0; f < F; f++) {
      const l = patterns.levels[p * F + f]!;
      if (l === 0) continue;
      wgt += Math.log2(em.m[f]![l]! / em.u[f]![l]!);
    }
    out[p] = wgt;
  }
  return out;
}

/**
 * Term-frequency adjustment of exact agreement (Splink's tf): agreeing on a rare surname is
 * stronger evidence than agreeing on a common one. Per value, log2(Σ p²) − log2(p_v), where
 * p_v is the value's share of the field; added to the weight of a pair that agrees exactly.
 * Clamped to ±`clampBits` so one value never decides alone.
 */
export function termFrequencyAdjustments(f: PreparedField, clampBits = 4): Float64Array {
  let present = 0;
  for (let v = 0; v < f.counts.length; v++) present += f.counts[v]!;
  let sumSquares = 0;
  for (let v = 0; v < f.counts.length; v++) {
    const p = f.counts[v]! / present;
    sumSquares += p * p;
  }
  const base = Math.log2(sumSquares);
  const out = new Float64Array(f.counts.length);
  for (let v = 0; v < f.counts.length; v++) {
    const adj = base - Math.log2(f.counts[v]! / present);
    out[v] = Math.max(-clampBits, Math.min(clampBits, adj));
  }
  return out;
}
