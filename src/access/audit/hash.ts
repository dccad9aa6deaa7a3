import { createHash } from 'node:crypto';
import type { QueuedAuditEvent } from './tables.js';

/** The `prev_hash` of the very first entry: 64 zeros. */
export const GENESIS_HASH = '0'.repeat(64);

/** What an entry's hash covers: everything but the hashes themselves, its seq included. */
export type AuditEntryContent = QueuedAuditEvent & { readonly seq: number };

type JsonValue = string | number | boolean | null | readonly JsonValue[] | { readonly [k: string]: JsonValue };

/**
 * JSON with object keys sorted at every level and no spaces, so one content always
 * gives the same bytes whatever order its keys were built in (the idea of RFC 8785).
 */
export function canonicalJson(value: JsonValue): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map((v: JsonValue) => canonicalJson(v)).join(',')}]`;
  const obj = value as { readonly [k: string]: JsonValue };
  const keys = Object.keys(obj).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k] ?? null)}`).join(',')}}`;
}

/** sha256(prev_hash ‖ canonical JSON of the content), hex: the link of the chain. */
export function entryHash(prevHash: string, content: AuditEntryContent): string {
  const json = canonicalJson({
    seq: content.seq,
    at: content.at,
    actor: content.actor,
    role: content.role,
    purpose: content.purpose,
    action: content.action,
    resource: content.resource,
    recordIds: content.recordIds,
    personIds: content.personIds,
    fields: content.fields,
    reason: content.reason,
  });
  return createHash('sha256').update(prevHash, 'utf8').update(json, 'utf8').digest('hex');
}
