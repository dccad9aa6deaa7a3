import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';
import type { AuditTables } from '../access/audit/tables.js';
import type { AuthTables } from '../access/auth/tables.js';
import type { ConnectionLogTables } from '../access/connection-logs/tables.js';
import type { RightsRequestTables } from '../rights/requests/tables.js';
import type { PortalTables } from '../rights/portal/tables.js';
import type { ConsentTables } from '../consent/tables.js';
import type { RightsStateTables } from '../rights/erasure/tables.js';
import type { ContactTables } from '../retention/contact/tables.js';
import type { StatisticsTables } from '../retention/statistics/tables.js';
import type { CampaignTables } from '../prospecting/campaigns/tables.js';
import type { ProspectingTables } from '../prospecting/import/tables.js';
import type { RetentionTables } from '../retention/tables.js';
import type { TrainingTables } from '../training/tables.js';

import type { DateString, Timestamp, Numeric, Json, PurposeId, PostalAddress, Phone } from './column-types.js';

export type { DateString, Timestamp, Numeric, Json, PurposeId, PostalAddress, Phone } from './column-types.js';

interface Audited {
  createdAt: Generated<Date>;
  updatedAt: Generated<Date>;
}

export interface OrganisationsTable extends Audited {
  id: string;
  purpose: Generated<PurposeId>;
  kind: Generated<'client' | 'prospect' | 'recovery_body' | 'subcontractor' | 'subsidiary'>;
  name: string;
  siret: string | null;
  vatNumber: string | null;
  sector: string | null;
  headcount: number | null;
  addresses: Json<PostalAddress[]>;
}

export interface PeopleTable extends Audited {
  id: string;
  purpose: Generated<PurposeId>;
  relation: 'client_contact' | 'colleague' | 'prospect';
  lastName: string | null;
  firstName: string | null;
  email: string | null;
  phones: Json<Phone[]>;
  postalAddresses: Json<PostalAddress[]>;
  jobTitle: string | null;
  organisationId: string | null;
  source: string;
  collectedAt: Timestamp;
  lastContactAt: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
}

export interface ContractsTable extends Audited {
  id: string;
  purpose: Generated<PurposeId>;
  organisationId: string;
  offer: string;
  startDate: DateString;
  endDate: DateString | null;
  status: Generated<'draft' | 'active' | 'ended' | 'terminated'>;
}

export interface ContractContactsTable {
  contractId: string;
  personId: string;
}

export interface OrdersTable extends Audited {
  id: string;
  purpose: Generated<PurposeId>;
  organisationId: string;
  contractId: string | null;
  personId: string | null;
  number: string;
  orderedAt: DateString;
  amount: Numeric;
  status: Generated<'placed' | 'confirmed' | 'delivered' | 'cancelled'>;
}

export interface DeliveriesTable extends Audited {
  id: string;
  purpose: Generated<PurposeId>;
  orderId: string;
  organisationId: string;
  recipientPersonId: string | null;
  recipientName: string | null;
  deliveryAddress: Json<PostalAddress>;
  shippedAt: DateString | null;
  deliveredAt: DateString | null;
  status: Generated<'pending' | 'shipped' | 'delivered' | 'returned'>;
}

export interface InvoicesTable extends Audited {
  id: string;
  purpose: Generated<PurposeId>;
  organisationId: string;
  contractId: string | null;
  personId: string | null;
  number: string;
  issueDate: DateString;
  dueDate: DateString;
  amount: Numeric;
  currency: Generated<string>;
  status: Generated<'issued' | 'paid' | 'overdue' | 'cancelled'>;
}

export interface PaymentsTable extends Audited {
  id: string;
  purpose: Generated<PurposeId>;
  invoiceId: string;
  organisationId: string;
  amount: Numeric;
  paidAt: DateString;
  method: Generated<'transfer' | 'direct_debit' | 'cheque' | 'card' | 'other'>;
  reference: string | null;
}

export interface CaseTable extends Audited {
  id: string;
  purpose: Generated<PurposeId>;
  personId: string | null;
  organisationId: string | null;
  subject: string;
  description: string | null;
  status: Generated<'open' | 'in_progress' | 'resolved' | 'closed'>;
  openedAt: Timestamp;
  closedAt: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
}

export interface TicketsTable extends CaseTable {
  orderId: string | null;
}

export interface SurveysTable extends Audited {
  id: string;
  purpose: Generated<PurposeId>;
  personId: string | null;
  organisationId: string | null;
  survey: string;
  score: number | null;
  comment: string | null;
  answeredAt: Timestamp;
}

export interface DebtCasesTable extends Audited {
  id: string;
  purpose: Generated<PurposeId>;
  invoiceId: string;
  recoveryBodyId: string;
  organisationId: string;
  status: Generated<'open' | 'settled' | 'written_off' | 'litigation' | 'closed'>;
  handedOverAt: DateString;
  closedAt: DateString | null;
}

/** The whole database, as Kysely sees it (camelCase; the CamelCasePlugin maps to snake_case). */
export interface Database extends AuthTables, ConnectionLogTables, AuditTables, RightsRequestTables, RightsStateTables, ConsentTables, ContactTables, StatisticsTables, CampaignTables, RetentionTables, ProspectingTables, TrainingTables, PortalTables {
  organisations: OrganisationsTable;
  people: PeopleTable;
  contracts: ContractsTable;
  contractContacts: ContractContactsTable;
  orders: OrdersTable;
  deliveries: DeliveriesTable;
  invoices: InvoicesTable;
  payments: PaymentsTable;
  complaints: CaseTable;
  tickets: TicketsTable;
  surveys: SurveysTable;
  debtCases: DebtCasesTable;
}

export type TableName = keyof Database;
export type Row<T extends TableName> = Selectable<Database[T]>;
export type NewRow<T extends TableName> = Insertable<Database[T]>;
export type RowUpdate<T extends TableName> = Updateable<Database[T]>;
