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

const CHUNK = 500;

function chunks<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += CHUNK) out.push(items.slice(i, i + CHUNK));
  return out;
}

/**
 * Exact matching on the normalised email (lower(btrim(email)), indexed) or an E.164
 * phone (GIN index on people.phones), among prospects only: a client contact is not
 * turned into a prospect by a purchased file (purposes stay apart, GDPR Art. 5(1)(b)).
 * An email match wins over a phone match.
 */
export function exactMatcher(): Matcher {
  return {
    async match(db, candidates) {
      const emails = [...new Set(candidates.map((c) => c.email?.email).filter((e): e is string => e !== undefined))];
      const phones = [...new Set(candidates.flatMap((c) => c.phones.map((p) => p.e164)))];
      const byEmail = new Map<string, string>();
      const byPhone = new Map<string, string>();
      for (const part of chunks(emails)) {
        const rows = await db
          .selectFrom('people')
          .select(['id', sql<string>`lower(btrim(email))`.as('e')])
          .where('relation', '=', 'prospect')
          .where(sql<string>`lower(btrim(email))`, 'in', part)
          .orderBy('id')
          .execute();
        for (const r of rows) if (!byEmail.has(r.e)) byEmail.set(r.e, r.id);
      }
      for (const part of chunks(phones)) {
        const rows = await db
          .selectFrom('people')
          .select(['id', 'phones'])
          .where('relation', '=', 'prospect')
          .where((eb) => eb.or(part.map((p) => sql<boolean>`phones @> ${JSON.stringify([{ number: p }])}::jsonb`).map((s) => eb(s, '=', true))))
          .orderBy('id')
          .execute();
        for (const r of rows) for (const p of Array.isArray(r.phones) ? r.phones : []) if (part.includes(p.number) && !byPhone.has(p.number)) byPhone.set(p.number, r.id);
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
