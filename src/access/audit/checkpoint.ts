import { sign, type KeyObject } from 'node:crypto';
import { type Kysely, sql } from 'kysely';
import type { Database } from '../../db/schema.js';
import { RempartError } from '../../errors.js';
import { CHAIN_LOCK_KEY } from './chain.js';
import { toCheckpoint, toSeq, type AuditCheckpoint } from './entries.js';
import { auditPublicKey } from './keys.js';
import { checkpointMessage, verifyCheckpoint } from './signature.js';
import { verifyChain } from './verify.js';

/**
 * Signs (Ed25519) the seq and hash of the newest entry and stores the checkpoint;
 * returns it, or null when there is nothing to sign. The chain is verified first: a
 * checkpoint over a tampered chain would launder the tampering.
 */
export async function createCheckpoint(db: Kysely<Database>, signingKey: KeyObject, now: Date = new Date()): Promise<AuditCheckpoint | null> {
  const publicKey = auditPublicKey(signingKey);
  const check = await verifyChain(db, { trustedKeys: [publicKey] });
  if (!check.ok) {
    throw new RempartError('STORE_CORRUPT', `No checkpoint signed: the audit chain is broken at entry ${check.seq} (${check.problem}: ${check.message}).`);
  }
  const last = await db.selectFrom('auditEntries').select(['seq', 'hash']).orderBy('seq', 'desc').limit(1).executeTakeFirst();
  if (!last) {
    const latest = await db.selectFrom('auditCheckpoints').selectAll().orderBy('seq', 'desc').limit(1).executeTakeFirst();
    return latest ? toCheckpoint(latest) : null;
  }
  const seq = toSeq(last.seq);
  const at = new Date(now.getTime());
  const signature = sign(null, checkpointMessage(seq, last.hash, at), signingKey).toString('base64');
  const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  // Two instances checkpointing at once: the first one's stays.
  await db
    .insertInto('auditCheckpoints')
    .values({ seq, hash: last.hash, at, signature, publicKey: pem })
    .onConflict((oc) => oc.column('seq').doNothing())
    .execute();
  const stored = await db.selectFrom('auditCheckpoints').selectAll().where('seq', '=', seq).executeTakeFirstOrThrow();
  return toCheckpoint(stored);
}

/**
 * Deletes the entries up to the newest checkpoint at or before `seq` that `signingKey`
 * signed, and returns how many went (0 when there is no such checkpoint). Entries can
 * leave only behind a checkpoint, so verifyChain still proves the rest started where
 * the signed checkpoint says (storage limitation, GDPR Art. 5(1)(e), without losing
 * tamper evidence). The chain must verify first: pruning must not erase the evidence.
 */
export async function pruneBefore(db: Kysely<Database>, seq: number, signingKey: KeyObject): Promise<number> {
  const trusted = [auditPublicKey(signingKey)];
  const check = await verifyChain(db, { trustedKeys: trusted });
  if (!check.ok) {
    throw new RempartError('STORE_CORRUPT', `Nothing pruned: the audit chain is broken at entry ${check.seq} (${check.problem}: ${check.message}).`);
  }
  const candidates = (await db.selectFrom('auditCheckpoints').selectAll().where('seq', '<=', seq).orderBy('seq', 'desc').execute()).map(toCheckpoint);
  const checkpoint = candidates.find((c) => verifyCheckpoint(c, trusted));
  if (!checkpoint) return 0;
  return db.transaction().execute(async (tx) => {
    // The chainer's lock: never prune under a chainer reading the head of the chain.
    await sql`select pg_advisory_xact_lock(${sql.lit(CHAIN_LOCK_KEY)})`.execute(tx);
    await sql`select set_config('rempart.prune', 'on', true)`.execute(tx);
    const result = await tx.deleteFrom('auditEntries').where('seq', '<=', checkpoint.seq).executeTakeFirst();
    return Number(result.numDeletedRows);
  });
}
