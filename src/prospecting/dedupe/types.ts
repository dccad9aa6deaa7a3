/** The kinds of field the engine knows how to compare (the `--field COLUMN:KIND` of the CLI). */
export const FIELD_KINDS = [
  'given_name',
  'surname',
  'full_name',
  'email',
  'phone',
  'address',
  'postcode',
  'city',
  'date',
  'company',
  'id_number',
  'text',
] as const;

/** One of FIELD_KINDS. */
export type FieldKind = (typeof FIELD_KINDS)[number];

/** True when `k` is a known field kind. */
export function isFieldKind(k: string): k is FieldKind {
  return (FIELD_KINDS as readonly string[]).includes(k);
}

/** One column of the records to deduplicate: `values[i]` belongs to record i; null, undefined or blank means missing. */
export interface DedupeField {
  readonly name: string;
  readonly kind: FieldKind;
  readonly values: readonly (string | null | undefined)[];
}

/** N records, column by column (every `values` array has the same length N). */
export interface DedupeInput {
  readonly fields: readonly DedupeField[];
}

/** Tuning knobs; every one has a default chosen for the general problem, none per data set. */
export interface DedupeOptions {
  /** Pairs whose match probability is at least this are merged (default 0.9). */
  readonly matchThreshold?: number;
  /** Pairs at or above this and below `matchThreshold` go to review unless already linked (default 0.5). */
  readonly reviewThreshold?: number;
  /** Blocks larger than this are skipped by their rule (other rules still pair their records; default 300). */
  readonly maxBlockSize?: number;
  /** A blocking rule is kept when it would emit at most this many pairs per record (default 2). */
  readonly pairBudgetPerRecord?: number;
  /** Random record pairs drawn to estimate u (default 200,000, fewer for small inputs). */
  readonly uSamplePairs?: number;
  /** Seed of the random draws (default 1): the same input gives the same result. */
  readonly seed?: number;
  /** EM iterations at most (default 60). */
  readonly maxEmIterations?: number;
  /**
   * Let EM re-estimate u on the candidate pairs, starting from the u measured on random pairs
   * (default true). Blocking makes the non-matches among candidates agree far more often than
   * random pairs (colleagues share company, address and SIRET): with u held at its random-pair
   * value, EM takes "same company" for "same person". False gives Splink's fixed-u training.
   */
  readonly estimateUInCandidates?: boolean;
  /** Adjust exact-match weights of names, cities and companies by how common the value is (default true). */
  readonly termFrequency?: boolean;
}

/** The probability that a pair is a match, the level of each field, per level labels: the estimated model. */
export interface FieldModel {
  readonly name: string;
  readonly kind: FieldKind;
  /** Level labels, strongest agreement first; "else" last. */
  readonly levels: readonly string[];
  /** P(level | match), per level. */
  readonly m: readonly number[];
  /** P(level | non-match), per level. */
  readonly u: readonly number[];
}

/** The Fellegi-Sunter model estimated from the data. */
export interface LinkageModel {
  /** Prior probability that a candidate pair is a match. */
  readonly lambda: number;
  readonly fields: readonly FieldModel[];
  readonly emIterations: number;
  readonly converged: boolean;
}

/** A blocking rule the engine used and what it produced. */
export interface BlockingRuleReport {
  /** Field names whose keys must all be equal. */
  readonly fields: readonly string[];
  /** Pairs this rule added that no earlier rule had. */
  readonly newPairs: number;
  /** Blocks skipped for exceeding maxBlockSize, and the records in them. */
  readonly oversizedBlocks: number;
  readonly oversizedRecords: number;
}

/** Wall times of the phases, in milliseconds. */
export interface PhaseTimings {
  readonly prepare: number;
  readonly blocking: number;
  readonly comparing: number;
  readonly estimating: number;
  readonly scoring: number;
  readonly clustering: number;
  readonly total: number;
}

/** Scored pairs (record indices, left < right), struct-of-arrays. */
export interface ScoredPairs {
  readonly left: Int32Array;
  readonly right: Int32Array;
  /** Match probability in [0, 1]. */
  readonly probability: Float64Array;
  /** log2 Bayes factor plus prior, the match weight. */
  readonly weight: Float64Array;
}

/** What `dedupe` returns. */
export interface DedupeResult {
  readonly records: number;
  /** Per record, its cluster: the index of the cluster's first record (so a singleton is its own index). */
  readonly clusters: Int32Array;
  readonly clusterCount: number;
  /** Every candidate pair scored at or above `reviewThreshold`, ordered by left then right. */
  readonly pairs: ScoredPairs;
  /** Indices into `pairs` of the uncertain pairs (review band) whose records did not end in one cluster. */
  readonly review: Int32Array;
  readonly matchThreshold: number;
  readonly reviewThreshold: number;
  readonly model: LinkageModel;
  readonly rules: readonly BlockingRuleReport[];
  /** Candidate pairs compared. */
  readonly pairsCompared: number;
  readonly timings: PhaseTimings;
}
