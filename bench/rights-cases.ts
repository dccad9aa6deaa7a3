import { randomBytes } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { verifyChain } from '../src/access/audit/index.js';
import { systemActor } from '../src/access/actor.js';
import { createAccessRuntime } from '../src/access/runtime.js';
import type { Engine } from '../src/db/database.js';
import type { Database } from '../src/db/schema.js';
import { seedDemo } from '../src/demo/index.js';
import { erasePerson } from '../src/rights/erasure/index.js';
import { buildAccessExport, findPeopleByEmail, subjectTables } from '../src/rights/export/index.js';
import { interleaved } from './access-cases.js';
import { benchPolicy } from './apps.js';
import { BENCH_NOW, BENCH_SEED, type SizeConfig } from './cases.js';
import { openFreshStore } from './engines.js';
import { HeapSampler, measureEach, peakRssBytes, summarise, type CaseResult } from './harness.js';

/** People of the rights store, per engine and size (the issue asks 1,000,000 on PostgreSQL at full size). */
export function rightsPeople(engine: Engine, size: SizeConfig): number {
  return engine === 'postgres' ? size.rightsPeoplePg : size.rightsPeoplePglite;
}

/** A deterministic shuffle (mulberry32), so every run picks the same "random" people. */
function shuffled<T>(items: readonly T[], seed: number): T[] {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

/**
 * The plain reads of what an access export reads, for one person: for every catalogued
 * table with a subject link, one `select * from <table> where <subject column> = $1`
 * per link (a `via` link as the join through its link table), no transaction, no
 * audit, no shaping. Returns the rows found.
 */
function plainReads(db: Kysely<Database>): (personId: string) => Promise<number> {
  const raw = db.withoutPlugins();
  const queries = subjectTables().flatMap((entry) =>
    entry.subjects.map((link) => {
      const t = sql.table(entry.table);
      if (link.via === undefined) return (id: string) => sql`select * from ${t} where ${sql.ref(link.column)} = ${id}`.execute(raw);
      const via = link.via;
      return (id: string) =>
        sql`select ${sql.ref(entry.table)}.* from ${t} join ${sql.table(via.table)} on ${sql.ref(`${entry.table}.${via.subjectColumn}`)} = ${sql.ref(`${via.table}.${via.column}`)} where ${sql.ref(`${via.table}.${link.column}`)} = ${id}`.execute(raw);
    }),
  );
  return async (id) => {
    let rows = 0;
    for (const q of queries) rows += (await q(id)).rows.length;
    return rows;
  };
}

/**
 * Issue 4: the rights engine on a seeded store of its own.
 * 1. The access export of one person (`buildAccessExport`, audited through the
 *    runtime's AuditWriter and background chainer, as the rights executor does) beside
 *    the plain reads of the same rows, interleaved, over `size.rightsExports` people
 *    who have contracts or invoices; the lookup by email (`findPeopleByEmail`) apart.
 * 2. The erasure of one person (`erasePerson`, its audit event in its transaction)
 *    with `vacuum: 'none'`, over `size.rightsErasures` other such people; then one
 *    erasure with the default vacuum, for its cost.
 */
export async function rightsCase(engine: Engine, size: SizeConfig): Promise<CaseResult[]> {
  const people = rightsPeople(engine, size);
  const store = await openFreshStore(engine, 'rights');
  try {
    const db = store.db;
    const t0 = performance.now();
    const counts = await seedDemo(db, { people, seed: BENCH_SEED, now: BENCH_NOW });
    const seedSeconds = (performance.now() - t0) / 1000;
    const rows = Object.values(counts).reduce((a, b) => a + b, 0);
    console.log(`rights ${engine}: seeded ${people.toLocaleString('en')} people, ${rows.toLocaleString('en')} rows in ${seedSeconds.toFixed(1)} s`);
    await sql`analyze`.execute(db);

    // People with contracts or invoices, so the export has rows beyond the people record.
    const withRows = await sql<{ id: string; email: string | null }>`
      select p.id, p.email from people p
       where exists (select 1 from contract_contacts c where c.person_id = p.id)
          or exists (select 1 from invoices i where i.person_id = p.id)`.execute(db.withoutPlugins());
    const warmup = 10;
    const erasureWarmup = 2;
    const needed = size.rightsExports + warmup + size.rightsErasures + erasureWarmup + 1;
    const picked = shuffled(withRows.rows, BENCH_SEED).slice(0, needed);
    if (picked.length < needed) throw new Error(`only ${picked.length} people have contracts or invoices, ${needed} needed`);
    const exportPeople = picked.slice(0, size.rightsExports + warmup);
    const erasePeople = picked.slice(size.rightsExports + warmup);
    const exportAt = (i: number): string => exportPeople[(i + warmup) % exportPeople.length]?.id ?? '';

    const policy = await benchPolicy();
    const runtime = createAccessRuntime({ db, policy, now: () => new Date() });
    const results: CaseResult[] = [];
    const base = { engine, rows: 1, unit: 'people' } as const;
    try {
      // 1. Export vs plain reads, interleaved (A B B A), same people in the same order.
      const plain = plainReads(db);
      let exportRows = 0;
      let plainRows = 0;
      const exportOne = async (i: number): Promise<void> => {
        const exp = await buildAccessExport(db, policy, [exportAt(i)], {
          now: BENCH_NOW,
          language: 'fr',
          actor: 'system:bench',
          role: null,
          audit: (events) => runtime.audit.durable(events),
        });
        exportRows += Object.values(exp.data).reduce((n, r) => n + r.length, 0);
      };
      const plainOne = async (i: number): Promise<void> => {
        plainRows += await plain(exportAt(i));
      };
      // Warm-up on people outside the timed ones.
      for (let i = 0; i < warmup; i++) {
        const id = exportPeople[i]?.id ?? '';
        await plain(id);
        await buildAccessExport(db, policy, [id], { now: BENCH_NOW, language: 'fr', actor: 'system:bench', audit: (e) => runtime.audit.durable(e) });
      }
      console.log(`rights ${engine}: ${size.rightsExports} access exports beside their plain reads`);
      const m = await interleaved({ plain: plainOne, export: exportOne }, { iterations: size.rightsExports, warmup: 0 });
      if (exportRows !== plainRows) console.log(`rights ${engine}: the export found ${exportRows} rows, the plain reads ${plainRows}`);
      const perPerson = Math.round((plainRows / size.rightsExports) * 10) / 10;
      const queries = subjectTables().reduce((n, t) => n + t.subjects.length, 0);
      results.push({
        ...base,
        id: 'rights-export-plain',
        label: `plain reads of one person's rows: select * … where <subject column> = $1, ${queries} queries (${subjectTables().length} tables), no audit`,
        ...m.plain!,
        peakRssBytes: peakRssBytes(),
        extra: { ...m.plain!.extra, rowsPerPerson: perPerson, people },
      });
      results.push({
        ...base,
        id: 'rights-export',
        label: 'access export of one person: buildAccessExport, audited (AuditWriter + background chainer)',
        ...m.export!,
        peakRssBytes: peakRssBytes(),
        extra: { ...m.export!.extra, rowsPerPerson: Math.round((exportRows / size.rightsExports) * 10) / 10, people },
      });

      // The lookup by email that comes before an export (not in the goal).
      const emails = exportPeople.map((p) => p.email ?? '').filter((e) => e !== '');
      const find = await measureEach(async (i) => {
        const ids = await findPeopleByEmail(db, emails[i % emails.length] ?? '');
        if (ids.length === 0) throw new Error('findPeopleByEmail found nobody');
      }, { iterations: Math.min(size.rightsExports, 50), warmup: 3 });
      results.push({ ...base, id: 'rights-find', label: 'findPeopleByEmail, one person (before an export)', ...find, peakRssBytes: peakRssBytes() });

      // 2. Erasures, vacuum none, one person at a time.
      const key = randomBytes(32);
      const actor = systemActor('bench');
      const erase = async (id: string, vacuum?: 'none'): Promise<number> => {
        const report = await erasePerson(db, policy, [id], {
          reason: 'bench erasure',
          now: BENCH_NOW,
          key,
          audit: runtime.audit,
          actor,
          ...(vacuum ? { vacuum } : {}),
        });
        return Object.values(report.deleted).reduce((a, b) => a + b, 0) + Object.values(report.unlinked).reduce((a, b) => a + b, 0);
      };
      let touchedRows = 0;
      console.log(`rights ${engine}: ${size.rightsErasures} erasures, vacuum none`);
      // Warm-up, then the timed ones, each on a person of its own.
      for (let i = 0; i < erasureWarmup; i++) await erase(erasePeople[i]?.id ?? '', 'none');
      const samples: number[] = [];
      const heap = new HeapSampler();
      heap.start();
      for (let i = 0; i < size.rightsErasures; i++) {
        const t = performance.now();
        touchedRows += await erase(erasePeople[i + erasureWarmup]?.id ?? '', 'none');
        samples.push(performance.now() - t);
      }
      const erasePeakHeap = heap.stop();
      const eraseTimings = summarise(samples);
      results.push({
        ...base,
        id: 'rights-erase',
        label: "erasure of one person: erasePerson, vacuum 'none'",
        timings: eraseTimings,
        peakHeapBytes: erasePeakHeap,
        peakRssBytes: peakRssBytes(),
        extra: { rowsDeletedOrUnlinkedPerPerson: Math.round((touchedRows / size.rightsErasures) * 10) / 10, people },
      });

      // One erasure with the default vacuum (plain VACUUM ANALYZE of the touched tables).
      const last = erasePeople[erasureWarmup + size.rightsErasures]?.id ?? '';
      const tv = performance.now();
      await erase(last);
      const vacuumMs = performance.now() - tv;
      console.log(`rights ${engine}: one erasure with the default vacuum: ${vacuumMs.toFixed(1)} ms`);
      results.push({
        ...base,
        id: 'rights-erase-vacuum',
        label: 'erasure of one person, default vacuum (one run)',
        timings: summarise([vacuumMs]),
        peakHeapBytes: 0,
        peakRssBytes: peakRssBytes(),
      });
    } finally {
      await runtime.close();
    }
    const verified = await verifyChain(db);
    if (!verified.ok) throw new Error(`the audit chain does not verify after the rights case: ${verified.message}`);
    console.log(`rights ${engine}: audit chain verifies, ${verified.entries} entries`);
    return results;
  } finally {
    await store.close();
  }
}
