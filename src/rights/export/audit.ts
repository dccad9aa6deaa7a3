import type { AuditEvent } from '../../access/audit/index.js';
import type { CollectedTable } from './collect.js';

/** Where an export's audit events go: the caller decides (an AuditWriter on the CLI, the request's transaction elsewhere). */
export type AuditSink = (events: readonly AuditEvent[]) => Promise<void>;

/** Who asks for an export, and where its audit event goes. */
export interface ExportAuditOptions {
  /** `Actor.id` of who made the export (`cli:<os user>`, `user:<uuid>`, …). */
  readonly actor: string;
  readonly role?: string | null;
  readonly audit: AuditSink;
}

/**
 * The audit event of an export (GDPR Art. 5(2); P2.5): who, which people, which record
 * ids and the `table.column` names handed out, never their values.
 */
export function exportAuditEvent(
  collected: readonly CollectedTable[],
  personIds: readonly string[],
  options: { readonly actor: string; readonly role?: string | null; readonly at: Date; readonly reason: string },
): AuditEvent {
  const withRows = collected.filter((t) => t.rows.length > 0);
  return {
    at: options.at,
    actor: options.actor,
    role: options.role ?? null,
    purpose: null,
    action: 'export',
    resource: 'subject',
    recordIds: withRows.flatMap((t) => t.rows.flatMap((r) => (typeof r.id === 'string' ? [r.id] : []))),
    personIds: [...personIds],
    fields: withRows.flatMap((t) => t.columns.map((c) => `${t.entry.table}.${c}`)),
    reason: options.reason,
  };
}
