import { sql, type Kysely } from 'kysely';
import type { Actor } from '../access/actor.js';
import type { GateAuditEvent } from '../access/gate.js';
import type { Database } from '../db/schema.js';
import { knownMigrations } from '../db/migrate.js';
import { MIGRATIONS } from '../db/migrations/index.js';
import { RempartError } from '../errors.js';
import type { LoadedPolicy } from '../policy/index.js';
import { erasePerson, vacuum } from '../rights/erasure/index.js';
import { identifierHashes, JOURNAL_KEEP_DAYS, readJournal, readJournalFile, type JournalEntry } from '../rights/erasure/journal.js';
import { backupEvent, qualified, tablesInOrder } from './backup.js';
import { readBackupLines, verifyBackup, type BackupManifest } from './format.js';

/** Rows inserted per statement. */
const BATCH = 2000;

type Raw = Kysely<unknown>;

export interface RestoreOptions {
  readonly serverKey: Buffer;
  readonly now: Date;
  readonly policy: LoadedPolicy;
  readonly actor: Actor;
  /** The data directory: its copy of the erasure journal is replayed too. */
  readonly dataDir?: string;
  /** Where the replayed erasures' audit events go, in the restore's transaction. */
  readonly audit: { inTransaction(tx: Kysely<Database>, events: readonly GateAuditEvent[]): Promise<void> };
}

export interface RestoreReport {
  readonly manifest: BackupManifest;
  readonly rows: number;
  /** Migrations of this build that the backup predates, run after its data. */
  readonly migrationsApplied: readonly string[];
  /** Erasures journalled after the backup and replayed on it. */
  readonly erasuresReplayed: number;
  /** People of the backup erased again by the replay. */
  readonly peopleErased: number;
  /** Objections to prospecting made after the backup, carried over (opposition list). */
  readonly objectionsCarried: number;
}

async function tableExists(db: Raw, name: string): Promise<boolean> {
  const r = await sql<{ present: boolean }>`select to_regclass(${name}) is not null as present`.execute(db);
  return r.rows[0]?.present === true;
}

interface OppositionRow {
  id: string;
  email_hash: string | null;
  phone_hash: string | null;
  channel: string;
  created_at: Date;
  keep_until: Date;
}

/**
 * Restores a backup onto the store, replacing what it holds (GDPR Art. 32(1)(c)), without
 * undoing an erasure (Art. 17) or an objection (Art. 21(3)) made since the backup:
 *   1. the file is read to its end and checked (tag, counts, checksums) before anything is touched;
 *   2. the erasure journal and the opposition list are read from the store as it is now,
 *      and the journal from the data directory (the store may be the thing that was lost);
 *   3. in ONE transaction: the schemas are dropped and rebuilt by the migrations the backup
 *      was made at, its rows inserted, the later migrations run, the objections and journal
 *      entries it lacks carried over, and every person of the backup who matches a
 *      journalled erasure erased again. A crash or an error anywhere leaves the store as it
 *      was; a restore run twice gives the same result.
 */
export async function restoreBackup(db: Kysely<Database>, file: string, options: RestoreOptions): Promise<RestoreReport> {
  const manifest = await verifyBackup(file, options.serverKey);
  const known = knownMigrations();
  const unknown = manifest.migrations.filter((m) => !known.includes(m));
  if (unknown.length > 0 || manifest.migrations.some((m, i) => known[i] !== m)) {
    throw new RempartError(
      'STORE_SCHEMA_NEWER',
      `The backup was made by another version of Rempart (migrations ${unknown.join(', ') || 'in another order'}). Nothing was restored; restore it with the version that made it.`,
    );
  }
  const raw = db.withoutPlugins() as unknown as Raw;
  const journal = new Map<string, JournalEntry>();
  if (await tableExists(raw, 'public.erasure_journal')) for (const e of await readJournal(db)) journal.set(e.id, e);
  if (options.dataDir) for (const e of await readJournalFile(options.dataDir)) journal.set(e.id, e);
  const opposition = (await tableExists(raw, 'public.opposition_list'))
    ? (await sql<OppositionRow>`select id, email_hash, phone_hash, channel, created_at, keep_until from opposition_list`.execute(raw)).rows
    : [];

  let rows = 0;
  const migrationsApplied: string[] = [];
  let erasuresReplayed = 0;
  let peopleErased = 0;
  let objectionsCarried = 0;
  const touched = new Set<string>();

  await db.transaction().execute(async (tx) => {
    const t = tx.withoutPlugins() as unknown as Raw;
    const schemas = await sql<{ name: string }>`select nspname as name from pg_namespace where nspname not like 'pg\\_%' and nspname <> 'information_schema'`.execute(t);
    for (const s of schemas.rows) await sql`drop schema ${sql.id(s.name)} cascade`.execute(t);
    await sql`create schema public`.execute(t);
    // Kysely's own bookkeeping, as its Migrator creates it, so later `migrateToLatest` calls see the same state.
    await sql`create table kysely_migration (name varchar(255) primary key, timestamp varchar(255) not null)`.execute(t);
    await sql`create table kysely_migration_lock (id varchar(255) primary key, is_locked integer not null default 0)`.execute(t);
    await sql`insert into kysely_migration_lock (id, is_locked) values ('migration_lock', 0)`.execute(t);
    const migrate = async (name: string): Promise<void> => {
      await MIGRATIONS[name]!.up(t);
      await sql`insert into kysely_migration (name, timestamp) values (${name}, ${options.now.toISOString()})`.execute(t);
    };
    for (const name of manifest.migrations) await migrate(name);

    const present = new Map((await tablesInOrder(t)).map((x) => [x.name, new Set(x.columns)]));
    let table: { name: string; columns: string[] } | undefined;
    let batch: string[] = [];
    const flush = async (): Promise<void> => {
      if (!table || batch.length === 0) return;
      const cols = sql.join(table.columns.map((c) => sql.id(c)));
      await sql`insert into ${qualified(table.name)} (${cols}) select ${cols} from json_populate_recordset(null::${qualified(table.name)}, ${`[${batch.join(',')}]`}::json)`.execute(t);
      rows += batch.length;
      batch = [];
    };
    for await (const line of readBackupLines(file, options.serverKey)) {
      if (line.kind === 'table') {
        await flush();
        const cols = present.get(line.name);
        if (!cols) throw new RempartError('VALIDATION_FAILED', `The backup holds table ${line.name}, which its migrations do not create. Nothing was restored.`);
        table = { name: line.name, columns: line.columns.filter((c) => cols.has(c)) };
        // Rows a migration seeds (a version counter) are replaced by the backup's. A table
        // with rows refusing deletion (append-only) has none seeded: no row trigger fires.
        await sql`delete from ${qualified(line.name)}`.execute(t);
      } else if (line.kind === 'row') {
        batch.push(line.json);
        if (batch.length >= BATCH) await flush();
      }
    }
    await flush();
    // Sequences continue after the restored rows.
    const serials = await sql<{ tbl: string; col: string }>`
      select table_schema || '.' || table_name as tbl, column_name as col from information_schema.columns
      where column_default like 'nextval(%' and table_schema not like 'pg\\_%'`.execute(t);
    for (const s of serials.rows) {
      await sql`select setval(pg_get_serial_sequence(${s.tbl}, ${s.col}), coalesce((select max(${sql.id(s.col)}) from ${qualified(s.tbl)}), 1), (select max(${sql.id(s.col)}) from ${qualified(s.tbl)}) is not null)`.execute(t);
    }
    for (const name of known.slice(manifest.migrations.length)) {
      await migrate(name);
      migrationsApplied.push(name);
    }

    await options.audit.inTransaction(tx, [backupEvent(options.actor, options.now, 'create', `restore of the backup taken ${manifest.createdAt}`)]);

    // Objections made since the backup: the opposition list holds keyed hashes only, carried as they are.
    const restoredIds = new Set((await sql<{ id: string }>`select id from opposition_list`.execute(t)).rows.map((r) => r.id));
    for (const o of opposition) {
      if (restoredIds.has(o.id)) continue;
      await sql`insert into opposition_list (id, email_hash, phone_hash, channel, created_at, keep_until) values (${o.id}, ${o.email_hash}, ${o.phone_hash}, ${o.channel}, ${o.created_at}, ${o.keep_until})`.execute(t);
      objectionsCarried++;
    }

    // Erasures made since the backup: journalled again here, then replayed on the people they match.
    const inBackup = new Set((await tx.selectFrom('erasureJournal').select('id').execute()).map((r) => r.id));
    // Entries past their term protect against no restorable backup any more (purgeJournal removes them daily).
    const live = (e: JournalEntry): boolean => e.erasedAt.getTime() + JOURNAL_KEEP_DAYS * 86_400_000 >= options.now.getTime();
    const replay = [...journal.values()].filter((e) => !inBackup.has(e.id) && live(e));
    for (const e of replay) {
      await tx
        .insertInto('erasureJournal')
        .values({ id: e.id, emailHashes: [...e.emailHashes], phoneHashes: [...e.phoneHashes], erasedAt: e.erasedAt, keepUntil: new Date(e.erasedAt.getTime() + JOURNAL_KEEP_DAYS * 86_400_000) })
        .execute();
    }
    erasuresReplayed = replay.length;
    if (replay.length > 0) {
      const emails = new Set(replay.flatMap((e) => e.emailHashes));
      const phones = new Set(replay.flatMap((e) => e.phoneHashes));
      const matched: string[] = [];
      for (const p of await tx.selectFrom('people').select(['id', 'email', 'phones']).execute()) {
        const h = identifierHashes(options.serverKey, { emails: [p.email], phones: (p.phones ?? []).map((x) => x.number) });
        if (h.emailHashes.some((x) => emails.has(x)) || h.phoneHashes.some((x) => phones.has(x))) matched.push(p.id);
      }
      if (matched.length > 0) {
        await erasePerson(tx, options.policy, matched, {
          reason: 'restore: an erasure journalled after the backup was taken (GDPR Art. 17)',
          now: options.now,
          key: options.serverKey,
          audit: options.audit,
          actor: options.actor,
          journal: false,
          vacuum: 'none',
        });
        peopleErased = matched.length;
        touched.add('people');
      }
    }
  });
  // The replayed erasures' dead rows leave the heap now (VACUUM runs outside a transaction).
  if (touched.size > 0) await vacuum(db, (await tablesInOrder(raw)).map((x) => x.name).filter((n) => n.startsWith('public.')).map((n) => n.slice('public.'.length)), 'plain');
  return { manifest, rows, migrationsApplied, erasuresReplayed, peopleErased, objectionsCarried };
}
