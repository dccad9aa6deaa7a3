import { RempartError } from '../../errors.js';
import { AUDIT_ACTIONS, type AuditEvent, type QueuedAuditEvent } from './tables.js';

export type { AuditEvent } from './tables.js';

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
