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
 * Groups of fields whose exact agreements go together among random pairs (non-matches):
 * postcode and city, company and SIRET. Fellegi-Sunter multiplies the fields' Bayes factors
 * as if independent; for such a group that counts one fact ("same place", "same employer")
 * several times, and colleagues come out as one person. Two fields are grouped when, on
 * `samples` random pairs, they agree exactly together at least `minJoint` times and at
 * least `minLift` times as often as independence predicts, leaving out pairs that agree on
 * most of their fields. Per field, its group's id.
 */
export function dependentGroups(fields: readonly PreparedField[], n: number, samples: number, random: () => number, minJoint = 3, minLift = 8): Int32Array {
  const F = fields.length;
  const single = new Float64Array(F);
  const joint = new Float64Array(F * F);
  const agree = new Uint8Array(F);
  let drawn = 0;
  if (n >= 2) {
    for (let s = 0; s < samples; s++) {
      const i = Math.floor(random() * n);
      let j = Math.floor(random() * (n - 1));
      if (j >= i) j++;
      drawn++;
      let present = 0;
      let agreeing = 0;
      for (let f = 0; f < F; f++) {
        const ids = fields[f]!.ids;
        const a = ids[i]!;
        const b = ids[j]!;
        if (a >= 0 && b >= 0) present++;
        agree[f] = a >= 0 && a === b ? 1 : 0;
        if (agree[f]) {
          single[f]!++;
          agreeing++;
        }
      }
      // A random pair that agrees on most of its fields is likely a true match (some are, in a
      // file with duplicates): its agreements go together because it is one entity, which is
      // the evidence itself, not a dependence among non-matches.
      if (agreeing * 2 > present) continue;
      for (let f = 0; f < F; f++) {
        if (!agree[f]) continue;
        for (let g = f + 1; g < F; g++) if (agree[g]) joint[f * F + g]!++;
      }
    }
  }
  const group = Int32Array.from({ length: F }, (_, f) => f);
  const find = (f: number): number => (group[f] === f ? f : (group[f] = find(group[f]!)));
  for (let f = 0; f < F; f++) {
    for (let g = f + 1; g < F; g++) {
      const j = joint[f * F + g]!;
      if (j < minJoint) continue;
      const lift = (j * drawn) / (single[f]! * single[g]!);
      // Dependent: far more often together than chance, or one mostly implying the other
      // (a company sits in one town: same company → same town, even when towns are few).
      const implied = j / Math.min(single[f]!, single[g]!);
      if (lift >= minLift || (implied >= 0.5 && lift >= 2)) group[find(g)] = find(f);
    }
  }
  for (let f = 0; f < F; f++) group[f] = find(f);
  return group;
}

/**
 * The match weight of one pattern: log2 prior odds plus, per group of dependent fields
 * (see dependentGroups), the strongest positive log2 Bayes factor of the group and all its
 * negative ones; a field alone in its group counts as usual.
 */
function weightOf(levels: Uint8Array, offset: number, F: number, m: LevelProbabilities, u: LevelProbabilities, prior: number, groups: Int32Array | undefined, ignore: readonly boolean[], best: Float64Array): number {
  let w = prior;
  if (groups !== undefined) best.fill(0);
  for (let f = 0; f < F; f++) {
    const l = levels[offset + f]!;
    if (l === 0 || ignore[f]) continue;
    const lr = Math.log2(m[f]![l]! / u[f]![l]!);
    if (groups === undefined || lr <= 0) w += lr;
    else {
      const g = groups[f]!;
      if (lr > best[g]!) best[g] = lr;
    }
  }
  if (groups !== undefined) for (let g = 0; g < F; g++) w += best[g]!;
  return w;
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

/** How one EM run goes. */
export interface EmOptions {
  readonly maxIterations: number;
  /** Re-estimate u too (false: u stays as given, Splink's default). */
  readonly updateU: boolean;
  readonly tolerance?: number;
  /**
   * Per field, true when this run neither uses nor estimates it: the fields of the blocking
   * rule whose pairs are being trained on, on which every one of those pairs agrees by
   * construction (Splink's training sessions). Their m is returned as it started.
   */
  readonly ignore?: readonly boolean[];
  /** m held at these values: only the prior moves. */
  readonly fixedM?: LevelProbabilities;
  /** Upper bound on the prior (see `priorCap`). */
  readonly maxLambda?: number;
  /** Keep m ≥ u at every agreement level (see `mAtLeastU`). */
  readonly mAtLeastU?: boolean;
  /** Per field, its group of dependent fields (see dependentGroups); absent: all independent. */
  readonly groups?: Int32Array;
}

/**
 * m raised to u at each agreement level (every level but the last, "else"), the mass taken
 * from "else". Agreeing on a field is never evidence *against* a match: when EM says
 * otherwise, its "match" class has latched onto something other than identity.
 */
export function mAtLeastU(m: Float64Array, u: Float64Array): Float64Array {
  const L = m.length - 1;
  const out = Float64Array.from(m);
  if (L < 2) return out;
  let agree = 0;
  for (let l = 1; l < L; l++) {
    out[l] = Math.max(out[l]!, u[l]!);
    agree += out[l]!;
  }
  const floor = 1e-6;
  if (agree > 1 - floor) {
    for (let l = 1; l < L; l++) out[l] = (out[l]! * (1 - floor)) / agree;
    out[L] = floor;
  } else out[L] = 1 - agree;
  return out;
}

/**
 * Expectation-maximisation over the patterns (`levelCounts[f]`: field f's levels, missing
 * excluded). With `updateU` false, u stays as measured on random pairs and only m and the
 * prior move (Splink's default); see EmOptions for the rest.
 */
export function expectationMaximisation(patterns: Patterns, levelCounts: readonly number[], u0: LevelProbabilities, options: EmOptions): EmResult {
  const F = patterns.fieldCount;
  const P = patterns.counts.length;
  const ignore = options.ignore ?? [];
  const fixedM = options.fixedM;
  const maxLambda = Math.min(1 - 1e-9, options.maxLambda ?? 1);
  let m: LevelProbabilities = fixedM ? fixedM.map((x) => Float64Array.from(x)) : initialM(levelCounts);
  let u: LevelProbabilities = u0.map((x) => Float64Array.from(x));
  if (options.mAtLeastU && !fixedM) m = m.map((x, f) => (ignore[f] ? x : mAtLeastU(x, u[f]!)));
  let lambda = Math.min(0.1, maxLambda / 2);
  const tolerance = options.tolerance ?? 1e-6;
  const w = new Float64Array(P);
  const best = new Float64Array(F);
  let iterations = 0;
  let converged = false;
  let total = 0;
  for (let p = 0; p < P; p++) total += patterns.counts[p]!;
  if (total === 0) return { lambda: 0, m, u, iterations: 0, converged: true };
  while (iterations < options.maxIterations) {
    iterations++;
    // E-step: posterior probability of a match, per pattern.
    if (options.groups !== undefined) {
      const prior = Math.log2(lambda / (1 - lambda));
      for (let p = 0; p < P; p++) w[p] = 1 / (1 + 2 ** -weightOf(patterns.levels, p * F, F, m, u, prior, options.groups, ignore, best));
    } else {
      for (let p = 0; p < P; p++) {
        let pm = lambda;
        let pu = 1 - lambda;
        for (let f = 0; f < F; f++) {
          const l = patterns.levels[p * F + f]!;
          if (l === 0 || ignore[f]) continue;
          pm *= m[f]![l]!;
          pu *= u[f]![l]!;
        }
        w[p] = pm / (pm + pu);
      }
    }
    // M-step.
    let matched = 0;
    const mc = levelCounts.map((L) => new Float64Array(L + 1));
    const uc = levelCounts.map((L) => new Float64Array(L + 1));
    for (let p = 0; p < P; p++) {
      const c = patterns.counts[p]!;
      if (c === 0) continue;
      const cw = c * w[p]!;
      matched += cw;
      for (let f = 0; f < F; f++) {
        const l = patterns.levels[p * F + f]!;
        if (l === 0) continue;
        mc[f]![l]! += cw;
        uc[f]![l]! += c - cw;
      }
    }
    const nextLambda = Math.min(maxLambda, Math.max(1e-9, matched / total));
    const nextM = fixedM ? m : mc.map((c, f) => (ignore[f] ? m[f]! : options.mAtLeastU ? mAtLeastU(normalise(c, 1e-3), u[f]!) : normalise(c, 1e-3)));
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

/**
 * The candidate pairs that agree on one blocking rule's keys (whichever rule emitted them),
 * as pairs per pattern, and per field whether the rule blocks on it.
 */
export interface TrainingSession {
  readonly counts: Float64Array;
  readonly pairs: number;
  readonly ignore: readonly boolean[];
}

/** The patterns that have pairs in `counts`, with those counts (a session's EM runs on these alone). */
function only(patterns: Patterns, counts: Float64Array): Patterns {
  const F = patterns.fieldCount;
  const kept: number[] = [];
  for (let p = 0; p < counts.length; p++) if (counts[p]! > 0) kept.push(p);
  const levels = new Uint8Array(kept.length * F);
  kept.forEach((p, k) => levels.set(patterns.levels.subarray(p * F, p * F + F), k * F));
  return { ofPair: new Int32Array(0), levels, counts: Float64Array.from(kept, (p) => counts[p]!), fieldCount: F };
}

/**
 * Splink's training, u fixed: EM runs once per blocking rule on that rule's pairs, leaving out
 * the rule's own fields (every pair of the rule agrees on them, whatever it is: counting that
 * agreement as evidence is how EM comes to take "same town" for "same person"). A field's m
 * is the mean of its estimates over the sessions that did not block on it, each weighed by
 * the matches that session expects (a session that finds none tells nothing about m). Then
 * the prior alone is fitted on all the pairs with m and u held, and capped at `maxLambda`.
 * Sessions with fewer than `minPairs` pairs are skipped; a field no session could estimate
 * takes its m from one EM over all the pairs.
 */
export function trainBySessions(
  patterns: Patterns,
  levelCounts: readonly number[],
  u: LevelProbabilities,
  sessions: readonly TrainingSession[],
  options: { maxIterations: number; minPairs: number; maxLambda: number; tolerance?: number; groups?: Int32Array },
): EmResult {
  const groups = options.groups !== undefined ? { groups: options.groups } : {};
  const F = patterns.fieldCount;
  const sums = levelCounts.map((L) => new Float64Array(L + 1));
  const weights = new Float64Array(F);
  let iterations = 0;
  let converged = true;
  for (const s of sessions) {
    if (s.pairs < options.minPairs) continue;
    const em = expectationMaximisation(only(patterns, s.counts), levelCounts, u, {
      maxIterations: options.maxIterations,
      updateU: false,
      ignore: s.ignore,
      mAtLeastU: true,
      ...groups,
      ...(options.tolerance !== undefined ? { tolerance: options.tolerance } : {}),
    });
    iterations += em.iterations;
    converged &&= em.converged;
    const expected = em.lambda * s.pairs;
    for (let f = 0; f < F; f++) {
      if (s.ignore[f]) continue;
      weights[f]! += expected;
      for (let l = 1; l < sums[f]!.length; l++) sums[f]![l]! += expected * em.m[f]![l]!;
    }
  }
  let fallback: LevelProbabilities | null = null;
  const m: LevelProbabilities = levelCounts.map((_, f) => {
    if (weights[f]! > 0) return mAtLeastU(sums[f]!.map((v) => v / weights[f]!), u[f]!);
    fallback ??= expectationMaximisation(patterns, levelCounts, u, { maxIterations: options.maxIterations, updateU: false, mAtLeastU: true, ...groups }).m;
    return Float64Array.from(fallback[f]!);
  });
  // A field no session estimated was blocked on by every session: its agreement among the
  // candidates is blocking's doing, so it has no say in the prior either.
  const ignore = Array.from(weights, (x) => x === 0);
  const prior = expectationMaximisation(patterns, levelCounts, u, { maxIterations: options.maxIterations, updateU: false, fixedM: m, maxLambda: options.maxLambda, ignore, ...groups });
  return { lambda: prior.lambda, m, u, iterations: iterations + prior.iterations, converged: converged && prior.converged };
}

/** The match weight (log2 of prior odds times Bayes factors) of each pattern. */
export function patternWeights(patterns: Patterns, em: EmResult, groups?: Int32Array): Float64Array {
  const F = patterns.fieldCount;
  const P = patterns.counts.length;
  const out = new Float64Array(P);
  const prior = Math.log2(em.lambda / (1 - em.lambda));
  const best = new Float64Array(F);
  for (let p = 0; p < P; p++) out[p] = weightOf(patterns.levels, p * F, F, em.m, em.u, prior, groups, [], best);
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
