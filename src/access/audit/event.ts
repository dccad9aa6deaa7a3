import { RempartError } from '../../errors.js';
import { AUDIT_ACTIONS, type AuditAction, type QueuedAuditEvent } from './tables.js';

/**
 * One read or write of personal data (GDPR Art. 5(2), accountability; P2.5): who
 * (actor, role), why (purpose), what (action, resource, records), whom (persons) and
 * which fields. Field NAMES only: the trail must never become a second copy of the data
 * (Art. 5(1)(c); P5.2, the audit trail records that a field changed, never the values).
 */
export interface AuditEvent {
  readonly at: Date;
  /** `Actor.id`: `user:<uuid>`, `token:<uuid>`, `cli:<os user>`, `system:<job>`. */
  readonly actor: string;
  readonly role: string | null;
  readonly purpose: string | null;
  readonly action: AuditAction;
  /** The record type, e.g. 'people'. */
  readonly resource: string;
  readonly recordIds: readonly string[];
  readonly personIds: readonly string[];
  readonly fields: readonly string[];
  readonly reason?: string | null;
}

function refuse(field: string, message: string): RempartError {
  return new RempartError('INTERNAL', `Audit event refused: ${field} ${message}.`, { details: [{ field, message }] });
}

function strings(field: string, value: readonly string[]): readonly string[] {
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) throw refuse(field, 'must be a list of strings');
  return [...value];
}

/** Checks an event and turns it into its queued (JSON) form; throws INTERNAL on a malformed one. */
export function toQueuedEvent(event: AuditEvent): QueuedAuditEvent {
  if (!(event.at instanceof Date) || Number.isNaN(event.at.getTime())) throw refuse('at', 'is not a valid date');
  if (typeof event.actor !== 'string' || event.actor === '') throw refuse('actor', 'is empty');
  if (!(AUDIT_ACTIONS as readonly string[]).includes(event.action)) throw refuse('action', `must be one of ${AUDIT_ACTIONS.join(', ')}`);
  if (typeof event.resource !== 'string' || event.resource === '') throw refuse('resource', 'is empty');
  return {
    at: event.at.toISOString(),
    actor: event.actor,
    role: event.role ?? null,
    purpose: event.purpose ?? null,
    action: event.action,
    resource: event.resource,
    recordIds: strings('recordIds', event.recordIds),
    personIds: strings('personIds', event.personIds),
    fields: strings('fields', event.fields),
    reason: event.reason ?? null,
  };
}

const isStringList = (v: unknown): v is string[] => Array.isArray(v) && v.every((s) => typeof s === 'string');
const isNullableString = (v: unknown): v is string | null => v === null || typeof v === 'string';

/** Reads a queued event back from jsonb; throws STORE_CORRUPT when the row is not one appendInTransaction wrote. */
export function parseQueuedEvent(value: unknown, queueId: string): QueuedAuditEvent {
  const v = (typeof value === 'string' ? JSON.parse(value) : value) as Record<string, unknown> | null;
  if (
    v === null ||
    typeof v !== 'object' ||
    typeof v.at !== 'string' ||
    Number.isNaN(Date.parse(v.at)) ||
    typeof v.actor !== 'string' ||
    !isNullableString(v.role) ||
    !isNullableString(v.purpose) ||
    typeof v.action !== 'string' ||
    !(AUDIT_ACTIONS as readonly string[]).includes(v.action) ||
    typeof v.resource !== 'string' ||
    !isStringList(v.recordIds) ||
    !isStringList(v.personIds) ||
    !isStringList(v.fields) ||
    !isNullableString(v.reason ?? null)
  ) {
    throw new RempartError('STORE_CORRUPT', `The audit queue holds a malformed event (queue id ${queueId}); it was left in place.`);
  }
  return v as unknown as QueuedAuditEvent;
}
