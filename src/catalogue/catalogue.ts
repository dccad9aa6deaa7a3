import { AUDIT_CATALOGUE } from '../access/audit/catalogue-entries.js';
import { AUTH_CATALOGUE } from '../access/auth/catalogue-entries.js';
import { CONNECTION_LOG_CATALOGUE } from '../access/connection-logs/catalogue-entries.js';
import type { PurposeId } from '../db/column-types.js';
import type { DataCategory, PersonalColumn, PlainColumn, TableEntry } from './types.js';
import { ERASURE_CATALOGUE } from '../rights/erasure/catalogue-entries.js';
import { OPPOSITION_CATALOGUE } from '../rights/opposition/catalogue-entries.js';
import { PROSPECTING_IMPORT_CATALOGUE } from '../prospecting/import/catalogue-entries.js';
import { RECIPIENTS_CATALOGUE } from '../rights/recipients/catalogue-entries.js';
import { RECTIFICATION_CATALOGUE } from '../rights/rectification/catalogue-entries.js';
import { RIGHTS_REQUESTS_CATALOGUE } from '../rights/requests/catalogue-entries.js';
import { RESTRICTION_CATALOGUE } from '../rights/restriction/catalogue-entries.js';
import { CONSENT_CATALOGUE } from '../consent/catalogue-entries.js';
import { RETENTION_CATALOGUE } from '../retention/catalogue-entries.js';
import { CONTACT_CATALOGUE } from '../retention/contact/catalogue-entries.js';
import { STATISTICS_CATALOGUE } from '../retention/statistics/catalogue-entries.js';
import { CAMPAIGNS_CATALOGUE } from '../prospecting/campaigns/catalogue-entries.js';
import { TRAINING_CATALOGUE } from '../training/catalogue-entries.js';
import { PORTAL_CATALOGUE } from '../rights/portal/catalogue-entries.js';

/**
 * The personal-data catalogue (P1.1): one declaration of every column of every table,
 * saying whether it can hold personal data, of which category, for which purposes,
 * and whether the person provided it (GDPR Art. 20 portability covers only data the
 * person provided). The rights and retention engines walk this catalogue, so they
 * never list tables by hand; a test fails when a column of the database is missing here.
 *
 * Names are the SQL ones (snake_case), since the check walks information_schema.
 */

export type { DataCategory, PersonalColumn, PlainColumn, ColumnEntry, SubjectLink, TableEntry } from './types.js';

const CRM: readonly PurposeId[] = ['crm'];
const CRM_AND_PROSPECTING: readonly PurposeId[] = ['crm', 'prospecting', 'file_sharing'];

const key = (why = 'surrogate key'): PlainColumn => ({ personal: false, why });
const meta = (why = 'bookkeeping timestamp of the row'): PlainColumn => ({ personal: false, why });
const purposeTag: PlainColumn = { personal: false, why: 'the purpose the row belongs to' };
const reference = (table: string): PlainColumn => ({ personal: false, why: `reference to ${table}` });
const p = (category: DataCategory, provided: boolean, purposes: readonly PurposeId[] = CRM): PersonalColumn => ({
  personal: true,
  category,
  purposes,
  provided,
});

const audited = { created_at: meta(), updated_at: meta() } as const;

/**
 * Legal persons' data is not personal data (GDPR recital 14), so an organisation's
 * name, identifiers and addresses are declared plain. A sole trader's name is the
 * exception the retention engine handles through the people linked to it.
 */
const LEGAL_PERSON = 'data of a legal person (GDPR recital 14)';

/** The client-relationship tables (annex art. 1, first purpose). */
const CRM_CATALOGUE: readonly TableEntry[] = [
  {
    table: 'organisations',
    description: 'Client, prospect, recovery-body, subcontractor and subsidiary companies',
    subjects: [],
    columns: {
      id: key(),
      purpose: purposeTag,
      kind: { personal: false, why: LEGAL_PERSON },
      name: { personal: false, why: LEGAL_PERSON },
      siret: { personal: false, why: LEGAL_PERSON },
      vat_number: { personal: false, why: LEGAL_PERSON },
      sector: { personal: false, why: LEGAL_PERSON },
      headcount: { personal: false, why: LEGAL_PERSON },
      addresses: { personal: false, why: LEGAL_PERSON },
      ...audited,
    },
  },
  {
    table: 'people',
    description: "The client's contacts, colleagues to contact, and prospects",
    subjects: [{ column: 'id' }],
    columns: {
      id: key(),
      purpose: purposeTag,
      relation: p('professional', false, CRM_AND_PROSPECTING),
      last_name: p('identity', true, CRM_AND_PROSPECTING),
      first_name: p('identity', true, CRM_AND_PROSPECTING),
      email: p('contact', true, CRM_AND_PROSPECTING),
      phones: p('contact', true, CRM_AND_PROSPECTING),
      postal_addresses: p('contact', true, CRM_AND_PROSPECTING),
      job_title: p('professional', true, CRM_AND_PROSPECTING),
      organisation_id: p('professional', true, CRM_AND_PROSPECTING),
      // GDPR Art. 14(2)(f): the source must be told to the person; it is data about them.
      source: p('provenance', false, CRM_AND_PROSPECTING),
      collected_at: p('provenance', false, CRM_AND_PROSPECTING),
      last_contact_at: p('provenance', false, CRM_AND_PROSPECTING),
      ...audited,
    },
  },
  {
    table: 'contracts',
    description: 'Contracts with client organisations',
    subjects: [{ column: 'person_id', via: { table: 'contract_contacts', column: 'contract_id', subjectColumn: 'id' } }],
    columns: {
      id: key(),
      purpose: purposeTag,
      organisation_id: reference('organisations'),
      offer: p('contract', true),
      start_date: p('contract', true),
      end_date: p('contract', true),
      status: p('contract', false),
      ...audited,
    },
  },
  {
    table: 'contract_contacts',
    description: 'Which people are the contacts of which contract',
    subjects: [{ column: 'person_id' }],
    columns: {
      contract_id: reference('contracts'),
      person_id: p('contract', true),
    },
  },
  {
    table: 'orders',
    description: 'Orders placed by client organisations',
    subjects: [{ column: 'person_id' }],
    columns: {
      id: key(),
      purpose: purposeTag,
      organisation_id: reference('organisations'),
      contract_id: reference('contracts'),
      person_id: p('order', true),
      number: p('order', false),
      ordered_at: p('order', true),
      amount: p('order', true),
      status: p('order', false),
      ...audited,
    },
  },
  {
    table: 'deliveries',
    description: 'Deliveries of orders, with their delivery address',
    subjects: [{ column: 'recipient_person_id' }],
    columns: {
      id: key(),
      purpose: purposeTag,
      order_id: reference('orders'),
      organisation_id: reference('organisations'),
      recipient_person_id: p('delivery', true),
      recipient_name: p('delivery', true),
      delivery_address: p('delivery', true),
      shipped_at: p('delivery', false),
      delivered_at: p('delivery', false),
      status: p('delivery', false),
      ...audited,
    },
  },
  {
    table: 'invoices',
    description: 'Invoices (accounting records: 10-year hold, Code de commerce L123-22)',
    subjects: [{ column: 'person_id' }],
    columns: {
      id: key(),
      purpose: purposeTag,
      organisation_id: reference('organisations'),
      contract_id: reference('contracts'),
      person_id: p('financial', false),
      number: p('financial', false),
      issue_date: p('financial', false),
      due_date: p('financial', false),
      amount: p('financial', false),
      currency: p('financial', false),
      status: p('financial', false),
      ...audited,
    },
  },
  {
    table: 'payments',
    description: 'Payments received against invoices',
    subjects: [{ column: 'person_id', via: { table: 'invoices', column: 'id', subjectColumn: 'invoice_id' } }],
    columns: {
      id: key(),
      purpose: purposeTag,
      invoice_id: reference('invoices'),
      organisation_id: reference('organisations'),
      amount: p('financial', false),
      paid_at: p('financial', false),
      method: p('financial', true),
      reference: p('financial', true),
      ...audited,
    },
  },
  ...(['complaints', 'tickets'] as const).map(
    (table): TableEntry => ({
      table,
      description: table === 'complaints' ? 'Complaints from clients' : 'After-sales service tickets',
      subjects: [{ column: 'person_id' }],
      columns: {
        id: key(),
        purpose: purposeTag,
        person_id: p('complaint', true),
        organisation_id: reference('organisations'),
        ...(table === 'tickets' ? { order_id: reference('orders') } : {}),
        subject: p('complaint', true),
        description: p('complaint', true),
        status: p('complaint', false),
        opened_at: p('complaint', true),
        closed_at: p('complaint', false),
        ...audited,
      },
    }),
  ),
  {
    table: 'surveys',
    description: 'Answers to satisfaction surveys',
    subjects: [{ column: 'person_id' }],
    columns: {
      id: key(),
      purpose: purposeTag,
      person_id: p('survey', true),
      organisation_id: reference('organisations'),
      survey: p('survey', false),
      score: p('survey', true),
      comment: p('survey', true),
      answered_at: p('survey', true),
      ...audited,
    },
  },
  {
    table: 'debt_cases',
    description: 'Overdue invoices handed to a debt-recovery body (annex art. 2)',
    subjects: [{ column: 'person_id', via: { table: 'invoices', column: 'id', subjectColumn: 'invoice_id' } }],
    columns: {
      id: key(),
      purpose: purposeTag,
      invoice_id: reference('invoices'),
      recovery_body_id: reference('organisations'),
      organisation_id: reference('organisations'),
      status: p('debt_recovery', false),
      handed_over_at: p('debt_recovery', false),
      closed_at: p('debt_recovery', false),
      ...audited,
    },
  },
];

/**
 * Every table of the schema, every column of it. The access tables declare
 * themselves beside their stores; they are gathered here so the engines walk one list.
 */
export const CATALOGUE: readonly TableEntry[] = Object.freeze([
  ...CRM_CATALOGUE,
  ...AUTH_CATALOGUE,
  ...CONNECTION_LOG_CATALOGUE,
  ...AUDIT_CATALOGUE,
  ...RIGHTS_REQUESTS_CATALOGUE,
  ...OPPOSITION_CATALOGUE,
  ...RESTRICTION_CATALOGUE,
  ...RECTIFICATION_CATALOGUE,
  ...ERASURE_CATALOGUE,
  ...RECIPIENTS_CATALOGUE,
  ...CONSENT_CATALOGUE,
  ...RETENTION_CATALOGUE,
  ...CONTACT_CATALOGUE,
  ...STATISTICS_CATALOGUE,
  ...CAMPAIGNS_CATALOGUE,
  ...PROSPECTING_IMPORT_CATALOGUE,
  ...TRAINING_CATALOGUE,
  ...PORTAL_CATALOGUE,
]);

/** Tables that hold no data of the client base at all (bookkeeping of the software itself). */
export const INFRASTRUCTURE_TABLES: ReadonlySet<string> = new Set(['kysely_migration', 'kysely_migration_lock']);

/** The entry of a table, or undefined when the catalogue does not know it. */
export function catalogueEntry(table: string): TableEntry | undefined {
  return CATALOGUE.find((t) => t.table === table);
}

/** Every personal column, flattened: what the rights engine walks. */
export function personalColumns(): readonly { table: string; column: string; entry: PersonalColumn }[] {
  return CATALOGUE.flatMap((t) =>
    Object.entries(t.columns).flatMap(([column, entry]) => (entry.personal ? [{ table: t.table, column, entry }] : [])),
  );
}
