import { describe, expect, it } from 'vitest';
import { UnionFind, componentLabels } from './cluster.js';
import { expectationMaximisation, mAtLeastU, trainBySessions, type Patterns } from './model.js';
import { mulberry32 } from './rng.js';

/** Draws `pairs` pairs from a known model and groups them by pattern, as comparePairs does. */
function synthetic(lambda: number, m: number[][], u: number[][], pairs: number, seed: number): Patterns {
  const random = mulberry32(seed);
  const draw = (dist: number[]): number => {
    let r = random();
    for (let l = 0; l < dist.length; l++) {
      r -= dist[l]!;
      if (r < 0) return l + 1;
    }
    return dist.length;
  };
  const F = m.length;
  const byKey = new Map<string, number>();
  const levels: number[] = [];
  const counts: number[] = [];
  const ofPair = new Int32Array(pairs);
  for (let p = 0; p < pairs; p++) {
    const match = random() < lambda;
    const row = (match ? m : u).map(draw);
    const key = row.join(',');
    let idx = byKey.get(key);
    if (idx === undefined) {
      idx = counts.length;
      byKey.set(key, idx);
      levels.push(...row);
      counts.push(0);
    }
    counts[idx]!++;
    ofPair[p] = idx;
  }
  return { ofPair, levels: Uint8Array.from(levels), counts: Float64Array.from(counts), fieldCount: F };
}

describe('Fellegi-Sunter estimation (R-PROS-2)', () => {
  const m = [
    [0.85, 0.1, 0.05],
    [0.7, 0.2, 0.1],
    [0.9, 0.05, 0.05],
    [0.6, 0.3, 0.1],
  ];
  const u = [
    [0.02, 0.08, 0.9],
    [0.05, 0.15, 0.8],
    [0.01, 0.04, 0.95],
    [0.1, 0.2, 0.7],
  ];
  const asLevels = (x: number[][]): Float64Array[] => x.map((row) => Float64Array.from([0, ...row]));

  it('R-PROS-2 EM recovers m and the prior with u measured beforehand (Splink)', () => {
    const patterns = synthetic(0.2, m, u, 200_000, 3);
    const em = expectationMaximisation(patterns, [3, 3, 3, 3], asLevels(u), { maxIterations: 200, updateU: false });
    expect(em.converged).toBe(true);
    expect(em.lambda).toBeCloseTo(0.2, 2);
    for (let f = 0; f < m.length; f++) for (let l = 0; l < 3; l++) expect(Math.abs(em.m[f]![l + 1]! - m[f]![l]!)).toBeLessThan(0.02);
  });

  it('R-PROS-2 EM recovers both m and u from a poor start on u', () => {
    const patterns = synthetic(0.3, m, u, 200_000, 5);
    const flat = u.map(() => Float64Array.from([0, 0.1, 0.2, 0.7]));
    const em = expectationMaximisation(patterns, [3, 3, 3, 3], flat, { maxIterations: 500, updateU: true, tolerance: 1e-8 });
    expect(em.lambda).toBeCloseTo(0.3, 1);
    for (let f = 0; f < m.length; f++) {
      for (let l = 0; l < 3; l++) {
        expect(Math.abs(em.m[f]![l + 1]! - m[f]![l]!)).toBeLessThan(0.03);
        expect(Math.abs(em.u[f]![l + 1]! - u[f]![l]!)).toBeLessThan(0.03);
      }
    }
  });

  it('R-PROS-2 m is never below u at an agreement level, the mass coming from "else"', () => {
    const out = mAtLeastU(Float64Array.from([0, 0.01, 0.3, 0.69]), Float64Array.from([0, 0.2, 0.1, 0.7]));
    expect(Array.from(out).map((x) => Number(x.toFixed(6)))).toEqual([0, 0.2, 0.3, 0.5]);
  });

  it('R-PROS-2 training sessions leave out the blocked field: agreeing on it by construction is no evidence, and the prior is capped', () => {
    // Field 0 is what blocking chose the pairs by: every pair agrees on it. Field 1 tells matches (20 %) apart.
    const mTrue = [[0.9, 0.1], [0.95, 0.05]];
    const uBlocked = [[1, 0], [0.02, 0.98]];
    const patterns = synthetic(0.2, mTrue, uBlocked, 50_000, 9);
    // u as random pairs measure it: agreeing on field 0 is rare among strangers.
    const uRandom = [Float64Array.from([0, 0.01, 0.99]), Float64Array.from([0, 0.02, 0.98])];
    const plain = expectationMaximisation(patterns, [2, 2], uRandom, { maxIterations: 200, updateU: false });
    // Without sessions EM takes the blocked field's agreement for matching: nearly every pair is a "match".
    expect(plain.lambda).toBeGreaterThan(0.9);
    const counts = Float64Array.from(patterns.counts);
    const trained = trainBySessions(patterns, [2, 2], uRandom, [{ counts, pairs: 50_000, ignore: [true, false] }], { maxIterations: 200, minPairs: 10, maxLambda: 0.5 });
    expect(trained.lambda).toBeGreaterThan(0.15);
    expect(trained.lambda).toBeLessThan(0.25);
    expect(trained.m[1]![1]!).toBeGreaterThan(0.9);
    const capped = trainBySessions(patterns, [2, 2], uRandom, [{ counts, pairs: 50_000, ignore: [true, false] }], { maxIterations: 200, minPairs: 10, maxLambda: 0.1 });
    expect(capped.lambda).toBeLessThanOrEqual(0.1);
  });
});

describe('clustering (R-PROS-2)', () => {
  it('R-PROS-2 connected components are labelled by their first record', () => {
    const uf = new UnionFind(6);
    uf.union(4, 1);
    uf.union(1, 3);
    uf.union(5, 2);
    expect(uf.union(3, 4)).toBe(false);
    const { labels, count } = componentLabels(uf, 6);
    expect(Array.from(labels)).toEqual([0, 1, 2, 1, 1, 2]);
    expect(count).toBe(3);
  });
});
