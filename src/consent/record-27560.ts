import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { LoadedPolicy } from '../policy/index.js';
import { consentHistory, type ConsentEvent } from './events.js';
import type { ConsentRecipient, ConsentScope, ConsentState } from './tables.js';

/**
 * Consent records in the shape of ISO/IEC TS 27560:2023 (consent record information
 * structure): one record per consent event, carrying the record id, the subject, the
 * notice and its version, the purpose, the data, the controller, the recipients, the
 * storage locations, the retention, the jurisdiction, the withdrawal method, the event's
 * time and state; plus what GDPR Art. 7(1) proof needs (channel, exact text, collector,
 * evidence). Field names follow the standard's, in camelCase. `scope` says what the
 * consent is for: a partner's file exchange, or the controller's own email prospecting
 * or open tracking (whose recipient is the controller, from the policy).
 */
export interface ConsentRecord27560 {
  readonly recordId: string;
  readonly schemaVersion: '27560:2023';
  readonly subject: { readonly id: string; readonly pseudonym: string };
  readonly scope: ConsentScope;
  readonly notice: { readonly id: string; readonly version: string; readonly textShown: string };
  readonly purpose: { readonly id: string; readonly description: string; readonly legalBasis: 'consent' };
  readonly dataCategories: readonly string[];
  readonly controller: { readonly name: string };
  readonly recipients: readonly ConsentRecipient[];
  readonly storageLocations: readonly { readonly id: string; readonly country: string }[];
  readonly retention: string;
  readonly jurisdiction: string;
  readonly withdrawalMethod: string;
  readonly event: {
    readonly time: string;
    readonly state: ConsentState;
    readonly channel: string;
    readonly collector: string;
    readonly evidence: string | null;
  };
  readonly recordedAt: string;
}

/** The export of a person's consent records. */
export interface ConsentExport27560 {
  readonly standard: 'ISO/IEC TS 27560:2023';
  readonly generatedAt: string;
  readonly personId: string;
  readonly records: readonly ConsentRecord27560[];
}

/** One event as a 27560 record. */
export function toRecord27560(policy: LoadedPolicy, personId: string, e: ConsentEvent): ConsentRecord27560 {
  const purpose = policy.purposes.find((p) => p.id === e.purpose);
  return {
    recordId: e.id,
    schemaVersion: '27560:2023',
    subject: { id: personId, pseudonym: e.subjectId },
    scope: e.scope,
    notice: { id: e.noticeId, version: e.noticeVersion, textShown: e.textShown },
    purpose: { id: e.purpose, description: purpose ? purpose.description.en : e.purpose, legalBasis: 'consent' },
    dataCategories: e.dataCategories,
    controller: { name: e.controller },
    recipients: [e.recipient],
    storageLocations: e.storageLocations,
    retention: e.retention,
    jurisdiction: e.jurisdiction,
    withdrawalMethod: e.withdrawalMethod,
    event: { time: e.eventAt.toISOString(), state: e.state, channel: e.channel, collector: e.collector, evidence: e.evidence },
    recordedAt: e.recordedAt.toISOString(),
  };
}

/** Every consent record of the person, oldest first (GDPR Art. 7(1), 15). */
export async function exportConsents27560(db: Kysely<Database>, policy: LoadedPolicy, personId: string, now: Date): Promise<ConsentExport27560> {
  const events = await consentHistory(db, personId);
  return { standard: 'ISO/IEC TS 27560:2023', generatedAt: now.toISOString(), personId, records: events.map((e) => toRecord27560(policy, personId, e)) };
}

const text = { type: 'string', minLength: 1 } as const;

/**
 * JSON Schema (draft 2020-12) of the export, written from the field list of ISO/IEC TS
 * 27560 (record id, subject, notice and version, purpose, data, controller, recipients,
 * storage location, retention, jurisdiction, withdrawal method, event time and state).
 */
export const CONSENT_EXPORT_SCHEMA = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'https://rempart.invalid/schemas/consent-export-27560.json',
  type: 'object',
  additionalProperties: false,
  required: ['standard', 'generatedAt', 'personId', 'records'],
  properties: {
    standard: { const: 'ISO/IEC TS 27560:2023' },
    generatedAt: { type: 'string', format: 'date-time' },
    personId: { type: 'string', format: 'uuid' },
    records: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: [
          'recordId', 'schemaVersion', 'subject', 'scope', 'notice', 'purpose', 'dataCategories', 'controller', 'recipients',
          'storageLocations', 'retention', 'jurisdiction', 'withdrawalMethod', 'event', 'recordedAt',
        ],
        properties: {
          recordId: { type: 'string', format: 'uuid' },
          schemaVersion: { const: '27560:2023' },
          subject: { type: 'object', additionalProperties: false, required: ['id', 'pseudonym'], properties: { id: { type: 'string', format: 'uuid' }, pseudonym: { type: 'string', format: 'uuid' } } },
          scope: { enum: ['file_sharing', 'email_prospecting', 'open_tracking'] },
          notice: { type: 'object', additionalProperties: false, required: ['id', 'version', 'textShown'], properties: { id: text, version: text, textShown: text } },
          purpose: { type: 'object', additionalProperties: false, required: ['id', 'description', 'legalBasis'], properties: { id: text, description: text, legalBasis: { const: 'consent' } } },
          dataCategories: { type: 'array', minItems: 1, items: text },
          controller: { type: 'object', additionalProperties: false, required: ['name'], properties: { name: text } },
          recipients: {
            type: 'array',
            minItems: 1,
            items: {
              oneOf: [
                {
                  type: 'object',
                  additionalProperties: false,
                  required: ['id', 'name', 'kind', 'country', 'transferGround'],
                  properties: {
                    id: { type: 'string', format: 'uuid' },
                    name: text,
                    kind: { enum: ['group_company', 'partner'] },
                    country: { type: 'string', pattern: '^[A-Z]{2}$' },
                    transferGround: { enum: ['eu_eea', 'adequacy', 'scc', 'bcr'] },
                  },
                },
                {
                  // The controller's own scopes: the data go to no one else.
                  type: 'object',
                  additionalProperties: false,
                  required: ['name', 'kind', 'country'],
                  properties: { name: text, kind: { const: 'controller' }, country: { type: 'string', pattern: '^[A-Z]{2}$' } },
                },
              ],
            },
          },
          storageLocations: {
            type: 'array',
            minItems: 1,
            items: { type: 'object', additionalProperties: false, required: ['id', 'country'], properties: { id: text, country: text } },
          },
          retention: text,
          jurisdiction: text,
          withdrawalMethod: text,
          event: {
            type: 'object',
            additionalProperties: false,
            required: ['time', 'state', 'channel', 'collector', 'evidence'],
            properties: {
              time: { type: 'string', format: 'date-time' },
              state: { enum: ['given', 'refused', 'withdrawn'] },
              channel: text,
              collector: text,
              evidence: { anyOf: [{ type: 'string' }, { type: 'null' }] },
            },
          },
          recordedAt: { type: 'string', format: 'date-time' },
        },
      },
    },
  },
} as const;
