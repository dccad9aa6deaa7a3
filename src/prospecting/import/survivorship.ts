import { fold } from '../dedupe/fold.js';
import { levenshtein } from '../dedupe/similarity.js';

/**
 * Survivorship (R-PROS-2): when a row or a record is merged into an existing person, which
 * value each field keeps. Every rule is here, pure, so the import's exact merges
 * (engine.ts), the record-linkage merges and the reviewer's merges (merge.ts) decide the
 * same way. Why these rules: a merge that destroys a correct value is worse than a missed
 * duplicate (the person is then wrong in every export and in their own access request,
 * GDPR Art. 5(1)(d) accuracy), so a value is replaced only on positive grounds, and a
 * value not kept is never dropped: it goes to the person's history with its source
 * (`person_field_history`), where a reviewer can restore it and the person sees it in
 * their access export (Art. 15).
 *
 * The rules, in order, for one field:
 *   1. nothing offered → keep;
 *   2. nothing held → take the offered value;
 *   3. the same value once folded (case, accents, spaces) → nothing to record; the newer
 *      source's spelling when it is not less trusted;
 *   4. the policy's source ranking (`sources.ranking`, most trusted first) says the offered
 *      source is more trusted → replace, the old value to history (`outranked`); less
 *      trusted → keep, the offered value to history (`lower_rank`);
 *   5. equally ranked, the offered value a near-variant of the held one (a typo: an edit
 *      distance of at most 2, or 1 for short values) → keep, offered to history
 *      (`near_variant`): a file's typo never overwrites a correct value;
 *   6. an e-mail that differs → keep the held one as primary, the offered one recorded as
 *      a secondary address (`secondary`); phones and postal addresses are unions
 *      elsewhere, so a second number is never a replacement;
 *   7. a fuzzy match (record linkage, not an equal e-mail or phone) → keep, offered to
 *      history (`fuzzy_match`): a probabilistic match never rewrites a field by itself;
 *   8. otherwise the more recent value wins when `sources.newerReplaces` (default true),
 *      the other to history (`older`).
 * A pair in the review band is not merged at all before a reviewer accepts it (the import
 * and the pass queue it instead), so none of this runs for it.
 */

/** The source ranking of the policy (`sources`), with its default. */
export interface SourceRanking {
  /** Source names, most trusted first; a source not listed ranks after every listed one. */
  readonly ranking: readonly string[];
  /** Among equally ranked sources, whether a more recent value replaces an older one. */
  readonly newerReplaces: boolean;
}

/** No ranking: every source equal, the more recent value wins (what the import did before). */
export const DEFAULT_SOURCE_RANKING: SourceRanking = Object.freeze({ ranking: Object.freeze([]) as readonly string[], newerReplaces: true });

/** The policy's ranking (`sources`), or the default when the policy has none or none is given. */
export function sourceRankingOf(policy: { readonly sources?: Partial<SourceRanking> } | undefined): SourceRanking {
  const s = policy?.sources;
  return s ? { ranking: s.ranking ?? [], newerReplaces: s.newerReplaces ?? true } : DEFAULT_SOURCE_RANKING;
}

/** How the two records were found to be one person. */
export type MatchKind = 'exact' | 'fuzzy' | 'reviewed';

/** One side's value of a field, with where it came from. */
export interface SourcedValue {
  readonly value: string | null;
  readonly source: string;
  readonly collectedAt: Date;
}

/** Why a value went to history. */
/** `reviewer_choice`: a reviewer merging a pair chose the other record's value (dedupe review). */
export const HISTORY_REASONS = ['outranked', 'lower_rank', 'near_variant', 'secondary', 'fuzzy_match', 'older', 'reviewer_choice'] as const;
export type HistoryReason = (typeof HISTORY_REASONS)[number];

/** What survivorship decided for one field. */
export interface FieldDecision {
  /** Which value the field holds afterwards. */
  readonly keep: 'held' | 'offered';
  /** The value not kept, for the person's history; null when nothing is lost. */
  readonly history: (SourcedValue & { readonly value: string; readonly reason: HistoryReason }) | null;
}

const empty = (v: string | null): v is null => v === null || v.trim() === '';

/** Rank of a source: its place in the ranking, or after every listed one. */
export function sourceRank(ranking: SourceRanking, source: string): number {
  const i = ranking.ranking.indexOf(source);
  return i < 0 ? ranking.ranking.length : i;
}

/** Two values a typo apart (folded): edit distance ≤ 2, ≤ 1 when the shorter is under 6 characters. */
export function isNearVariant(a: string, b: string): boolean {
  const [x, y] = [fold(a), fold(b)];
  if (x === y) return true;
  const limit = Math.min(x.length, y.length) < 6 ? 1 : 2;
  return levenshtein(x, y, limit + 1) <= limit;
}

/** The decision for one field (pure); `field` is the people property name. */
export function decideField(field: string, held: SourcedValue, offered: SourcedValue, match: MatchKind, ranking: SourceRanking = DEFAULT_SOURCE_RANKING): FieldDecision {
  if (empty(offered.value)) return { keep: 'held', history: null };
  if (empty(held.value)) return { keep: 'offered', history: null };
  // Organisation ids are compared as they are; text values once folded.
  const toHistory = (v: SourcedValue, reason: HistoryReason) => ({ value: v.value ?? '', source: v.source, collectedAt: v.collectedAt, reason });
  const [rh, ro] = [sourceRank(ranking, held.source), sourceRank(ranking, offered.source)];
  if (field === 'organisationId' ? held.value === offered.value : fold(held.value) === fold(offered.value)) {
    // The same value: the newer source (not less trusted) is the one it is known from, as written there.
    const newer = ro <= rh && offered.collectedAt.getTime() > held.collectedAt.getTime();
    return { keep: newer ? 'offered' : 'held', history: null };
  }
  if (ro < rh) return { keep: 'offered', history: toHistory(held, 'outranked') };
  if (ro > rh) return { keep: 'held', history: toHistory(offered, 'lower_rank') };
  // Rows of one source at one date carry no order of their own: the smaller value is the
  // one held, whichever row came first (so another row order leaves the same base).
  const tie = held.source === offered.source && held.collectedAt.getTime() === offered.collectedAt.getTime() && offered.value < held.value;
  const keepHeld = (reason: HistoryReason): FieldDecision => (tie ? { keep: 'offered', history: toHistory(held, reason) } : { keep: 'held', history: toHistory(offered, reason) });
  if (field !== 'organisationId' && isNearVariant(held.value, offered.value)) return keepHeld('near_variant');
  if (field === 'email') return keepHeld('secondary');
  if (match === 'fuzzy') return { keep: 'held', history: toHistory(offered, 'fuzzy_match') };
  const [th, to] = [held.collectedAt.getTime(), offered.collectedAt.getTime()];
  // Same date (rows of one file): the order of the rows must not decide, so the smaller
  // value wins; importing the same rows in another order leaves the same base.
  const offeredWins = ranking.newerReplaces && (to > th || (to === th && offered.value < held.value));
  return offeredWins ? { keep: 'offered', history: toHistory(held, 'older') } : { keep: 'held', history: toHistory(offered, 'older') };
}
