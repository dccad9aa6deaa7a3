import { beforeAll, describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../access/audit/index.js';
import { catalogueEntry } from '../../catalogue/catalogue.js';
import { DEFAULT_POLICY_FILE, loadPolicy, type LoadedPolicy } from '../../policy/index.js';
import { describeEachEngine } from '../../../test/engines.js';
import { buildPortabilityExport, csvField, portablePurposes, toCsv, toExportValue, unpackArchive, writePortabilityZip, type ExportValue, type PortabilityExport } from './index.js';
import { seedPersonEverywhere, type SeededPerson } from './test-support.js';

/** A strict RFC 4180 reader: CRLF records, quoted fields with doubled quotes. */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let field = '';
  let record: string[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === '"' && field === '') {
      i++;
      for (;;) {
        if (i >= text.length) throw new Error('unterminated quote');
        if (text[i] === '"') {
          if (text[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        field += text[i];
        i++;
      }
      continue;
    }
    if (c === ',') {
      record.push(field);
      field = '';
      i++;
    } else if (c === '\r' && text[i + 1] === '\n') {
      record.push(field);
      records.push(record);
      record = [];
      field = '';
      i += 2;
    } else if (c === '"') {
      throw new Error(`stray quote at ${i}`);
    } else {
      field += c;
      i++;
    }
  }
  if (field !== '' || record.length > 0) throw new Error('last record not ended by CRLF');
  return records;
}

const text = new TextDecoder();

describe('CSV (P5.5)', () => {
  it('P5.5 quotes per RFC 4180 and guards against formula injection', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\r\nlines')).toBe('"two\r\nlines"');
    expect(csvField('=HYPERLINK("http://x")')).toBe(`"'=HYPERLINK(""http://x"")"`);
    expect(csvField('+33 6 12')).toBe("'+33 6 12");
    expect(csvField('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvField('-12.50')).toBe('-12.50');
    expect(csvField(-3)).toBe('-3');
    expect(csvField(null)).toBe('');
    expect(csvField([{ a: 1 }])).toBe('"[{""a"":1}]"');
    const csv = toCsv(['a', 'b'], [{ a: 'x,y', b: null }, { a: 'é', b: 2 }]);
    expect(csv).toBe('a,b\r\n"x,y",\r\né,2\r\n');
    expect(parseCsv(csv)).toEqual([['a', 'b'], ['x,y', ''], ['é', '2']]);
  });
});

describeEachEngine('portability (P5.5)', (store) => {
  let policy: LoadedPolicy;
  let seeded: SeededPerson;
  let exp: PortabilityExport;
  let files: Readonly<Record<string, Uint8Array>>;
  const events: AuditEvent[] = [];
  const now = new Date('2026-12-01T10:00:00Z');

  beforeAll(async () => {
    policy = await loadPolicy(DEFAULT_POLICY_FILE);
    seeded = await seedPersonEverywhere(store().db);
    await seedPersonEverywhere(store().db);
    exp = await buildPortabilityExport(store().db, policy, [seeded.personId], {
      now,
      actor: 'cli:test',
      audit: async (e) => {
        events.push(...e);
      },
    });
    files = unpackArchive(writePortabilityZip(exp));
  });

  it('P5.5 only purposes based on contract or consent are portable', () => {
    expect(portablePurposes(policy).map((p) => p.id)).toEqual(['crm', 'file_sharing']);
    expect(exp.purposes.map((p) => p.id)).toEqual(['crm', 'file_sharing']);
  });

  it('P5.5 the archive opens and parses: JSON, one CSV per table, a manifest', () => {
    const names = Object.keys(files).sort();
    expect(names).toContain('portability.json');
    expect(names).toContain('manifest.json');
    const json = JSON.parse(text.decode(files['portability.json'])) as PortabilityExport;
    expect(json).toEqual(JSON.parse(JSON.stringify(exp)));
    const tablesWithRows = Object.entries(exp.data).filter(([, rows]) => rows.length > 0).map(([t]) => `csv/${t}.csv`);
    expect(names.filter((n) => n.startsWith('csv/')).sort()).toEqual(tablesWithRows.sort());
    const manifest = JSON.parse(text.decode(files['manifest.json'])) as { kind: string; files: { name: string }[] };
    expect(manifest.kind).toBe('portability');
    expect(manifest.files.map((f) => f.name).sort()).toEqual(names.filter((n) => n !== 'manifest.json'));
  });

  it('P5.5 fields match: every CSV holds the JSON rows, cell for cell', () => {
    for (const [table, rows] of Object.entries(exp.data)) {
      if (rows.length === 0) continue;
      const csv = parseCsv(text.decode(files[`csv/${table}.csv`]));
      const columns = exp.fields[table] ?? [];
      expect(csv[0]).toEqual(columns);
      expect(csv.slice(1)).toHaveLength(rows.length);
      rows.forEach((row, i) => {
        columns.forEach((c, j) => {
          const v: ExportValue = row[c] ?? null;
          const cell = csv[i + 1]?.[j] ?? '';
          const expected = v === null ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
          // A guarded cell carries one leading apostrophe.
          expect(cell === expected || cell === `'${expected}`).toBe(true);
        });
      });
    }
  });

  it('P5.5 holds only fields the person provided, of contract or consent purposes, and all of them', () => {
    const eligible = new Set(portablePurposes(policy).map((p) => p.id));
    for (const [table, columns] of Object.entries(exp.fields)) {
      for (const c of columns) {
        const entry = catalogueEntry(table)?.columns[c];
        expect(entry?.personal && entry.provided && entry.purposes.some((p) => eligible.has(p)), `${table}.${c}`).toBe(true);
      }
    }
    // Every provided value seeded is there.
    for (const [table, columns] of Object.entries(exp.fields)) {
      for (const row of seeded.rows[table] ?? []) {
        for (const c of columns) {
          if (row[c] === undefined || row[c] === null) continue;
          expect(exp.data[table]?.map((r) => r[c])).toContainEqual(toExportValue(row[c]));
        }
      }
    }
    // Observed or produced data is not: the source, invoice numbers, connection logs, accounts.
    const all = Object.values(files).map((f) => text.decode(f)).join('\n');
    expect(all).toContain(`Nom-${seeded.tag}`);
    for (const absent of [`Salon-${seeded.tag}`, `FAC-${seeded.tag}`, `CMD-${seeded.tag}`, `Navigateur-${seeded.tag}`, `compte-${seeded.tag}`, `Enquête-${seeded.tag}`]) {
      expect(all).not.toContain(absent);
    }
    expect(Object.keys(exp.data)).not.toContain('connection_logs');
    expect(Object.keys(exp.data)).not.toContain('invoices');
  });

  it('P5.5 a prospect record, kept on legitimate interest, is not portable', async () => {
    const prospect = await seedPersonEverywhere(store().db);
    await store().db.updateTable('people').set({ purpose: 'prospecting', relation: 'prospect' }).where('id', '=', prospect.personId).execute();
    const p = await buildPortabilityExport(store().db, policy, [prospect.personId], { now, actor: 'cli:test', audit: async () => {} });
    expect(p.data.people).toEqual([]);
    expect(JSON.stringify(p.data.people)).not.toContain(prospect.tag);
  });

  it('P5.5 the export is audited with field names, never values', () => {
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ action: 'export', resource: 'subject', actor: 'cli:test', personIds: [seeded.personId] });
    expect(events[0]?.fields).toContain('people.email');
    expect(events[0]?.fields).not.toContain('people.source');
    expect(JSON.stringify(events)).not.toContain(seeded.tag);
  });
});
