/** Pairwise precision, recall and F1 of a clustering against the true entities. */
export interface PairwiseQuality {
  readonly truePairs: number;
  readonly predictedPairs: number;
  readonly truePositives: number;
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
}

function pairsIn(size: number): number {
  return (size * (size - 1)) / 2;
}

/**
 * Compares `predicted` cluster labels with `truth` entity labels (one each per record):
 * a pair of records is predicted linked when it shares a cluster, truly linked when it
 * shares an entity. Counted from cluster sizes, without listing pairs.
 */
export function pairwiseQuality(predicted: ArrayLike<number | string>, truth: ArrayLike<number | string>): PairwiseQuality {
  if (predicted.length !== truth.length) throw new Error('predicted and truth differ in length');
  const bySet = new Map<number | string, number>();
  const byTruth = new Map<number | string, number>();
  const byBoth = new Map<string, number>();
  for (let i = 0; i < predicted.length; i++) {
    const p = predicted[i]!;
    const t = truth[i]!;
    bySet.set(p, (bySet.get(p) ?? 0) + 1);
    byTruth.set(t, (byTruth.get(t) ?? 0) + 1);
    const both = `${p}\u0000${t}`;
    byBoth.set(both, (byBoth.get(both) ?? 0) + 1);
  }
  let predictedPairs = 0;
  for (const s of bySet.values()) predictedPairs += pairsIn(s);
  let truePairs = 0;
  for (const s of byTruth.values()) truePairs += pairsIn(s);
  let truePositives = 0;
  for (const s of byBoth.values()) truePositives += pairsIn(s);
  const precision = predictedPairs === 0 ? 1 : truePositives / predictedPairs;
  const recall = truePairs === 0 ? 1 : truePositives / truePairs;
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { truePairs, predictedPairs, truePositives, precision, recall, f1 };
}
