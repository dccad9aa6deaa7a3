import { mkdirSync, mkdtempSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { expect, it } from 'vitest';
import { describeEachEngine } from '../../../test/engines.js';
import { systemActor } from '../../access/actor.js';
import { appendInTransaction } from '../../access/audit/index.js';
import { loadPolicy } from '../../policy/index.js';
import { seedPersonEverywhere } from '../export/test-support.js';
import { isOpposed, objectToProspecting } from '../opposition/index.js';
import { activeHolds, erasePerson, isClean, scanForPerson, setLegalHold } from './index.js';
import { rightsCatalogue } from './walk.js';

const policy = await loadPolicy('policies/certilience.yaml');
const key = randomBytes(32);
const audit = { inTransaction: appendInTransaction };
const actor = systemActor('test');

function strings(v: unknown): string[] {
  if (typeof v === 'string') return [v];
  if (Array.isArray(v)) return v.flatMap(strings);
  if (v !== null && typeof v === 'object' && !(v instanceof Date)) return Object.values(v).flatMap(strings);
  return [];
}

describeEachEngine('erasure', (store) => {
  it('P5.3 erasure leaves none of the person\'s values outside legal holds: scan and a dump of every table; invoices kept under hold; opposition entry kept', async () => {
    const { db } = store();
    const seed = await seedPersonEverywhere(db);
    await objectToProspecting(db, key, seed.personId);
    const dataDir = mkdtempSync(join(tmpdir(), 'rempart-erasure-'));
    mkdirSync(join(dataDir, 'outbox'));
    writeFileSync(join(dataDir, 'outbox', 'a.eml'), `To: ${seed.email}\r\nSubject: x\r\n\r\nBonjour\r\n`);
    writeFileSync(join(dataDir, 'outbox', 'other.eml'), `To: someone@else.test\r\n\r\nx\r\n`);

    // The person's values: every text of the rows linked to them directly (rows reached
    // through another table, a contract, stay as the organisation's, recital 14).
    const direct = new Set(rightsCatalogue().filter((t) => t.subjects.some((s) => !s.via)).map((t) => t.table));
    const values = [...new Set([seed.email, ...Object.entries(seed.rows).filter(([t]) => direct.has(t)).flatMap(([, rows]) => rows.flatMap((r) => strings(r)).filter((s) => s.includes(seed.tag)))])];
    expect(values.length).toBeGreaterThan(15);
    const before = await scanForPerson(db, { dataDir, values });
    expect(isClean(before)).toBe(false);

    const now = new Date();
    const report = await erasePerson(db, policy, [seed.personId], { reason: 'request test', now, key, audit, actor, dataDir });

    // What was kept and why.
    const invoices = report.kept.find((k) => k.table === 'invoices');
    expect(invoices).toMatchObject({ count: 1, basis: 'Code de commerce L123-22' });
    expect(invoices!.until! > now.toISOString().slice(0, 10)).toBe(true);
    expect(report.kept.map((k) => k.table)).toEqual(expect.arrayContaining(['invoices', 'payments']));
    expect(report.deleted).toMatchObject({ people: 1, complaints: 1, tickets: 1, surveys: 1, orders: 1, contract_contacts: 1, person_states: 1, person_change_history: 1, accounts: 1, legal_holds: 1, archived_records: 1 });
    // The seeded connection log is past its 12 months: the legal purge took it.
    expect(report.deleted.connection_logs).toBeGreaterThanOrEqual(1);
    expect(report.unlinked).toMatchObject({ invoices: 1 });
    expect(report.oppositionKept).toBe(true);
    expect(report.filesDeleted).toBe(1);
    expect(existsSync(join(dataDir, 'outbox', 'other.eml'))).toBe(true);

    // The scan: nothing outside holds; the kept payment reference is found, marked held.
    const after = await scanForPerson(db, { dataDir, values });
    expect(after.found.filter((h) => !h.held)).toEqual([]);
    expect(isClean(after)).toBe(true);
    expect(after.found.some((h) => h.held && h.where.startsWith('archived_records'))).toBe(true);

    // A dump of every table, row by row as text, skipping only the rows under an active hold.
    const { byTable, archiveIds } = await activeHolds(db, now);
    const tables = await sql<{ table_name: string }>`select table_name from information_schema.tables where table_schema = current_schema() and table_type = 'BASE TABLE'`.execute(db.withoutPlugins());
    const lowered = values.map((v) => v.toLowerCase());
    const leaks: string[] = [];
    for (const { table_name: t } of tables.rows) {
      const hasId = (await sql<{ n: number }>`select count(*)::int as n from information_schema.columns where table_schema = current_schema() and table_name = ${t} and column_name = 'id'`.execute(db.withoutPlugins())).rows[0]!.n > 0;
      const rows = await sql<{ rid: string | null; v: string }>`select ${hasId ? sql`id::text` : sql`null`} as rid, t::text as v from ${sql.table(t)} t`.execute(db.withoutPlugins());
      for (const r of rows.rows) {
        const held = r.rid !== null && (t === 'archived_records' ? archiveIds.has(r.rid) : (byTable.get(t)?.has(r.rid) ?? false));
        if (held) continue;
        for (const v of lowered) if (r.v.toLowerCase().includes(v)) leaks.push(`${t}: ${v}`);
      }
    }
    expect(leaks).toEqual([]);

    // The invoice stays for the books, without its link to the person; its proof is archived.
    const invoiceId = String(seed.rows.invoices![0]!.id);
    const inv = await db.selectFrom('invoices').select(['personId', 'number']).where('id', '=', invoiceId).executeTakeFirstOrThrow();
    expect(inv.personId).toBeNull();
    const archived = await db.selectFrom('archivedRecords').selectAll().where('sourceTable', '=', 'invoices').where('recordId', '=', invoiceId).executeTakeFirstOrThrow();
    expect(archived).toMatchObject({ personId: seed.personId, reason: 'Code de commerce L123-22' });
    expect(archived.data).not.toHaveProperty('person_id');

    // The objection is still honoured (R-PROS-3).
    expect(await isOpposed(db, key, { email: seed.email })).toBe(true);

    // One audit event, table names only.
    const queued = await db.selectFrom('auditQueue').select('event').execute();
    const events = queued.map((q) => q.event).filter((e) => e.resource === 'subject');
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ action: 'delete', personIds: [seed.personId] });
    const text = JSON.stringify(events[0]).toLowerCase();
    for (const v of lowered) expect(text).not.toContain(v);
  });

  it('P5.3 a litigation hold keeps every record of the person in the archive, with its reason', async () => {
    const { db } = store();
    const seed = await seedPersonEverywhere(db);
    await setLegalHold(db, seed.personId, { reason: 'Contentieux TC Paris', setBy: 'user:dpo' });
    const now = new Date();
    const report = await erasePerson(db, policy, [seed.personId], { reason: 'request', now, key, audit, actor });
    expect(report.kept).toEqual(expect.arrayContaining([expect.objectContaining({ table: 'complaints', basis: 'GDPR Art. 17(3)(e): litigation hold', until: null })]));
    expect(await db.selectFrom('people').select('id').where('id', '=', seed.personId).executeTakeFirst()).toBeUndefined();
    const complaint = await db.selectFrom('archivedRecords').select(['data', 'reason']).where('sourceTable', '=', 'complaints').where('personId', '=', seed.personId).executeTakeFirstOrThrow();
    expect(complaint.reason).toContain('Contentieux TC Paris');
    expect(JSON.stringify(complaint.data)).toContain(seed.tag);
    const scan = await scanForPerson(db, { values: [`Description-complaints-${seed.tag}`] });
    expect(scan.found).toEqual([{ where: 'archived_records.data', count: 1, held: true }]);
  });
});
