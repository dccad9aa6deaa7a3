import type { Kysely } from 'kysely';
import { newId } from '../../db/ids.js';
import type { Database } from '../../db/schema.js';
import { verifyChain, type AuditProblem, type VerifyOptions, type VerifyResult } from './verify.js';

/** A recorded verification of the audit chain. */
export interface AuditVerification {
  readonly id: string;
  readonly at: string;
  readonly actor: string;
  readonly ok: boolean;
  readonly entries: number;
  readonly problem: AuditProblem | null;
  readonly seq: number | null;
  readonly message: string | null;
}

/**
 * Verifies the chain (verifyChain) and records the outcome in `audit_verifications`, so
 * the dpo's dashboard shows when the trail was last proven intact, and a break found from
 * the command line is not lost with the terminal (GDPR Art. 5(2), 32(1)(d)).
 */
export async function verifyAndRecord(db: Kysely<Database>, actor: string, now: Date, options: VerifyOptions = {}): Promise<{ result: VerifyResult; verification: AuditVerification }> {
  const result = await verifyChain(db, options);
  const row = {
    id: newId(now.getTime()),
    at: now,
    actor,
    ok: result.ok,
    entries: result.ok ? result.entries : Math.max(0, result.seq - 1),
    problem: result.ok ? null : result.problem,
    seq: result.ok ? null : result.seq,
    message: result.ok ? null : result.message,
  };
  await db.insertInto('auditVerifications').values(row).execute();
  return { result, verification: present(row) };
}

function present(r: { id: string; at: Date; actor: string; ok: boolean; entries: string | number; problem: string | null; seq: string | number | null; message: string | null }): AuditVerification {
  return {
    id: r.id,
    at: r.at.toISOString(),
    actor: r.actor,
    ok: r.ok,
    entries: Number(r.entries),
    problem: r.problem as AuditProblem | null,
    seq: r.seq === null ? null : Number(r.seq),
    message: r.message,
  };
}

/** The most recent verifications, newest first. */
export async function recentVerifications(db: Kysely<Database>, limit = 10): Promise<AuditVerification[]> {
  const rows = await db.selectFrom('auditVerifications').selectAll().orderBy('at', 'desc').orderBy('id', 'desc').limit(limit).execute();
  return rows.map(present);
}
