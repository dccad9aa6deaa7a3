import type { KeyObject } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { chainPending } from './chain.js';
import { toCheckpoint, toEntry, toSeq, type AuditCheckpoint, type AuditEntry } from './entries.js';
import { entryHash, GENESIS_HASH } from './hash.js';
import { verifyCheckpoint } from './signature.js';

/** How an entry was tampered with. */
export type AuditProblem = 'altered' | 'deleted' | 'inserted' | 'reordered';

/** The outcome of verifyChain: the number of entries checked, or the first bad entry. */
export type VerifyResult =
  | { readonly ok: true; readonly entries: number }
  | { readonly ok: false; readonly seq: number; readonly problem: AuditProblem; readonly message: string };

/** Options of verifyChain. */
export interface VerifyOptions {
  /**
   * The public keys checkpoints must verify with. Without them a checkpoint is checked
   * against the key stored beside it, which catches an altered checkpoint but not one
   * forged with another key.
   */
  readonly trustedKeys?: readonly KeyObject[];
  readonly pageSize?: number;
}

type Failure = Extract<VerifyResult, { ok: false }>;

const fail = (seq: number, problem: AuditProblem, message: string): Failure => ({ ok: false, seq, problem, message });

/** True when the entry's stored hash is the hash of its content placed at `seq` after its stored prev_hash. */
const validAt = (e: AuditEntry, seq: number, prevHash: string = e.prevHash): boolean => entryHash(prevHash, { ...e, seq }) === e.hash;

async function* entriesFrom(db: Kysely<Database>, pageSize: number): AsyncGenerator<AuditEntry> {
  let after = Number.MIN_SAFE_INTEGER;
  for (;;) {
    const rows = await db.selectFrom('auditEntries').selectAll().where('seq', '>', after).orderBy('seq').limit(pageSize).execute();
    for (const r of rows) yield toEntry(r);
    const last = rows[rows.length - 1];
    if (rows.length < pageSize || !last) return;
    after = toSeq(last.seq);
  }
}

async function entryAt(db: Kysely<Database>, seq: number): Promise<AuditEntry | null> {
  const row = await db.selectFrom('auditEntries').selectAll().where('seq', '=', seq).executeTakeFirst();
  return row ? toEntry(row) : null;
}

interface Position {
  /** The seq the entry should have. */
  readonly seq: number;
  /** The prev_hash it should carry. */
  readonly prevHash: string;
  /** The prev_hash the entry before it should have carried (null for the first). */
  readonly prevPrevHash: string | null;
  readonly lastSeq: number;
}

/**
 * Names what happened to the first entry that does not fit, from what the chain still
 * holds: each entry's hash covers its seq, so an entry moved elsewhere still proves
 * where it came from.
 */
async function classify(db: Kysely<Database>, entry: AuditEntry, at: Position, pageSize: number): Promise<Failure> {
  const e = at.seq;
  // An entry chained in properly at e-1, then everything after renumbered by one: this entry was at e-1.
  if (at.prevPrevHash !== null && entry.prevHash === at.prevPrevHash && validAt(entry, e - 1)) {
    return fail(e - 1, 'inserted', `entry ${e - 1} is not part of the chain: it was inserted and the entries after it renumbered`);
  }
  // Does this entry belong elsewhere (whole row moved), or its content (content moved)?
  let wholeFrom: number | null = null;
  let contentFrom: number | null = null;
  let copyOf: number | null = null;
  for await (const other of entriesFrom(db, pageSize)) {
    if (other.seq === e) continue;
    if (copyOf === null && other.hash === entry.hash) copyOf = other.seq;
    if (wholeFrom === null && validAt(entry, other.seq)) wholeFrom = other.seq;
    if (contentFrom === null && entryHash(other.prevHash, { ...entry, seq: other.seq }) === other.hash) contentFrom = other.seq;
    if (wholeFrom !== null && contentFrom !== null) break;
  }
  if (copyOf !== null) return fail(e, 'inserted', `entry ${e} is not part of the chain: it is a copy of entry ${copyOf}`);
  if (wholeFrom === null && validAt(entry, at.lastSeq + 1)) wholeFrom = at.lastSeq + 1;
  const next = await entryAt(db, e + 1);
  if (wholeFrom !== null) {
    // Every entry from here on sits one or more places early: entries were deleted and the rest renumbered.
    if (wholeFrom > e && (!next || validAt(next, wholeFrom + 1))) {
      return fail(e, 'deleted', `entry ${e} is missing: it was deleted and the entries after it renumbered`);
    }
    return fail(e, 'reordered', `entry ${e} holds entry ${wholeFrom}: entries were moved`);
  }
  if (contentFrom !== null) return fail(e, 'reordered', `entry ${e} holds the content of entry ${contentFrom}: entries were swapped`);
  // The next entry fits right here: this one was slipped in and the rest renumbered.
  if (next && next.prevHash === at.prevHash && validAt(next, e)) {
    return fail(e, 'inserted', `entry ${e} is not part of the chain: it was inserted and the entries after it renumbered`);
  }
  if (entry.prevHash === at.prevHash) return fail(e, 'altered', `entry ${e} was altered: its content no longer matches its hash`);
  // This entry is intact and has a successor, so it is no extra entry: the one before it
  // was altered and its hash recomputed to match.
  if (at.prevPrevHash !== null && next && validAt(entry, e)) {
    return fail(e - 1, 'altered', `entry ${e - 1} was altered and its hash recomputed: entry ${e} no longer follows it`);
  }
  return fail(e, 'inserted', `entry ${e} does not follow entry ${e - 1}: its prev_hash matches no entry of the chain`);
}

/**
 * Verifies the audit chain (P2.5): chains what is queued, then walks the entries by
 * seq from the oldest left (which must follow a checkpoint whose signature verifies
 * when entries were pruned), recomputing every hash, and names the first entry that
 * was altered, deleted, inserted or reordered. Signed checkpoints also pin the hash at
 * their seq and the length of the chain, so even a rewritten tail is caught up to the
 * newest checkpoint.
 */
export async function verifyChain(db: Kysely<Database>, options: VerifyOptions = {}): Promise<VerifyResult> {
  const pageSize = options.pageSize ?? 1000;
  await chainPending(db);

  const checkpoints = (await db.selectFrom('auditCheckpoints').selectAll().orderBy('seq').execute()).map(toCheckpoint);
  const valid = new Map<number, AuditCheckpoint>();
  let forged: Failure | null = null;
  for (const c of checkpoints) {
    if (verifyCheckpoint(c, options.trustedKeys)) valid.set(c.seq, c);
    else forged ??= fail(c.seq, 'altered', `the checkpoint at entry ${c.seq} does not verify: its signature is bad or made with an untrusted key`);
  }
  const newestCheckpoint = Math.max(0, ...valid.keys());
  // A forged checkpoint is reported when it comes before the first bad entry.
  const first = (failure: Failure): Failure => (forged && forged.seq < failure.seq ? forged : failure);
  const done = (entries: number): VerifyResult => forged ?? { ok: true, entries };

  const bounds = await db
    .selectFrom('auditEntries')
    .select((eb) => [eb.fn.min('seq').as('first'), eb.fn.max('seq').as('last')])
    .executeTakeFirst();
  if (bounds?.first === null || bounds?.first === undefined || bounds.last === null || bounds.last === undefined) {
    return done(0);
  }
  const firstSeq = toSeq(bounds.first);
  const lastSeq = toSeq(bounds.last);

  let seq = firstSeq;
  let prevHash = GENESIS_HASH;
  let prevPrevHash: string | null = null;
  if (firstSeq < 1) return first(fail(firstSeq, 'inserted', `entry ${firstSeq} is not part of the chain: seqs start at 1`));
  if (firstSeq > 1) {
    const anchor = valid.get(firstSeq - 1);
    if (!anchor) {
      const missing = Math.max(0, ...[...valid.keys()].filter((s) => s < firstSeq)) + 1;
      const why = checkpoints.some((c) => c.seq === firstSeq - 1) ? ' (the checkpoint before them does not verify)' : '';
      return first(fail(missing, 'deleted', `entries ${missing} to ${firstSeq - 1} are missing and no signed checkpoint covers them${why}`));
    }
    prevHash = anchor.hash;
  }

  let count = 0;
  for await (const entry of entriesFrom(db, pageSize)) {
    if (entry.seq > seq) {
      const failure = validAt(entry, entry.seq)
        ? fail(seq, 'deleted', seq === entry.seq - 1 ? `entry ${seq} is missing (deleted)` : `entries ${seq} to ${entry.seq - 1} are missing (deleted)`)
        : fail(entry.seq, 'inserted', `entry ${entry.seq} is not part of the chain: it follows a gap after entry ${seq - 1}`);
      return first(failure);
    }
    if (entry.prevHash !== prevHash || !validAt(entry, seq)) {
      return first(await classify(db, entry, { seq, prevHash, prevPrevHash, lastSeq }, pageSize));
    }
    const signed = valid.get(seq);
    if (signed && signed.hash !== entry.hash) {
      return first(fail(seq, 'altered', `entry ${seq} does not match the signed checkpoint at that seq: the chain was rewritten`));
    }
    prevPrevHash = prevHash;
    prevHash = entry.hash;
    seq += 1;
    count += 1;
  }
  if (newestCheckpoint > lastSeq) {
    return first(fail(lastSeq + 1, 'deleted', `entries ${lastSeq + 1} to ${newestCheckpoint} are missing: a signed checkpoint covers them`));
  }
  return done(count);
}
