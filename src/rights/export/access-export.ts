import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import type { LoadedPolicy } from '../../policy/index.js';
import { exportAuditEvent, type ExportAuditOptions } from './audit.js';
import { accessColumns, collectSubjectRows, type ExportRow } from './collect.js';
import { buildAccessContext, type AccessContext } from './context.js';
import type { Language } from './texts.js';

/** The policy version an answer was made under (D3): the notice the person can compare it with. */
export interface ExportPolicyVersion {
  readonly effectiveDate: string;
  readonly label: string | null;
  readonly hash: string;
}

/** Who the export is about: their record ids and how they are named in them. */
export interface ExportPerson {
  readonly ids: readonly string[];
  readonly names: readonly string[];
  readonly emails: readonly string[];
}

/**
 * The answer to an access request (GDPR Art. 15) as data: every row concerning the
 * person in every catalogued table (`data`, keyed by table, then SQL column names) and
 * the Art. 15(1)–(2) information (`context`). Its shape is stable: it is what the
 * JSON file of the ZIP holds.
 */
export interface AccessExport {
  readonly kind: 'access';
  readonly generatedAt: string;
  readonly language: Language;
  readonly policyVersion: ExportPolicyVersion;
  readonly person: ExportPerson;
  readonly data: Readonly<Record<string, readonly ExportRow[]>>;
  readonly context: AccessContext;
}

/** Options of buildAccessExport. */
export interface AccessExportOptions extends ExportAuditOptions {
  readonly now: Date;
  readonly language: Language;
}

/** The policy version block of an export. */
export function exportPolicyVersion(policy: LoadedPolicy): ExportPolicyVersion {
  return { effectiveDate: policy.version.effectiveDate, label: policy.version.label ?? null, hash: policy.version.hash };
}

const text = (v: unknown): string | null => (typeof v === 'string' && v.trim() !== '' ? v : null);

/**
 * Gathers the access export of the people records `personIds` (one person may have
 * several): every catalogued table with a subject link is searched, and the export's
 * audit event is durable before the export is returned (P2.5: nothing leaves unrecorded).
 */
export async function buildAccessExport(
  db: Kysely<Database>,
  policy: LoadedPolicy,
  personIds: readonly string[],
  options: AccessExportOptions,
): Promise<AccessExport> {
  const collected = await collectSubjectRows(db, personIds, accessColumns);
  const people = collected.find((t) => t.entry.table === 'people')?.rows ?? [];
  const person: ExportPerson = {
    ids: [...personIds],
    names: [...new Set(people.flatMap((r) => {
      const name = [text(r.first_name), text(r.last_name)].filter((s) => s !== null).join(' ');
      return name === '' ? [] : [name];
    }))],
    emails: [...new Set(people.flatMap((r) => (text(r.email) === null ? [] : [String(r.email)])))],
  };
  const result: AccessExport = {
    kind: 'access',
    generatedAt: options.now.toISOString(),
    language: options.language,
    policyVersion: exportPolicyVersion(policy),
    person,
    data: Object.fromEntries(collected.map((t) => [t.entry.table, t.rows])),
    context: buildAccessContext(policy, collected, options.language),
  };
  await options.audit([
    exportAuditEvent(collected, personIds, { actor: options.actor, role: options.role, at: options.now, reason: 'GDPR Art. 15 access request' }),
  ]);
  return result;
}
