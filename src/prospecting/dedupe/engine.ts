/**
 * `dedupe`: record linkage of N records given column by column. Blocking → comparison
 * levels → Fellegi-Sunter model estimated from the data (u on random pairs, m by EM) →
 * scores → connected components of the pairs above the match threshold; pairs in the
 * review band that did not end in one cluster are returned for a person to decide
 * (R-PROS-2: uncertain pairs are reviewed, not merged).
 */
import { block } from './blocking.js';
import { componentLabels, UnionFind } from './cluster.js';
import { prepareFields } from './fields.js';
import { candidateFrequencies, comparePairs, estimateU, expectationMaximisation, patternWeights, termFrequencyAdjustments } from './model.js';
import { mulberry32 } from './rng.js';
import type { DedupeInput, DedupeOptions, DedupeResult, FieldKind, FieldModel } from './types.js';

/** Kinds whose exact agreement is weighed by the value's rarity. */
const TF_KINDS: ReadonlySet<FieldKind> = new Set(['given_name', 'surname', 'full_name', 'city', 'company']);

/** Defaults of DedupeOptions. */
export const DEFAULTS = Object.freeze({
  matchThreshold: 0.9,
  reviewThreshold: 0.5,
  maxBlockSize: 300,
  pairBudgetPerRecord: 2,
  uSamplePairs: 30_000,
  seed: 1,
  maxEmIterations: 60,
  termFrequency: true,
  estimateUInCandidates: true,
});

/** The level-wise mean of two sets of probabilities. */
function blend(a: readonly Float64Array[], b: readonly Float64Array[]): Float64Array[] {
  return a.map((x, f) => x.map((v, l) => (v + b[f]![l]!) / 2));
}

/** Checks the input's shape; throws a plain Error naming the field at fault (callers wrap it). */
function recordCount(input: DedupeInput): number {
  if (input.fields.length === 0) throw new Error('dedupe needs at least one field');
  const n = input.fields[0]!.values.length;
  const names = new Set<string>();
  for (const f of input.fields) {
    if (f.values.length !== n) throw new Error(`field "${f.name}" has ${f.values.length} values, expected ${n}`);
    if (names.has(f.name)) throw new Error(`field "${f.name}" is given twice`);
    names.add(f.name);
  }
  return n;
}

/** Links the records of `input` that are the same entity; see DedupeResult. */
export function dedupe(input: DedupeInput, options: DedupeOptions = {}): DedupeResult {
  // Options left undefined take their default.
  const given = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as DedupeOptions;
  const o = { ...DEFAULTS, ...given };
  if (!(o.reviewThreshold <= o.matchThreshold)) throw new Error('reviewThreshold must not exceed matchThreshold');
  const t0 = performance.now();
  const n = recordCount(input);
  const fields = prepareFields(input.fields, n);
  const t1 = performance.now();

  const candidates = block(fields, n, { maxBlockSize: o.maxBlockSize, budget: o.pairBudgetPerRecord });
  const { left, right } = candidates;
  const t2 = performance.now();

  const patterns = comparePairs(fields, left, right);
  const t3 = performance.now();

  const levelCounts = fields.map((f) => f.levels.length);
  // u is first measured on random pairs (Splink). With estimateUInCandidates (the default),
  // EM starts u halfway between that and what the candidates show (see
  // candidateFrequencies) and re-estimates it. Measured: the random-pair u alone took
  // colleagues or neighbours for the same person on the French B2B set (F1 below 0.01);
  // the candidates alone cannot start EM when nearly every candidate is a match (small files).
  const samples = Math.min(o.uSamplePairs, Math.max(0, (n * (n - 1)) / 2));
  const uRandom = estimateU(fields, n, samples, mulberry32(o.seed));
  const u0 = o.estimateUInCandidates ? blend(uRandom, candidateFrequencies(patterns, levelCounts)) : uRandom;
  const em = expectationMaximisation(patterns, levelCounts, u0, { maxIterations: o.maxEmIterations, updateU: o.estimateUInCandidates });
  const t4 = performance.now();

  const byPattern = patternWeights(patterns, em);
  const tf = fields.map((f) => (o.termFrequency && TF_KINDS.has(f.kind) ? termFrequencyAdjustments(f) : null));
  const P = left.length;
  const weight = new Float64Array(P);
  for (let p = 0; p < P; p++) {
    let w = byPattern[patterns.ofPair[p]!]!;
    for (let f = 0; f < fields.length; f++) {
      const adj = tf[f];
      if (adj === null || adj === undefined) continue;
      const ids = fields[f]!.ids;
      const a = ids[left[p]!]!;
      if (a >= 0 && a === ids[right[p]!]!) w += adj[a]!;
    }
    weight[p] = w;
  }
  const t5 = performance.now();

  const matchWeight = Math.log2(o.matchThreshold / (1 - o.matchThreshold));
  const reviewWeight = Math.log2(o.reviewThreshold / (1 - o.reviewThreshold));
  const uf = new UnionFind(n);
  let kept = 0;
  for (let p = 0; p < P; p++) {
    const w = weight[p]!;
    if (w >= matchWeight) uf.union(left[p]!, right[p]!);
    if (w >= reviewWeight) kept++;
  }
  const { labels, count } = componentLabels(uf, n);
  const out = { left: new Int32Array(kept), right: new Int32Array(kept), probability: new Float64Array(kept), weight: new Float64Array(kept) };
  const review: number[] = [];
  let k = 0;
  for (let p = 0; p < P; p++) {
    const w = weight[p]!;
    if (w < reviewWeight) continue;
    const i = left[p]!;
    const j = right[p]!;
    out.left[k] = i;
    out.right[k] = j;
    out.weight[k] = w;
    out.probability[k] = 1 / (1 + 2 ** -w);
    if (w < matchWeight && labels[i] !== labels[j]) review.push(k);
    k++;
  }
  const t6 = performance.now();

  const modelFields: FieldModel[] = fields.map((f, i) => ({
    name: f.name,
    kind: f.kind,
    levels: f.levels,
    m: Array.from(em.m[i]!.subarray(1)),
    u: Array.from(em.u[i]!.subarray(1)),
  }));
  return {
    records: n,
    clusters: labels,
    clusterCount: count,
    pairs: out,
    review: Int32Array.from(review),
    matchThreshold: o.matchThreshold,
    reviewThreshold: o.reviewThreshold,
    model: { lambda: em.lambda, fields: modelFields, emIterations: em.iterations, converged: em.converged },
    rules: candidates.rules,
    pairsCompared: P,
    timings: {
      prepare: t1 - t0,
      blocking: t2 - t1,
      comparing: t3 - t2,
      estimating: t4 - t3,
      scoring: t5 - t4,
      clustering: t6 - t5,
      total: t6 - t0,
    },
  };
}
