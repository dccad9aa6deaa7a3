/**
 * SIGKILL trials of the read audit (issue 18, item 5): a server process on PostgreSQL
 * serves reads of distinct people to concurrent clients and is killed at a random
 * moment; then every answer the clients received is looked for in the trail.
 * `strict` must have logged every one; `batched` may lose only the reads of its window.
 * Used by src/access/audit/sigkill.test.ts (a few trials) and bench/sigkill.ts (20+ per mode).
 */
import { sql, type Kysely } from 'kysely';
import type { AuditDurability } from '../src/access/audit/index.js';
import { createToken } from '../src/access/auth/index.js';
import type { Database } from '../src/db/schema.js';
import type { LoadedPolicy } from '../src/policy/index.js';
import { startServer } from './server-process.js';

/** What one trial saw. */
export interface TrialResult {
  readonly mode: AuditDurability;
  /** Reads answered 200 before the kill. */
  readonly served: number;
  /** Of those, reads with no audit event. */
  readonly lostReads: number;
  /** Time between the first and the last lost read's answer (0 when none or one was lost). */
  readonly lostSpanMs: number;
  /** Answers served with no token-use entry in the connection log. */
  readonly lostConnections: number;
  readonly killedAfterMs: number;
}

/** One trial; `ids` are people ids no earlier trial read with this token. */
export async function sigkillTrial(
  db: Kysely<Database>,
  policy: LoadedPolicy,
  databaseUrl: string,
  mode: AuditDurability,
  ids: readonly string[],
  env: Record<string, string>,
  options: { readonly concurrency?: number; readonly killAfterMs?: number } = {},
): Promise<TrialResult> {
  const server = await startServer(databaseUrl, { ...env, REMPART_AUDIT_DURABILITY: mode });
  const { token, summary } = await createToken(db, policy, { role: 'dpo', name: `sigkill ${mode}` });
  const headers = { authorization: `Bearer ${token}` };
  const served = new Map<string, number>();
  let next = 0;
  let dead = false;
  const loop = async (): Promise<void> => {
    while (!dead && next < ids.length) {
      const id = ids[next++] as string;
      try {
        const res = await fetch(`${server.baseUrl}/api/v1/people/${id}`, { headers });
        const body = await res.text();
        if (res.status === 200 && body.includes(id)) served.set(id, performance.now());
      } catch {
        return; // the server is gone
      }
    }
  };
  // Warm (connections open, schemas compiled), then the clients, then the kill at a random moment.
  const warm = await fetch(`${server.baseUrl}/api/v1/people?limit=1`, { headers });
  if (warm.status !== 200) throw new Error(`the warm-up read answered ${warm.status}`);
  const killAfterMs = options.killAfterMs ?? 150 + Math.floor(Math.random() * 350);
  const loops = Array.from({ length: options.concurrency ?? 8 }, loop);
  await new Promise((r) => setTimeout(r, killAfterMs));
  await server.kill();
  dead = true;
  await Promise.all(loops);

  const actor = `token:${summary.id}`;
  const queued = await sql<{ id: string }>`select jsonb_array_elements_text(event -> 'recordIds') as id from audit_queue where event ->> 'actor' = ${actor} and event ->> 'action' = 'read'`.execute(db);
  const chained = await sql<{ id: string }>`select unnest(record_ids) as id from audit_entries where actor = ${actor} and action = 'read'`.execute(db);
  const logged = new Set([...queued.rows, ...chained.rows].map((r) => r.id));
  const lost = [...served].filter(([id]) => !logged.has(id)).map(([, at]) => at);
  const uses = await db.selectFrom('connectionLogs').select((eb) => eb.fn.countAll().as('n')).where('event', '=', 'token').where('accountId', '=', summary.id).where('outcome', '=', 'success').executeTakeFirstOrThrow();
  return {
    mode,
    served: served.size,
    lostReads: lost.length,
    lostSpanMs: lost.length < 2 ? 0 : Math.max(...lost) - Math.min(...lost),
    lostConnections: Math.max(0, served.size - Number(uses.n)),
    killedAfterMs: killAfterMs,
  };
}
