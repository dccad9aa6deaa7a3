import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { KeyFilter } from './key-filter.js';
import { namesAgree, SWITCHBOARD_HOLDERS } from './identity.js';
import type { ProspectCandidate } from './prospect-row.js';

/** What the matcher decided for one candidate row. */
export type MatchDecision =
  /** No one; `switchboards`: the row's numbers that are switchboards in the base (no key within the batch either). */
  | { readonly kind: 'new'; readonly switchboards?: readonly string[] }
  /** The row is this existing person: merge into them. */
  | { readonly kind: 'merge'; readonly personId: string; readonly rule: string; readonly score?: number }
  /** Maybe this person: create the row as a new person and queue the pair for review (R-PROS-2). */
  | { readonly kind: 'review'; readonly personId: string; readonly score: number; readonly comparison?: Readonly<Record<string, string>> };

/** The review score of a pair found by an exact phone alone, names disagreeing: the middle of the review band. */
const PHONE_ONLY_SCORE = 0.5;

/** Prospects read per query when the matcher reads the base's keys. */
const CATCH_UP_PAGE = 20_000;

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
 * several records with the same key, the oldest (smallest UUIDv7) wins. A phone match
 * merges only when the names agree (`namesAgree`), else the pair goes to review; a
 * number held by `switchboardHolders` records or more (default 3) is a switchboard and
 * matches nothing (identity.ts).
 * Set-based: one query per key kind for the whole batch, the keys passed as one array
 * parameter, so the statement does not grow with the batch.
 *
 * The database is asked only about keys that may be in the base (`KeyFilter`): the
 * matcher reads the keys of every prospect once, at its first batch, then at each batch
 * those of the prospects created since (by this import or by another writer: ids are
 * time-ordered UUIDv7), and adds each batch's own keys, which its rows bring to the
 * people they create or merge into. A key another writer adds meanwhile to an older
 * record is not seen; the record-linkage pass after the import still compares them.
 * One matcher serves one import.
 */
export function exactMatcher(options: { readonly switchboardHolders?: number } = {}): Matcher {
  const switchboardHolders = options.switchboardHolders ?? SWITCHBOARD_HOLDERS;
  const filter = new KeyFilter();
  let readThrough: string | null = null;
  const emailKey = (e: string) => `e:${e}`;
  const phoneKey = (p: string) => `p:${p}`;
  /** Adds the keys of the prospects created after the last read (all of them, the first time). */
  const catchUp = async (db: Kysely<Database>) => {
    for (;;) {
      const rows = await sql<{ id: string; email: string | null; phones: string[] | null }>`
        select id, lower(btrim(email)) as email, prospect_phone_numbers(phones) as phones from people
        where relation = 'prospect' ${readThrough === null ? sql`` : sql`and id > ${readThrough}::uuid`}
        order by id limit ${CATCH_UP_PAGE}`.execute(db);
      for (const r of rows.rows) {
        if (r.email) filter.add(emailKey(r.email));
        for (const p of r.phones ?? []) filter.add(phoneKey(p));
      }
      if (rows.rows.length > 0) readThrough = rows.rows[rows.rows.length - 1]!.id;
      if (rows.rows.length < CATCH_UP_PAGE) return;
    }
  };
  return {
    async match(db, candidates) {
      await catchUp(db);
      const emails = [...new Set(candidates.map((c) => c.email?.email).filter((e): e is string => e !== undefined))].filter((e) => filter.mightHave(emailKey(e)));
      const phones = [...new Set(candidates.flatMap((c) => c.phones.map((p) => p.e164)))].filter((p) => filter.mightHave(phoneKey(p)));
      for (const c of candidates) {
        if (c.email) filter.add(emailKey(c.email.email));
        for (const p of c.phones) filter.add(phoneKey(p.e164));
      }
      const byEmail = new Map<string, string>();
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
      // Phone holders, at most SWITCHBOARD_HOLDERS per number (a lateral LIMIT without ORDER
      // BY keeps the index probe): fewer than that is every holder, so the oldest is known;
      // that many is a switchboard, whose holders do not matter.
      const holders = new Map<string, { id: string; firstName: string | null; lastName: string | null }[]>();
      if (phones.length > 0) {
        const rows = await sql<{ k: string; id: string; firstName: string | null; lastName: string | null }>`
          select u.k, h.id, h.first_name as "firstName", h.last_name as "lastName" from unnest(${phones}::text[]) as u(k)
          cross join lateral (
            select p.id, p.first_name, p.last_name from people p
            where prospect_phone_numbers(p.phones) @> array[u.k] and p.relation = 'prospect'
            limit ${switchboardHolders}) h`.execute(db);
        for (const r of rows.rows) {
          const list = holders.get(r.k);
          if (list) list.push(r);
          else holders.set(r.k, [r]);
        }
        for (const list of holders.values()) list.sort((a, b) => (a.id < b.id ? -1 : 1));
      }
      return candidates.map((c): MatchDecision => {
        const e = c.email ? byEmail.get(c.email.email) : undefined;
        if (e) return { kind: 'merge', personId: e, rule: 'email' };
        // A phone is identity only with a name that agrees; a disagreeing name sends the
        // pair to review; a switchboard is no evidence at all (identity.ts).
        const names = { firstName: c.firstName?.display ?? null, lastName: c.lastName?.display ?? null };
        let review: MatchDecision | null = null;
        const switchboards: string[] = [];
        for (const p of c.phones) {
          const list = holders.get(p.e164) ?? [];
          if (list.length >= switchboardHolders) switchboards.push(p.e164);
          if (list.length === 0 || list.length >= switchboardHolders) continue;
          const agreeing = list.find((h) => namesAgree(h, names));
          if (agreeing) return { kind: 'merge', personId: agreeing.id, rule: 'phone' };
          review ??= { kind: 'review', personId: list[0]!.id, score: PHONE_ONLY_SCORE, comparison: { rule: 'phone', phone: 'exact', names: 'disagree' } };
        }
        return review ?? (switchboards.length > 0 ? { kind: 'new', switchboards } : { kind: 'new' });
      });
    },
  };
}
