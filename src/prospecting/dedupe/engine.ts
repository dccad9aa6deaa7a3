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
import { candidateFrequencies, comparePairs, dependentGroups, estimateU, expectationMaximisation, patternWeights, termFrequencyAdjustments, trainBySessions, type EmResult, type TrainingSession } from './model.js';
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

/**
 * The most the prior can be, as a share of the candidate pairs: true matches among them
 * number at most `MATCH_PAIRS_PER_RECORD` per record (a record written k times makes
 * k(k−1)/2 pairs, (k−1)/2 per record: 2 allows clusters of 5 on average; FEBRL dataset3, whose
 * clusters go up to 10, has 1.3). Without it, EM with u held can let the prior run to 1
 * when the candidates are mostly non-matches that agree on what blocking chose them by.
 */
const MATCH_PAIRS_PER_RECORD = 2;
function priorCap(n: number, pairs: number): number {
  return pairs === 0 ? 1 : Math.min(1, (MATCH_PAIRS_PER_RECORD * n) / pairs);
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
  const samples = Math.min(o.uSamplePairs, Math.max(0, (n * (n - 1)) / 2));
  const uRandom = estimateU(fields, n, samples, mulberry32(o.seed));
  let em: EmResult;
  let groups: Int32Array | undefined;
  if (o.estimateUInCandidates) {
    // The default: EM starts u halfway between the random-pair u and what the candidates show
    // (see candidateFrequencies) and re-estimates it. Measured (BENCHMARKS.md): best on files
    // with many duplicates (FEBRL, French B2B 100k), but on a base with ~1 % duplicates its
    // "match" class becomes "same town, same company" (engine.test.ts).
    const u0 = blend(uRandom, candidateFrequencies(patterns, levelCounts));
    em = expectationMaximisation(patterns, levelCounts, u0, { maxIterations: o.maxEmIterations, updateU: true });
  } else {
    // Splink: u measured on random pairs and held; m by EM, one session per blocking rule on
    // the candidates that agree on the rule's keys (whichever rule emitted them), without the
    // rule's fields; m ≥ u at agreement levels; the prior capped (see priorCap). Fields whose agreements go together among non-matches (postcode and city, company and
    // SIRET) count as one piece of evidence; a session leaves out its rule's fields and
    // whatever they imply (blocked on SIRET, every pair has the same company too).
    const dependent = dependentGroups(fields, n, samples, mulberry32(o.seed + 1));
    groups = dependent;
    const sessions = candidates.rules.map((rule): TrainingSession => {
      const blockedGroups = new Set(fields.flatMap((f, x) => (rule.fields.includes(f.name) ? [dependent[x]!] : [])));
      const on = fields.filter((f) => rule.fields.includes(f.name));
      const counts = new Float64Array(patterns.counts.length);
      let pairs = 0;
      for (let p = 0; p < left.length; p++) {
        const i = left[p]!;
        const j = right[p]!;
        let same = true;
        for (const f of on) {
          const a = f.ids[i]!;
          const b = f.ids[j]!;
          if (a < 0 || b < 0 || f.blockKeys[a] !== f.blockKeys[b]) {
            same = false;
            break;
          }
        }
        if (same) {
          counts[patterns.ofPair[p]!]!++;
          pairs++;
        }
      }
      return { counts, pairs, ignore: fields.map((_, x) => blockedGroups.has(dependent[x]!)) };
    });
    em = trainBySessions(patterns, levelCounts, uRandom, sessions, { maxIterations: o.maxEmIterations, minPairs: 20, maxLambda: priorCap(n, left.length), groups });
  }
  const t4 = performance.now();

  const byPattern = patternWeights(patterns, em, groups);
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
