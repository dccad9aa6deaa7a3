import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import type { LoadedPolicy, Purpose } from '../../policy/index.js';
import { exportPolicyVersion, type ExportPolicyVersion } from './access-export.js';
import type { ExportAuditOptions } from './audit.js';
import { collectSubjectRows, type ColumnFilter, type ExportRow } from './collect.js';
import { toCsv } from './csv.js';
import { packArchive, type ArchiveFile } from './zip.js';

/**
 * The answer to a portability request (GDPR Art. 20) as data: only what the person
 * provided, under a contract or their consent. `fields` lists each table's columns, so
 * an importer can read the CSV files without guessing.
 */
export interface PortabilityExport {
  readonly kind: 'portability';
  readonly generatedAt: string;
  readonly policyVersion: ExportPolicyVersion;
  readonly personIds: readonly string[];
  /** The purposes whose data is portable: those resting on contract or consent (Art. 20(1)(a)). */
  readonly purposes: readonly { readonly id: string; readonly legalBases: readonly string[] }[];
  readonly fields: Readonly<Record<string, readonly string[]>>;
  readonly data: Readonly<Record<string, readonly ExportRow[]>>;
}

/** The purposes Art. 20(1)(a) covers: processing based on consent (Art. 6(1)(a)) or on a contract (Art. 6(1)(b)). */
export function portablePurposes(policy: LoadedPolicy): readonly Purpose[] {
  return policy.purposes.filter((p) => p.legalBases.includes('contract') || p.legalBases.includes('consent'));
}

/**
 * Gathers the portable data of the people records `personIds`: personal columns the
 * catalogue marks `provided` (Art. 20(1): "which he or she has provided"), of purposes
 * based on contract or consent, in rows whose purpose tag is one of those (a prospect's
 * record, kept on legitimate interest, is not portable). The audit event is durable
 * before the export is returned (P2.5).
 */
export async function buildPortabilityExport(
  db: Kysely<Database>,
  policy: LoadedPolicy,
  personIds: readonly string[],
  options: ExportAuditOptions & { readonly now: Date },
): Promise<PortabilityExport> {
  const eligible = new Set<string>(portablePurposes(policy).map((p) => p.id));
  const portable: ColumnFilter = (_column, entry) => entry.personal && entry.provided && entry.purposes.some((p) => eligible.has(p));
  // The id and the purpose tag are read too: the id for the audit trail, the tag to keep only eligible rows.
  const collected = await collectSubjectRows(db, personIds, (column, entry, table) =>
    portable(column, entry, table) || (!entry.personal && (column === 'id' || column === 'purpose')),
  );
  const fields: Record<string, readonly string[]> = {};
  const data: Record<string, readonly ExportRow[]> = {};
  const recordIds: string[] = [];
  const auditFields: string[] = [];
  for (const t of collected) {
    const columns = t.columns.filter((c) => {
      const entry = t.entry.columns[c];
      return entry !== undefined && portable(c, entry, t.entry);
    });
    if (columns.length === 0) continue;
    const rows = t.rows.filter((r) => typeof r.purpose !== 'string' || eligible.has(r.purpose));
    fields[t.entry.table] = columns;
    data[t.entry.table] = rows.map((r) => Object.fromEntries(columns.map((c) => [c, r[c] ?? null])));
    for (const r of rows) if (typeof r.id === 'string') recordIds.push(r.id);
    if (rows.length > 0) auditFields.push(...columns.map((c) => `${t.entry.table}.${c}`));
  }
  const result: PortabilityExport = {
    kind: 'portability',
    generatedAt: options.now.toISOString(),
    policyVersion: exportPolicyVersion(policy),
    personIds: [...personIds],
    purposes: portablePurposes(policy).map((p) => ({ id: p.id, legalBases: p.legalBases })),
    fields,
    data,
  };
  await options.audit([
    {
      at: options.now,
      actor: options.actor,
      role: options.role ?? null,
      purpose: null,
      action: 'export',
      resource: 'subject',
      recordIds,
      personIds: [...personIds],
      fields: auditFields,
      reason: 'GDPR Art. 20 portability request',
    },
  ]);
  return result;
}

/**
 * The portability ZIP (Art. 20(1): "structured, commonly used and machine-readable"):
 * `portability.json`, one RFC 4180 CSV per table holding rows under `csv/`, and
 * `manifest.json` with each file's SHA-256.
 */
export function writePortabilityZip(exp: PortabilityExport): Buffer {
  const files: ArchiveFile[] = [{ name: 'portability.json', content: `${JSON.stringify(exp, null, 2)}\n` }];
  for (const [table, rows] of Object.entries(exp.data)) {
    if (rows.length === 0) continue;
    files.push({ name: `csv/${table}.csv`, content: toCsv(exp.fields[table] ?? [], rows) });
  }
  return packArchive(files, { kind: 'portability', generatedAt: exp.generatedAt, policyVersion: exp.policyVersion });
}
