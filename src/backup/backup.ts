import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rename, rm, writeFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { sql, type Kysely } from 'kysely';
import type { Actor } from '../access/actor.js';
import type { GateAuditEvent } from '../access/gate.js';
import type { Database } from '../db/schema.js';
import { FORMAT, newCipher, type BackupManifest } from './format.js';

/** Rows read per statement while backing up: bounded memory whatever the table's size. */
const CHUNK = 5000;

/** The migration bookkeeping tables: a restore rebuilds them from the migrations it runs. */
const MIGRATION_TABLES = new Set(['public.kysely_migration', 'public.kysely_migration_lock']);

type Raw = Kysely<unknown>;

/**
 * Every table of the database's own schemas, parents before children (foreign keys), so a
 * restore inserts them in the order they are written. Qualified as `schema.table`.
 */
export async function tablesInOrder(db: Raw): Promise<{ name: string; columns: string[] }[]> {
  const tables = await sql<{ name: string }>`
    select n.nspname || '.' || c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where c.relkind in ('r', 'p') and n.nspname not like 'pg\\_%' and n.nspname <> 'information_schema'
    order by 1`.execute(db);
  const fks = await sql<{ child: string; parent: string }>`
    select cn.nspname || '.' || c.relname as child, pn.nspname || '.' || p.relname as parent
    from pg_constraint k
    join pg_class c on c.oid = k.conrelid join pg_namespace cn on cn.oid = c.relnamespace
    join pg_class p on p.oid = k.confrelid join pg_namespace pn on pn.oid = p.relnamespace
    where k.contype = 'f' and k.conrelid <> k.confrelid`.execute(db);
  // Generated columns are computed again on insert: never written.
  const columns = await sql<{ name: string; column: string }>`
    select table_schema || '.' || table_name as name, column_name as column from information_schema.columns
    where table_schema not like 'pg\\_%' and table_schema <> 'information_schema' and is_generated <> 'ALWAYS'
    order by table_schema, table_name, ordinal_position`.execute(db);
  const names = tables.rows.map((r) => r.name).filter((n) => !MIGRATION_TABLES.has(n));
  const parents = new Map<string, Set<string>>(names.map((n) => [n, new Set<string>()]));
  for (const fk of fks.rows) parents.get(fk.child)?.add(fk.parent);
  const ordered: string[] = [];
  const placed = new Set<string>();
  const visit = (n: string, path: Set<string>): void => {
    if (placed.has(n) || path.has(n)) return;
    path.add(n);
    for (const p of parents.get(n) ?? []) visit(p, path);
    placed.add(n);
    ordered.push(n);
  };
  for (const n of names) visit(n, new Set());
  const cols = new Map<string, string[]>();
  for (const c of columns.rows) (cols.get(c.name) ?? cols.set(c.name, []).get(c.name)!).push(c.column);
  return ordered.map((name) => ({ name, columns: cols.get(name) ?? [] }));
}

/** Who runs a backup or a restore, and where its audit event goes. */
export interface BackupAudit {
  readonly actor: Actor;
  readonly sink: { inTransaction(tx: Kysely<Database>, events: readonly GateAuditEvent[]): Promise<void> };
}

/** The one audit event of a backup (`export`) or a restore (`create`): the whole base, no person named. */
export function backupEvent(actor: Actor, at: Date, action: 'export' | 'create', reason: string): GateAuditEvent {
  return { at, actor: actor.id, role: actor.role, purpose: null, action, resource: 'backup', recordIds: [], personIds: [], fields: [], reason };
}

/** A `schema.table` name as an SQL identifier. */
export function qualified(name: string): ReturnType<typeof sql.id> {
  const [schema, table] = name.split('.') as [string, string];
  return sql.id(schema, table);
}

/**
 * Writes a consistent snapshot of the database to `out` (GDPR Art. 32(1)(c)): one
 * REPEATABLE READ, READ ONLY transaction sees every table at one instant while the
 * server keeps serving. The file appears only once complete (written beside, then
 * renamed), with `out.manifest.json` beside it: names, counts and checksums, nothing
 * personal. Returns the manifest and the file's SHA-256.
 */
export async function writeBackup(
  db: Kysely<Database>,
  engine: 'pglite' | 'postgres',
  out: string,
  serverKey: Buffer,
  now: Date,
  audit: BackupAudit,
): Promise<{ manifest: BackupManifest; sha256: string; bytes: number }> {
  // A backup reads every person's data: audited first, in its own transaction, so even a
  // failed or interrupted backup leaves its trace (GDPR Art. 5(2); P2.5).
  await db.transaction().execute((tx) => audit.sink.inTransaction(tx, [backupEvent(audit.actor, now, 'export', `backup to ${out}`)]));
  const partial = `${out}.partial`;
  const { header, cipher } = newCipher(serverKey);
  const fileHash = createHash('sha256').update(header);
  let bytes = header.length;
  let manifest: BackupManifest | undefined;
  try {
    await writeFile(partial, header, { mode: 0o600 });
    await db
      .transaction()
      .setIsolationLevel('repeatable read')
      .setAccessMode('read only')
      .execute(async (tx) => {
        const raw = tx.withoutPlugins() as unknown as Raw;
        const migrations = (await sql<{ name: string }>`select name from kysely_migration order by name`.execute(raw)).rows.map((r) => r.name);
        const tables = await tablesInOrder(raw);
        const summary: { name: string; rows: number; sha256: string }[] = [];
        async function* lines(): AsyncGenerator<string> {
          for (const t of tables) {
            yield `${JSON.stringify({ table: t.name, columns: t.columns })}\n`;
            const hash = createHash('sha256');
            let rows = 0;
            // Paged by the row's physical position: stable inside the snapshot, and no table needs a key.
            let after = '(0,0)';
            for (;;) {
              const page = await sql<{ c: string; j: string }>`
                select t.ctid::text as c, row_to_json(t)::text as j from ${qualified(t.name)} t
                where t.ctid > ${after}::tid order by t.ctid limit ${CHUNK}`.execute(raw);
              for (const r of page.rows) {
                hash.update(r.j).update('\n');
                rows++;
              }
              if (page.rows.length > 0) yield `${page.rows.map((r) => r.j).join('\n')}\n`;
              if (page.rows.length < CHUNK) break;
              after = page.rows.at(-1)!.c;
            }
            summary.push({ name: t.name, rows, sha256: hash.digest('hex') });
          }
          manifest = { format: FORMAT, createdAt: now.toISOString(), engine, migrations, tables: summary };
          yield `${JSON.stringify({ end: manifest })}\n`;
        }
        const sink = createWriteStream(partial, { flags: 'a', mode: 0o600 });
        await pipeline(Readable.from(lines()), createGzip(), cipher, async function* (chunks: AsyncIterable<Buffer>) {
          for await (const chunk of chunks) {
            fileHash.update(chunk);
            bytes += chunk.length;
            yield chunk;
          }
          const tag = cipher.getAuthTag();
          fileHash.update(tag);
          bytes += tag.length;
          yield tag;
        }, sink);
      });
    if (!manifest) throw new Error('backup ended without its manifest');
    const sha256 = fileHash.digest('hex');
    await writeFile(`${out}.manifest.json`, `${JSON.stringify({ ...(manifest as BackupManifest), file: { bytes, sha256 } }, null, 2)}\n`, { mode: 0o600 });
    await rename(partial, out);
    return { manifest, sha256, bytes };
  } catch (e) {
    await rm(partial, { force: true });
    throw e;
  }
}
