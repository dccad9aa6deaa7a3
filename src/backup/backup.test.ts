import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { expect, it } from 'vitest';
import { describeEachEngine } from '../../test/engines.js';
import { systemActor } from '../access/actor.js';
import { appendInTransaction } from '../access/audit/index.js';
import { loadPolicy } from '../policy/index.js';
import { erasePerson, isClean, scanForPerson } from '../rights/erasure/index.js';
import { seedPersonEverywhere } from '../rights/export/test-support.js';
import { isOpposed, objectToProspecting } from '../rights/opposition/index.js';
import { writeBackup } from './backup.js';
import { verifyBackup } from './format.js';
import { restoreBackup } from './restore.js';
import { runDailyJobs } from '../jobs/daily.js';
import { JOURNAL_KEEP_DAYS, readJournal, readJournalFile } from '../rights/erasure/journal.js';

const policy = await loadPolicy('policies/certilience.yaml');
const audit = { inTransaction: appendInTransaction };
const actor = systemActor('test');

async function count(db: Parameters<typeof writeBackup>[0], table: string): Promise<number> {
  const r = await sql<{ n: number }>`select count(*)::int as n from ${sql.table(table)}`.execute(db.withoutPlugins());
  return r.rows[0]!.n;
}

describeEachEngine('backup and restore', (store) => {
  it('P5.3 a backup restored after an erasure gives the erased person back to no one; the others come back whole', async () => {
    const { db, engine } = store();
    const key = randomBytes(32);
    const dataDir = mkdtempSync(join(tmpdir(), 'rempart-backup-'));
    const erased = await seedPersonEverywhere(db);
    const kept = await seedPersonEverywhere(db);
    for (let i = 0; i < 3; i++) await sql`insert into audit_queue (event) values ('{}'::jsonb)`.execute(db);
    const before = { people: await count(db, 'people'), invoices: await count(db, 'invoices'), audit: await count(db, 'audit_queue') };

    const file = join(dataDir, 'backup.rmpbak');
    const { manifest } = await writeBackup(db, engine, file, key, new Date('2026-12-07T09:00:00Z'), { actor, sink: audit });
    expect(manifest.tables.find((t) => t.name === 'public.people')?.rows).toBe(before.people);
    expect(existsSync(`${file}.manifest.json`)).toBe(true);
    // P2.5 the backup read every person's data: one audit event says so.
    const events = await sql<{ e: { resource: string; action: string } }>`select event as e from audit_queue`.execute(db.withoutPlugins());
    expect(events.rows.map((r) => r.e)).toContainEqual(expect.objectContaining({ resource: 'backup', action: 'export' }));
    // Nothing personal in clear, in the file or beside it.
    for (const f of [file, `${file}.manifest.json`]) expect(readFileSync(f).includes(Buffer.from(erased.email))).toBe(false);

    // After the backup: one person erased, another objects to prospecting.
    await erasePerson(db, policy, [erased.personId], { reason: 'request test', now: new Date('2026-12-07T10:00:00Z'), key, audit, actor, dataDir });
    await objectToProspecting(db, key, kept.personId, { now: new Date('2026-12-07T10:05:00Z') });
    expect(await isOpposed(db, key, { email: kept.email })).toBe(true);

    const report = await restoreBackup(db, file, { serverKey: key, now: new Date('2026-12-07T11:00:00Z'), policy, actor, dataDir, audit });
    expect(report).toMatchObject({ erasuresReplayed: 1, peopleErased: 1, objectionsCarried: expect.any(Number) });
    expect(report.objectionsCarried).toBeGreaterThanOrEqual(1);

    // The erased person is gone again; the scan finds nothing outside legal holds.
    expect(await db.selectFrom('people').select('id').where('id', '=', erased.personId).executeTakeFirst()).toBeUndefined();
    expect(isClean(await scanForPerson(db, { dataDir, values: [erased.email] }))).toBe(true);
    // The other person is back with their records, and their objection holds.
    expect(await db.selectFrom('people').select('email').where('id', '=', kept.personId).executeTakeFirst()).toEqual({ email: kept.email });
    expect(await count(db, 'people')).toBe(before.people - 1);
    expect(await isOpposed(db, key, { email: kept.email })).toBe(true);
    // The sequences continue after the restored rows: a new queued audit event gets a fresh id.
    expect(before.audit).toBeGreaterThanOrEqual(3);
    expect(await count(db, 'invoices')).toBe(before.invoices);
    await sql`insert into audit_queue (event) values ('{}'::jsonb)`.execute(db);

    // A restore run twice gives the same base.
    const again = await restoreBackup(db, file, { serverKey: key, now: new Date('2026-12-07T12:00:00Z'), policy, actor, dataDir, audit });
    expect(again.peopleErased).toBe(1);
    expect(await count(db, 'people')).toBe(before.people - 1);
  });

  it('P5.3 the data directory\'s journal is replayed when the database itself was lost', async () => {
    const { db, engine } = store();
    const key = randomBytes(32);
    const dataDir = mkdtempSync(join(tmpdir(), 'rempart-backup-'));
    const seed = await seedPersonEverywhere(db);
    const file = join(dataDir, 'b.rmpbak');
    await writeBackup(db, engine, file, key, new Date(), { actor, sink: audit });
    await erasePerson(db, policy, [seed.personId], { reason: 'request test', now: new Date(), key, audit, actor, dataDir });
    // The database loses its journal (a new, empty database would have none): only the file remains.
    await sql`drop table erasure_journal`.execute(db);
    const report = await restoreBackup(db, file, { serverKey: key, now: new Date(), policy, actor, dataDir, audit });
    expect(report.peopleErased).toBe(1);
    expect(await db.selectFrom('people').select('id').where('id', '=', seed.personId).executeTakeFirst()).toBeUndefined();
  });

  it('P5.3 the erasure journal is kept 400 days, in the database and in the data directory, then purged by the daily run', async () => {
    const { db } = store();
    const key = randomBytes(32);
    const dataDir = mkdtempSync(join(tmpdir(), 'rempart-backup-'));
    const seed = await seedPersonEverywhere(db);
    // The store is shared with the tests above, whose erasures are recent: this one is older than all of them.
    const at = new Date('2024-01-10T10:00:00Z');
    const earlier = (await readJournal(db)).length;
    await erasePerson(db, policy, [seed.personId], { reason: 'request test', now: at, key, audit, actor, dataDir });
    expect(await readJournal(db)).toHaveLength(earlier + 1);
    expect(await readJournalFile(dataDir)).toHaveLength(1);
    const day = 86_400_000;
    expect((await runDailyJobs(db, new Date(at.getTime() + (JOURNAL_KEEP_DAYS - 1) * day), key, undefined, { dataDir })).erasureJournalPurged).toBe(0);
    expect((await runDailyJobs(db, new Date(at.getTime() + (JOURNAL_KEEP_DAYS + 1) * day), key, undefined, { dataDir })).erasureJournalPurged).toBe(1);
    expect(await readJournal(db)).toHaveLength(earlier);
    expect(await readJournalFile(dataDir)).toEqual([]);
  });

  it('a changed byte, a truncated file or another server key is refused before the store is touched', async () => {
    const { db, engine } = store();
    const key = randomBytes(32);
    const dir = mkdtempSync(join(tmpdir(), 'rempart-backup-'));
    await seedPersonEverywhere(db);
    const file = join(dir, 'b.rmpbak');
    await writeBackup(db, engine, file, key, new Date(), { actor, sink: audit });
    await expect(verifyBackup(file, key)).resolves.toMatchObject({ format: 'rempart-backup/1' });
    const people = await count(db, 'people');
    const bytes = readFileSync(file);
    const flipped = Buffer.from(bytes);
    flipped[Math.floor(bytes.length / 2)]! ^= 0x01;
    writeFileSync(join(dir, 'flipped'), flipped);
    writeFileSync(join(dir, 'short'), bytes.subarray(0, bytes.length - 100));
    for (const [f, k] of [[join(dir, 'flipped'), key], [join(dir, 'short'), key], [file, randomBytes(32)]] as const) {
      await expect(restoreBackup(db, f, { serverKey: k, now: new Date(), policy, actor, audit })).rejects.toThrow(/not a usable Rempart backup/);
    }
    expect(await count(db, 'people')).toBe(people);
  });
});
