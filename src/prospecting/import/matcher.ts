import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import type { ProspectCandidate } from './prospect-row.js';

/** What the matcher decided for one candidate row. */
export type MatchDecision =
  | { readonly kind: 'new' }
  /** The row is this existing person: merge into them. */
  | { readonly kind: 'merge'; readonly personId: string; readonly rule: string; readonly score?: number }
  /** Maybe this person: create the row as a new person and queue the pair for review (R-PROS-2). */
  | { readonly kind: 'review'; readonly personId: string; readonly score: number; readonly comparison?: Readonly<Record<string, string>> };

/**
 * The seam between the import and record linkage: given a batch of normalised rows,
 * say for each whether it is an existing prospect. The import runs it inside the
 * batch's transaction, so it sees earlier batches; duplicates within one batch are
 * merged by the import itself (by email and phone). `exactMatcher` is the default; the
 * fuzzy engine of src/prospecting/dedupe plugs in here.
 */
export interface Matcher {
  match(db: Kysely<Database>, candidates: readonly ProspectCandidate[]): Promise<readonly MatchDecision[]>;
}

/**
 * Exact matching on the normalised email (lower(btrim(email)), indexed) or an E.164
 * phone (GIN index on prospect_phone_numbers(phones), migration 20261126T1710), among
 * prospects only: a client contact is not turned into a prospect by a purchased file
 * (purposes stay apart, GDPR Art. 5(1)(b)). An email match wins over a phone match; among
 * several records with the same key, the oldest (smallest UUIDv7) wins.
 * Set-based: one query per key kind for the whole batch, the keys passed as one array
 * parameter, so the statement does not grow with the batch.
 */
export function exactMatcher(): Matcher {
  return {
    async match(db, candidates) {
      const emails = [...new Set(candidates.map((c) => c.email?.email).filter((e): e is string => e !== undefined))];
      const phones = [...new Set(candidates.flatMap((c) => c.phones.map((p) => p.e164)))];
      const byEmail = new Map<string, string>();
      const byPhone = new Map<string, string>();
      // Joined key by key: the planner then probes the index once per key. Given the whole
      // array at once (`&& $1`), it estimates that most rows match and scans them all,
      // computing the phone array of each (measured: 1.1 s instead of 7 ms for 1,000 numbers
      // at 20,000 people). The smallest id per key is kept in code, not by ORDER BY, which
      // would invite a scan in id order.
      const keep = (map: Map<string, string>, k: string, id: string) => {
        const had = map.get(k);
        if (had === undefined || id < had) map.set(k, id);
      };
      if (emails.length > 0) {
        const rows = await sql<{ k: string; id: string }>`
          select u.k, p.id from unnest(${emails}::text[]) as u(k)
          join people p on lower(btrim(p.email)) = u.k
          where p.relation = 'prospect'`.execute(db);
        for (const r of rows.rows) keep(byEmail, r.k, r.id);
      }
      if (phones.length > 0) {
        const rows = await sql<{ k: string; id: string }>`
          select u.k, p.id from unnest(${phones}::text[]) as u(k)
          join people p on prospect_phone_numbers(p.phones) @> array[u.k]
          where p.relation = 'prospect'`.execute(db);
        for (const r of rows.rows) keep(byPhone, r.k, r.id);
      }
      return candidates.map((c): MatchDecision => {
        const e = c.email ? byEmail.get(c.email.email) : undefined;
        if (e) return { kind: 'merge', personId: e, rule: 'email' };
        for (const p of c.phones) {
          const id = byPhone.get(p.e164);
          if (id) return { kind: 'merge', personId: id, rule: 'phone' };
        }
        return { kind: 'new' };
      });
    },
  };
}
