/** Record linkage (R-PROS-2): the public face of the deduplication engine. */
export { dedupe, DEFAULTS } from './engine.js';
export { pairwiseQuality, type PairwiseQuality } from './metrics.js';
export { frenchPhonetic } from './phonetic.js';
export { jaro, jaroWinkler, levenshtein } from './similarity.js';
export { readDedupeCsv, type CsvColumns } from './read-csv.js';
export {
  FIELD_KINDS,
  isFieldKind,
  type BlockingRuleReport,
  type DedupeField,
  type DedupeInput,
  type DedupeOptions,
  type DedupeResult,
  type FieldKind,
  type FieldModel,
  type LinkageModel,
  type PhaseTimings,
  type ScoredPairs,
} from './types.js';
