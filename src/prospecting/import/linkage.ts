import { sql, type Kysely } from 'kysely';
import type { Actor } from '../../access/actor.js';
import { appendInTransaction } from '../../access/audit/index.js';
import { newId } from '../../db/ids.js';
import type { Database } from '../../db/schema.js';
import { oppositionHash } from '../../rights/opposition/index.js';
import { dedupe, type DedupeField, type DedupeOptions } from '../dedupe/index.js';
import { foldAddress, foldCompany, foldEmail, foldName } from '../dedupe/fold.js';
import { jaroWinkler } from '../dedupe/similarity.js';
import { close, givenAgree, SWITCHBOARD_HOLDERS } from './identity.js';
import { mergeClusters, type MergeCluster } from './merge.js';
import { DEFAULT_SOURCE_RANKING, type SourceRanking } from './survivorship.js';

/** How to run the whole-base pass. */
export interface BaseDedupeOptions {
  readonly actor: Actor;
  /** The server key: the survivors of merges are checked against the opposition list (R-PROS-3). */
  readonly key: Buffer;
  readonly now: Date;
  /**
   * Act only on pairs involving one of these people (the ids an import just created); the
   * model is still fitted on the whole base, since its weights come from the data.
   */
  readonly onlyTouching?: readonly string[];
  /** Engine thresholds (defaults: the engine's, 0.9 and 0.5). */
  readonly matchThreshold?: number;
  readonly reviewThreshold?: number;
  /** The policy's source ranking for the merges' survivorship (survivorship.ts); default: all equal. */
  readonly ranking?: SourceRanking;
  /** The import job these review pairs come from, if any. */
  readonly importJobId?: string;
  /** Records merged per transaction (a chunk of whole clusters); default 1000. */
  readonly mergeChunkSize?: number;
  /** Rows per read of the keyset scan; default 5000. */
  readonly pageSize?: number;
  /** Where the time goes (ms, accumulated): reading the base, the model, the merges and queueing. */
  readonly timings?: { fuzzyRead: number; fuzzyModel: number; fuzzyMerge: number };
}

/** What a pass did. */
export interface BaseDedupeReport {
  /** Prospects read and fed to the model. */
  readonly prospects: number;
  /** Candidate pairs the engine compared. */
  readonly pairsCompared: number;
  /** Scored pairs dropped because the names disagree (see `evidence`). */
  readonly vetoed: number;
  /** Records merged away (each into its cluster's oldest record). */
  readonly merged: number;
  /** The ids merged away, and where each went. */
  readonly mergedInto: ReadonlyMap<string, string>;
  /** Pairs newly put in the review queue. */
  readonly queuedForReview: number;
  /** Records a match did not merge because one side is restricted (GDPR Art. 18). */
  readonly skippedRestricted: number;
  /** Records a match did not merge, or pairs not queued, because a reviewer rejected the pair. */
  readonly skippedRejected: number;
  /** Survivors newly flagged because a merged-in email or phone is on the opposition list. */
  readonly flaggedOpposed: number;
}

/** A prospect as the pass compares it. */
export interface ProspectRow {
  readonly id: string;
  readonly firstName: string | null;
  readonly lastName: string | null;
  readonly email: string | null;
  readonly phone: string | null;
  readonly postcode: string | null;
  readonly city: string | null;
  /** The first line of the first postal address (the street). */
  readonly street?: string | null;
  readonly organisation: string | null;
  readonly jobTitle: string | null;
}

const pairKey = (a: string, b: string) => (a < b ? `${a}|${b}` : `${b}|${a}`);

/** Every prospect, by keyset pages on the primary key (memory holds the columns the model needs). */
async function readProspects(db: Kysely<Database>, pageSize: number): Promise<ProspectRow[]> {
  const out: ProspectRow[] = [];
  let after: string | null = null;
  for (;;) {
    let q = db
      .selectFrom('people')
      .leftJoin('organisations', 'organisations.id', 'people.organisationId')
      .select(['people.id', 'people.firstName', 'people.lastName', 'people.email', 'people.phones', 'people.postalAddresses', 'people.jobTitle', 'organisations.name as organisation'])
      .where('people.relation', '=', 'prospect')
      .orderBy('people.id')
      .limit(pageSize);
    if (after !== null) q = q.where('people.id', '>', after);
    const rows = await q.execute();
    for (const r of rows) {
      const address = (r.postalAddresses ?? [])[0];
      out.push({
        id: r.id,
        firstName: r.firstName,
        lastName: r.lastName,
        email: r.email,
        phone: (r.phones ?? [])[0]?.number ?? null,
        postcode: address?.postcode ?? null,
        city: address?.city ?? null,
        street: address?.line1 ?? null,
        organisation: r.organisation,
        jobTitle: r.jobTitle,
      });
    }
    if (rows.length < pageSize) return out;
    after = rows[rows.length - 1]!.id;
  }
}

/**
 * The whole-base deduplication pass (R-PROS-2): reads every prospect, fits the
 * record-linkage model on them (`dedupe`: blocking, Fellegi-Sunter weights by EM,
 * clustering), then
 *   - merges each cluster of records at or above the match threshold into its oldest
 *     record (UUIDv7 ids are time-ordered, as the review queue decides), set-based: about
 *     1,000 merged records per transaction, audit entries per cluster (`mergeClusters`);
 *   - queues the review-band pairs in `dedupe_review_queue`, unless the pair is queued
 *     or was decided already.
 * A pair a reviewer rejected is never merged nor queued again; a restricted person
 * (GDPR Art. 18) is never merged, on either side; an objection on either record stays
 * on the survivor (the merge keeps every state set on either, GDPR Art. 21(3)).
 * With `onlyTouching`, only pairs involving one of those ids are acted on.
 */
export async function dedupeProspectBase(db: Kysely<Database>, options: BaseDedupeOptions): Promise<BaseDedupeReport> {
  const { actor, now, timings } = options;
  let t = performance.now();
  const rows = await readProspects(db, options.pageSize ?? 5000);
  if (timings) timings.fuzzyRead += performance.now() - t;
  t = performance.now();
  const empty: BaseDedupeReport = { prospects: rows.length, pairsCompared: 0, vetoed: 0, merged: 0, mergedInto: new Map(), queuedForReview: 0, skippedRestricted: 0, skippedRejected: 0, flaggedOpposed: 0 };
  const touching = options.onlyTouching ? new Set(options.onlyTouching) : null;
  if (rows.length < 2 || (touching !== null && touching.size === 0)) return empty;

  const column = (name: string, kind: DedupeField['kind'], get: (r: ProspectRow) => string | null): DedupeField => ({ name, kind, values: rows.map(get) });
  // A switchboard (a number SWITCHBOARD_HOLDERS records or more hold) says nothing of who
  // someone is: left out of the comparison and of the evidence (identity.ts).
  const holders = new Map<string, number>();
  for (const r of rows) if (r.phone !== null) holders.set(r.phone, (holders.get(r.phone) ?? 0) + 1);
  const ownPhone = (r: ProspectRow) => (r.phone !== null && (holders.get(r.phone) ?? 0) < SWITCHBOARD_HOLDERS ? r.phone : null);
  const fields: DedupeField[] = [
    column('first_name', 'given_name', (r) => r.firstName),
    column('last_name', 'surname', (r) => r.lastName),
    column('email', 'email', (r) => r.email),
    column('phone', 'phone', ownPhone),
    column('postcode', 'postcode', (r) => r.postcode),
    column('city', 'city', (r) => r.city),
    // The street line is not a field of the model yet: measured at 10,000 rows it raises F1
    // from 0.964 to 0.987, but on a small base without duplicates it changes EM's fit so
    // that a stranger with the same name falls below the review band (linkage.test.ts);
    // until that is understood, it corroborates names in `evidence` only.
    column('organisation', 'company', (r) => r.organisation),
    column('job_title', 'text', (r) => r.jobTitle),
  ];
  const engineOptions: DedupeOptions = {
    ...(options.matchThreshold !== undefined ? { matchThreshold: options.matchThreshold } : {}),
    ...(options.reviewThreshold !== undefined ? { reviewThreshold: options.reviewThreshold } : {}),
  };
  const result = dedupe({ fields }, engineOptions);
  if (timings) timings.fuzzyModel += performance.now() - t;
  t = performance.now();

  // What reviewers decided and what is queued already, both ways round.
  const queued = await db.selectFrom('dedupeReviewQueue').select(['leftPersonId', 'rightPersonId', 'status']).execute();
  // A rejection ("these two are not one") follows a record into its survivor: the survivor is
  // not the other one either.
  const rejectedWith = new Map<string, Set<string>>();
  const reject = (a: string, b: string) => {
    for (const [x, y] of [[a, b], [b, a]] as const) {
      const set = rejectedWith.get(x);
      if (set) set.add(y);
      else rejectedWith.set(x, new Set([y]));
    }
  };
  for (const q of queued) if (q.status === 'rejected') reject(q.leftPersonId, q.rightPersonId);
  const isRejected = (a: string, b: string) => rejectedWith.get(a)?.has(b) === true;
  const known = new Set(queued.map((q) => pairKey(q.leftPersonId, q.rightPersonId)));
  const restricted = new Set((await db.selectFrom('personStates').select('personId').where('restrictedAt', 'is not', null).execute()).map((r) => r.personId));

  // The model's probability decides, under two vetoes of identity evidence (see `evidence`): a
  // pair at or above the match threshold merges only when the names agree and an identifier
  // corroborates them, else it goes to review; a review-band pair goes only when the names are
  // close. The model is fitted on the base itself: on a base with few duplicates EM can take
  // "same town, same company" for "same person" (measured: colleagues scored 0.99), and a
  // wrong merge destroys a record while a wrong review costs a click.
  const parent = Int32Array.from({ length: rows.length }, (_, i) => i);
  const root = (i: number): number => {
    while (parent[i] !== i) {
      parent[i] = parent[parent[i]!]!;
      i = parent[i]!;
    }
    return i;
  };
  const band: number[] = [];
  let vetoed = 0;
  const compared = rows.map((r) => ({ ...r, phone: ownPhone(r) }));
  for (let p = 0; p < result.pairs.left.length; p++) {
    const l = result.pairs.left[p]!;
    const r = result.pairs.right[p]!;
    const level = evidence(compared[l]!, compared[r]!);
    if (result.pairs.probability[p]! >= result.matchThreshold && level === 'merge') {
      const [a, b] = [root(l), root(r)];
      if (a !== b) parent[Math.max(a, b)] = Math.min(a, b);
    } else if (level !== 'none') band.push(p);
    else vetoed++;
  }
  const members = new Map<number, number[]>();
  for (let i = 0; i < rows.length; i++) {
    const c = root(i);
    const list = members.get(c);
    if (list) list.push(i);
    else members.set(c, [i]);
  }
  let skippedRestricted = 0;
  let skippedRejected = 0;
  const mergedInto = new Map<string, string>();
  const survivors = new Set<string>();
  const probabilityOf = new Map<string, number>();
  for (let p = 0; p < result.pairs.left.length; p++) {
    probabilityOf.set(pairKey(rows[result.pairs.left[p]!]!.id, rows[result.pairs.right[p]!]!.id), result.pairs.probability[p]!);
  }

  // Clusters are merged in chunks, one transaction each (`mergeClusters`: a fixed number of
  // statements per chunk); the bound keeps a transaction's locks and the arrays it sends
  // modest on a large import.
  const chunkSize = options.mergeChunkSize ?? 1000;
  let chunk: (MergeCluster & { readonly reason: string })[] = [];
  let chunkRecords = 0;
  const flush = async () => {
    if (chunk.length === 0) return;
    const part = chunk;
    chunk = [];
    chunkRecords = 0;
    const reasons = new Map(part.map((c) => [c.survivorId, c.reason]));
    const outcome = await db.transaction().execute((tx) => mergeClusters(tx, part, actor, now, (c) => reasons.get(c.survivorId) ?? 'dedupe pass', { match: 'fuzzy', ranking: options.ranking ?? DEFAULT_SOURCE_RANKING }));
    // Restricted or erased since the read: such a cluster is left as it is (not counted when erased).
    skippedRestricted += outcome.restricted.length;
    for (const { survivorId, otherIds } of outcome.merged) {
      for (const m of otherIds) {
        mergedInto.set(m, survivorId);
        for (const y of rejectedWith.get(m) ?? []) reject(survivorId, mergedInto.get(y) ?? y);
      }
      survivors.add(survivorId);
    }
  };
  for (const group of members.values()) {
    if (group.length < 2) continue;
    const ids = group.map((i) => rows[i]!.id).sort();
    if (touching !== null && !ids.some((id) => touching.has(id))) continue;
    const free = ids.filter((id) => {
      if (!restricted.has(id)) return true;
      skippedRestricted++;
      return false;
    });
    const survivor = free[0];
    if (survivor === undefined) continue;
    // The records that end in the survivor: none may form a rejected pair with another.
    // (Rejections carried over by merges only matter across clusters, so planning a whole
    // chunk before it is written decides as merging cluster by cluster did.)
    const inside = [survivor];
    const others: string[] = [];
    for (const id of free.slice(1)) {
      if (touching !== null && !touching.has(id) && !touching.has(survivor)) continue;
      if (inside.some((x) => isRejected(x, id))) {
        skippedRejected++;
        continue;
      }
      inside.push(id);
      others.push(id);
    }
    if (others.length === 0) continue;
    const lowest = Math.min(...others.map((m) => probabilityOf.get(pairKey(survivor, m)) ?? result.matchThreshold));
    chunk.push({ survivorId: survivor, otherIds: others, reason: `dedupe pass: ${others.length} record(s) merged by record linkage (match probability ≥ ${result.matchThreshold}; lowest ${lowest.toFixed(3)})` });
    chunkRecords += others.length;
    if (chunkRecords >= chunkSize) await flush();
  }
  await flush();

  // Review-band pairs the clustering left apart.
  const reviews: { left: string; right: string; score: number; comparison: Record<string, string> }[] = [];
  for (const p of band) {
    if (root(result.pairs.left[p]!) === root(result.pairs.right[p]!)) continue;
    const left = rows[result.pairs.left[p]!]!.id;
    const right = rows[result.pairs.right[p]!]!.id;
    if (touching !== null && !touching.has(left) && !touching.has(right)) continue;
    // A record merged away is now its survivor: the pair is between what remains.
    const l = mergedInto.get(left) ?? left;
    const r = mergedInto.get(right) ?? right;
    if (l === r || restricted.has(l) || restricted.has(r)) continue;
    const k = pairKey(l, r);
    if (isRejected(l, r)) {
      skippedRejected++;
      continue;
    }
    if (known.has(k)) continue;
    known.add(k);
    const probability = result.pairs.probability[p]!;
    reviews.push({ left: l < r ? l : r, right: l < r ? r : l, score: probability, comparison: { engine: 'fellegi-sunter', probability: probability.toFixed(4), weight: result.pairs.weight[p]!.toFixed(2) } });
  }
  if (reviews.length > 0) {
    await db.transaction().execute(async (tx) => {
      await queueReviewPairs(tx, reviews, now, options.importJobId ?? null);
      const personIds = [...new Set(reviews.flatMap((r) => [r.left, r.right]))];
      await appendInTransaction(tx, [
        { at: now, actor: actor.id, role: actor.role, purpose: 'prospecting', action: 'create', resource: 'dedupe_review_queue', recordIds: [], personIds, fields: ['left_person_id', 'right_person_id', 'score'], reason: `dedupe pass: ${reviews.length} uncertain pair(s) queued for review` },
      ]);
    });
  }

  const flaggedOpposed = survivors.size > 0 ? await flagOpposedSurvivors(db, options, [...survivors]) : 0;
  if (timings) timings.fuzzyMerge += performance.now() - t;
  return { prospects: rows.length, pairsCompared: result.pairsCompared, vetoed, merged: mergedInto.size, mergedInto, queuedForReview: reviews.length, skippedRestricted, skippedRejected, flaggedOpposed };
}

/** A pair for the review queue (R-PROS-2): `left` < `right`, the model's probability and how it was reached. */
export interface ReviewPairInput {
  readonly left: string;
  readonly right: string;
  readonly score: number;
  readonly comparison: Readonly<Record<string, string>>;
}

/**
 * Queues pairs for review in one statement, the rows passed as arrays (unnest): a pass over
 * millions of records queues tens of thousands of pairs, past PostgreSQL's 65,535 bind
 * parameters for a VALUES list (it failed so at 5,000,000 imported rows).
 */
export async function queueReviewPairs(tx: Kysely<Database>, reviews: readonly ReviewPairInput[], now: Date, importJobId: string | null): Promise<void> {
  if (reviews.length === 0) return;
  const col = <T,>(f: (r: ReviewPairInput) => T) => reviews.map(f);
  await sql`
    insert into dedupe_review_queue (id, left_person_id, right_person_id, score, comparison, import_job_id, created_at)
    select id, left_person_id, right_person_id, score, comparison::jsonb, ${importJobId}::uuid, ${now}::timestamptz
    from unnest(${col(() => newId(now.getTime()))}::uuid[], ${col((r) => r.left)}::uuid[], ${col((r) => r.right)}::uuid[], ${col((r) => r.score)}::float8[],
      ${col((r) => JSON.stringify(r.comparison))}::text[]) as u(id, left_person_id, right_person_id, score, comparison)`.execute(tx);
}

/**
 * A survivor gains the email and phones of the records merged into it: if one of them is
 * on the opposition list, the survivor is flagged objected (R-PROS-3, GDPR Art. 21(3)).
 */
async function flagOpposedSurvivors(db: Kysely<Database>, options: BaseDedupeOptions, ids: readonly string[]): Promise<number> {
  let flagged = 0;
  for (let i = 0; i < ids.length; i += 500) {
    const part = ids.slice(i, i + 500);
    const people = await db.selectFrom('people').select(['id', 'email', 'phones']).where('id', 'in', part).execute();
    const byHash = new Map<string, string[]>();
    const add = (h: string, id: string) => byHash.set(h, [...(byHash.get(h) ?? []), id]);
    for (const p of people) {
      if (p.email) add(oppositionHash(options.key, 'email', p.email), p.id);
      for (const ph of p.phones ?? []) add(oppositionHash(options.key, 'phone', ph.number), p.id);
    }
    const hashes = [...byHash.keys()];
    if (hashes.length === 0) continue;
    const hits = await db.selectFrom('oppositionList').select(['emailHash', 'phoneHash']).where((eb) => eb.or([eb('emailHash', 'in', hashes), eb('phoneHash', 'in', hashes)])).execute();
    const opposed = new Set(hits.flatMap((h) => [h.emailHash, h.phoneHash].flatMap((x) => (x ? (byHash.get(x) ?? []) : []))));
    if (opposed.size === 0) continue;
    await db.transaction().execute(async (tx) => {
      const before = new Set((await tx.selectFrom('personStates').select('personId').where('personId', 'in', [...opposed]).where('objectedProspectingAt', 'is not', null).execute()).map((r) => r.personId));
      const fresh = [...opposed].filter((id) => !before.has(id));
      if (fresh.length === 0) return;
      await tx
        .insertInto('personStates')
        .values(fresh.map((personId) => ({ personId, objectedProspectingAt: options.now })))
        .onConflict((oc) => oc.column('personId').doUpdateSet({ objectedProspectingAt: sql`coalesce(person_states.objected_prospecting_at, excluded.objected_prospecting_at)` }))
        .execute();
      await appendInTransaction(tx, [
        { at: options.now, actor: options.actor.id, role: options.actor.role, purpose: 'prospecting', action: 'update', resource: 'person_states', recordIds: fresh, personIds: fresh, fields: ['objected_prospecting_at'], reason: 'dedupe pass: a merged-in email or phone is on the opposition list' },
      ]);
      flagged += fresh.length;
    });
  }
  return flagged;
}

/**
 * How much identity evidence a pair shows beside the model's probability:
 *   - 'merge': surname and given name agree (possibly swapped; accents, case, particles,
 *     one typo aside) and an identifier corroborates: the same phone (not a switchboard),
 *     an email local part within one typo, the same organisation, the same postcode or the
 *     same street line;
 *   - 'review': the surnames and given names are close (or the full names are);
 *   - 'none': the names disagree; two people, whatever the other fields say.
 */
export function evidence(a: ProspectRow, b: ProspectRow): 'merge' | 'review' | 'none' {
  const [af, al, bf, bl] = [foldName(a.firstName ?? ''), foldName(a.lastName ?? ''), foldName(b.firstName ?? ''), foldName(b.lastName ?? '')];
  if (al === '' || bl === '') return 'none';
  const straight = close(al, bl, 0.9) && givenAgree(af, bf);
  const swapped = af !== '' && bf !== '' && close(al, bf, 0.9) && close(af, bl, 0.9);
  if (!straight && !swapped) {
    const givenClose = af === '' || bf === '' || jaroWinkler(af, bf) >= 0.8;
    return (jaroWinkler(al, bl) >= 0.8 && givenClose) || jaroWinkler(af + al, bf + bl) >= 0.9 ? 'review' : 'none';
  }
  const local = (e: string | null) => (e === null ? '' : foldEmail(e).split('@')[0] ?? '');
  const [ae, be] = [local(a.email), local(b.email)];
  const corroborated =
    (a.phone !== null && a.phone === b.phone) ||
    (ae !== '' && be !== '' && close(ae, be, 0.9)) ||
    (a.organisation !== null && b.organisation !== null && foldCompany(a.organisation) === foldCompany(b.organisation)) ||
    (a.postcode !== null && a.postcode === b.postcode) ||
    (a.street != null && b.street != null && a.street !== '' && foldAddress(a.street) === foldAddress(b.street));
  return corroborated ? 'merge' : 'review';
}
