import { beforeAll, describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../access/audit/index.js';
import { CATALOGUE } from '../../catalogue/catalogue.js';
import { DEFAULT_POLICY_FILE, loadPolicy, type LoadedPolicy } from '../../policy/index.js';
import { describeEachEngine } from '../../../test/engines.js';
import {
  buildAccessExport,
  escapeHtml,
  findPeopleByEmail,
  renderAccessHtml,
  subjectTables,
  toExportValue,
  unpackArchive,
  writeAccessZip,
  type AccessExport,
  type ExportValue,
} from './index.js';
import { seedPersonEverywhere, unseededSubjectTables, type SeededPerson } from './test-support.js';

const CNIL = ['8 rue Vivienne, CS 30223, F-75002 Paris Cedex 02', '+33 1 53 73 22 22', 'www.cnil.fr'];

/** Every scalar inside an exported value, as text. */
function leaves(v: ExportValue): string[] {
  if (v === null) return [];
  if (Array.isArray(v)) return v.flatMap((x: ExportValue) => leaves(x));
  if (typeof v === 'object') return Object.values(v as Record<string, ExportValue>).flatMap(leaves);
  return [String(v)];
}

/** Every personal value seeded for the person: table, column and its exported form. */
function seededPersonalValues(seeded: SeededPerson): { table: string; column: string; value: ExportValue }[] {
  return subjectTables().flatMap((t) =>
    (seeded.rows[t.table] ?? []).flatMap((row) =>
      Object.entries(row).flatMap(([column, value]) =>
        t.columns[column]?.personal && value !== null && value !== undefined ? [{ table: t.table, column, value: toExportValue(value) }] : [],
      ),
    ),
  );
}

const text = new TextDecoder();

describe('seedPersonEverywhere', () => {
  it('P5.1 has a seeder for every catalogued table with a subject link', () => {
    expect(unseededSubjectTables()).toEqual([]);
  });
});

describeEachEngine('access export (P5.1, P5.7)', (store) => {
  let policy: LoadedPolicy;
  let seeded: SeededPerson;
  let other: SeededPerson;
  let exp: AccessExport;
  const events: AuditEvent[] = [];
  const now = new Date('2026-12-01T10:00:00Z');

  beforeAll(async () => {
    policy = await loadPolicy(DEFAULT_POLICY_FILE);
    seeded = await seedPersonEverywhere(store().db);
    other = await seedPersonEverywhere(store().db);
    const ids = await findPeopleByEmail(store().db, seeded.email);
    exp = await buildAccessExport(store().db, policy, ids, {
      now,
      language: 'fr',
      actor: 'cli:test',
      role: null,
      audit: async (e) => {
        events.push(...e);
      },
    });
  });

  it('P5.1 the seed put a row in every catalogued table with a subject link', () => {
    const empty = CATALOGUE.filter((t) => t.subjects.length > 0 && (seeded.rows[t.table]?.length ?? 0) === 0).map((t) => t.table);
    expect(empty).toEqual([]);
  });

  it('P5.1 finds the person by email, trimmed and case-insensitive', async () => {
    expect(await findPeopleByEmail(store().db, `  ${seeded.email.toUpperCase()} `)).toEqual([seeded.personId]);
    expect(await findPeopleByEmail(store().db, 'nobody@example.test')).toEqual([]);
    expect(await findPeopleByEmail(store().db, '   ')).toEqual([]);
  });

  it('P5.1 the JSON export holds every personal value seeded, in every table with a subject link', () => {
    const values = seededPersonalValues(seeded);
    expect(new Set(values.map((v) => v.table))).toEqual(new Set(subjectTables().map((t) => t.table)));
    const missing = values.filter(({ table, column, value }) => !(exp.data[table] ?? []).some((row) => expectEqual(row[column], value)));
    expect(missing).toEqual([]);
  });

  it('P5.1 the export holds nothing of another person', () => {
    const json = JSON.stringify(exp);
    expect(json).not.toContain(other.tag);
    expect(json).toContain(seeded.tag);
    expect(exp.person.ids).toEqual([seeded.personId]);
  });

  it('P5.1 the ZIP holds access.json, access.html and a manifest; JSON and HTML carry every seeded value', async () => {
    const files = unpackArchive(await writeAccessZip(exp, { format: 'html' }));
    expect(Object.keys(files).sort()).toEqual(['access.html', 'access.json', 'manifest.json']);
    const json = JSON.parse(text.decode(files['access.json'])) as AccessExport;
    expect(json).toEqual(JSON.parse(JSON.stringify(exp)));
    const html = text.decode(files['access.html']);
    const missing = seededPersonalValues(seeded).flatMap(({ table, column, value }) =>
      leaves(value).filter((leaf) => !html.includes(escapeHtml(leaf))).map((leaf) => `${table}.${column}: ${leaf}`),
    );
    expect(missing).toEqual([]);
    const manifest = JSON.parse(text.decode(files['manifest.json'])) as { files: { name: string; sha256: string }[]; generatedAt: string; policyVersion: { hash: string } };
    expect(manifest.generatedAt).toBe(now.toISOString());
    expect(manifest.policyVersion.hash).toBe(policy.version.hash);
    expect(manifest.files.map((f) => f.name).sort()).toEqual(['access.html', 'access.json']);
  });

  it('P5.1 a PDF is added on request', async () => {
    const files = unpackArchive(await writeAccessZip(exp, { format: 'pdf' }));
    expect(Object.keys(files).sort()).toEqual(['access.html', 'access.json', 'access.pdf', 'manifest.json']);
    expect(Buffer.from(files['access.pdf'] ?? new Uint8Array()).subarray(0, 5).toString()).toBe('%PDF-');
  });

  it('P5.7 the Art. 15 context: purposes, legal bases, categories, recipients, retention, source, rights and the CNIL', () => {
    const ctx = exp.context;
    const crm = ctx.purposes.find((p) => p.id === 'crm');
    expect(crm?.legalBases.map((b) => b.id)).toEqual(['contract', 'legitimate_interest']);
    expect(crm?.recipients.map((r) => r.id)).toContain('debt_recovery');
    expect(crm?.retention.summary).toContain('3 ans');
    expect(crm?.retention.holds[0]?.basis).toBe('Code de commerce L123-22');
    expect(ctx.purposes.map((p) => p.id)).toEqual(expect.arrayContaining(['crm', 'connection_logs']));
    expect(ctx.categories.map((c) => c.id)).toEqual(expect.arrayContaining(['identity', 'contact', 'financial', 'provenance']));
    expect(ctx.recipients.length).toBeGreaterThan(0);
    expect(ctx.sources).toContainEqual(expect.objectContaining({ table: 'people', recordId: seeded.personId, values: expect.objectContaining({ source: `Salon-${seeded.tag}` }) }));
    expect(ctx.rights.map((r) => r.id)).toEqual(
      expect.arrayContaining(['access', 'rectification', 'erasure', 'restriction', 'portability', 'objection', 'withdraw_consent', 'complaint']),
    );
    expect(ctx.complaint.authority).toBe('CNIL');
    const html = renderAccessHtml(exp);
    for (const s of CNIL) {
      expect(JSON.stringify(ctx.complaint)).toContain(s);
      expect(html).toContain(escapeHtml(s));
    }
    for (const p of ctx.purposes) expect(html).toContain(escapeHtml(p.retention.summary));
    expect(html).toContain('Droit à la portabilité');
  });

  it('P5.1 the HTML is written in English on request', async () => {
    const en = await buildAccessExport(store().db, policy, [seeded.personId], { now, language: 'en', actor: 'cli:test', audit: async () => {} });
    const html = renderAccessHtml(en);
    expect(html).toContain('<html lang="en">');
    expect(html).toContain('Right to data portability');
    expect(html).toContain('Complaint to the CNIL');
    expect(en.context.purposes.find((p) => p.id === 'crm')?.retention.summary).toContain('3 years');
  });

  it('P5.1 the export is audited: action export on the subject, field names and ids, never values', () => {
    expect(events).toHaveLength(1);
    const event = events[0];
    expect(event).toMatchObject({ actor: 'cli:test', action: 'export', resource: 'subject', personIds: [seeded.personId] });
    expect(event?.fields).toEqual(expect.arrayContaining(['people.email', 'people.last_name', 'invoices.amount', 'connection_logs.source_ip']));
    expect(JSON.stringify(event)).not.toContain(seeded.tag);
  });

  it('P5.1 stored values cannot inject HTML', async () => {
    const hostile = `<script>alert("${seeded.tag}")</script><img src=x onerror=alert(1)>`;
    await store().db.updateTable('people').set({ jobTitle: hostile }).where('id', '=', seeded.personId).execute();
    const e = await buildAccessExport(store().db, policy, [seeded.personId], { now, language: 'fr', actor: 'cli:test', audit: async () => {} });
    const html = renderAccessHtml(e);
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<img');
    expect(html).toContain(escapeHtml(hostile));
    expect(e.data.people?.[0]?.job_title).toBe(hostile);
  });

  it('P5.1 one email on several records: the request covers them all', async () => {
    const twin = await seedPersonEverywhere(store().db);
    await store().db.updateTable('people').set({ email: ` ${seeded.email.toLowerCase()}` }).where('id', '=', twin.personId).execute();
    const ids = await findPeopleByEmail(store().db, seeded.email);
    expect([...ids].sort()).toEqual([seeded.personId, twin.personId].sort());
    const both = await buildAccessExport(store().db, policy, ids, { now, language: 'fr', actor: 'cli:test', audit: async () => {} });
    const json = JSON.stringify(both);
    expect(json).toContain(seeded.tag);
    expect(json).toContain(twin.tag);
    expect(both.data.orders).toHaveLength(2);
  });
});

/** Deep equality of exported values, ignoring key order (jsonb reorders keys). */
function expectEqual(a: ExportValue | undefined, b: ExportValue): boolean {
  try {
    expect(a).toEqual(b);
    return true;
  } catch {
    return false;
  }
}
