import type { MigrationDb } from './migration-db.js';
import { sql } from 'kysely';

/**
 * The client-relationship data model (annex art. 1, "Gestion de la relation client"; P1.1, P1.3).
 * Every row that belongs to a purpose says which one in `purpose`, so that the
 * retention and rights engines never have to guess (GDPR Art. 5(1)(b), purpose limitation).
 *
 * Append-only: once landed, this file is never edited; later changes are new migrations.
 */

const PURPOSES = `('crm','prospecting','training','file_sharing','connection_logs')`;

function purposeColumn(defaultPurpose: string) {
  return sql`text not null default ${sql.lit(defaultPurpose)} check (purpose in ${sql.raw(PURPOSES)})`;
}

export async function up(db: MigrationDb): Promise<void> {
  await db.schema
    .createTable('organisations')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('purpose', purposeColumn('crm'))
    .addColumn('kind', 'text', (c) =>
      c.notNull().defaultTo('client').check(sql`kind in ('client','prospect','recovery_body','subcontractor','subsidiary')`),
    )
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('siret', 'text')
    .addColumn('vat_number', 'text')
    .addColumn('sector', 'text')
    .addColumn('headcount', 'integer')
    .addColumn('addresses', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('organisations_kind_idx').on('organisations').columns(['kind', 'id']).execute();
  await db.schema.createIndex('organisations_siret_idx').on('organisations').column('siret').execute();

  await db.schema
    .createTable('people')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('purpose', purposeColumn('crm'))
    .addColumn('relation', 'text', (c) =>
      c.notNull().check(sql`relation in ('client_contact','colleague','prospect')`),
    )
    .addColumn('last_name', 'text')
    .addColumn('first_name', 'text')
    .addColumn('email', 'text')
    .addColumn('phones', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('postal_addresses', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('job_title', 'text')
    .addColumn('organisation_id', 'uuid', (c) => c.references('organisations.id').onDelete('set null'))
    // GDPR Art. 14(2)(f) and R-PROS-9: where the data came from, and when.
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('collected_at', 'timestamptz', (c) => c.notNull())
    // P4.2 / R-PROS-7: the last act of the person themself (reply, form, click, order, call).
    .addColumn('last_contact_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('people_organisation_idx').on('people').columns(['organisation_id', 'id']).execute();
  // Lookups by email (rights requests, deduplication) compare trimmed, lower-cased values.
  await db.schema.createIndex('people_email_idx').on('people').expression(sql`lower(btrim(email))`).execute();
  await db.schema.createIndex('people_relation_idx').on('people').columns(['relation', 'id']).execute();

  await db.schema
    .createTable('contracts')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('purpose', purposeColumn('crm'))
    .addColumn('organisation_id', 'uuid', (c) => c.notNull().references('organisations.id'))
    .addColumn('offer', 'text', (c) => c.notNull())
    .addColumn('start_date', 'date', (c) => c.notNull())
    .addColumn('end_date', 'date')
    .addColumn('status', 'text', (c) =>
      c.notNull().defaultTo('active').check(sql`status in ('draft','active','ended','terminated')`),
    )
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('contracts_dates_ck', sql`end_date is null or end_date >= start_date`)
    .execute();
  await db.schema.createIndex('contracts_organisation_idx').on('contracts').columns(['organisation_id', 'id']).execute();
  await db.schema.createIndex('contracts_status_idx').on('contracts').columns(['status', 'id']).execute();

  await db.schema
    .createTable('contract_contacts')
    .addColumn('contract_id', 'uuid', (c) => c.notNull().references('contracts.id').onDelete('cascade'))
    .addColumn('person_id', 'uuid', (c) => c.notNull().references('people.id').onDelete('cascade'))
    .addPrimaryKeyConstraint('contract_contacts_pk', ['contract_id', 'person_id'])
    .execute();
  await db.schema.createIndex('contract_contacts_person_idx').on('contract_contacts').column('person_id').execute();

  await db.schema
    .createTable('orders')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('purpose', purposeColumn('crm'))
    .addColumn('organisation_id', 'uuid', (c) => c.notNull().references('organisations.id'))
    .addColumn('contract_id', 'uuid', (c) => c.references('contracts.id'))
    .addColumn('person_id', 'uuid', (c) => c.references('people.id').onDelete('set null'))
    .addColumn('number', 'text', (c) => c.notNull().unique())
    .addColumn('ordered_at', 'date', (c) => c.notNull())
    .addColumn('amount', 'numeric(14, 2)', (c) => c.notNull())
    .addColumn('status', 'text', (c) =>
      c.notNull().defaultTo('placed').check(sql`status in ('placed','confirmed','delivered','cancelled')`),
    )
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('orders_organisation_idx').on('orders').columns(['organisation_id', 'id']).execute();
  await db.schema.createIndex('orders_person_idx').on('orders').column('person_id').execute();

  await db.schema
    .createTable('deliveries')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('purpose', purposeColumn('crm'))
    .addColumn('order_id', 'uuid', (c) => c.notNull().references('orders.id').onDelete('cascade'))
    .addColumn('organisation_id', 'uuid', (c) => c.notNull().references('organisations.id'))
    .addColumn('recipient_person_id', 'uuid', (c) => c.references('people.id').onDelete('set null'))
    .addColumn('recipient_name', 'text')
    .addColumn('delivery_address', 'jsonb', (c) => c.notNull())
    .addColumn('shipped_at', 'date')
    .addColumn('delivered_at', 'date')
    .addColumn('status', 'text', (c) =>
      c.notNull().defaultTo('pending').check(sql`status in ('pending','shipped','delivered','returned')`),
    )
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('deliveries_order_idx').on('deliveries').column('order_id').execute();
  await db.schema.createIndex('deliveries_organisation_idx').on('deliveries').columns(['organisation_id', 'id']).execute();
  await db.schema.createIndex('deliveries_person_idx').on('deliveries').column('recipient_person_id').execute();

  await db.schema
    .createTable('invoices')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('purpose', purposeColumn('crm'))
    .addColumn('organisation_id', 'uuid', (c) => c.notNull().references('organisations.id'))
    .addColumn('contract_id', 'uuid', (c) => c.references('contracts.id'))
    .addColumn('person_id', 'uuid', (c) => c.references('people.id').onDelete('set null'))
    .addColumn('number', 'text', (c) => c.notNull().unique())
    .addColumn('issue_date', 'date', (c) => c.notNull())
    .addColumn('due_date', 'date', (c) => c.notNull())
    .addColumn('amount', 'numeric(14, 2)', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull().defaultTo('EUR'))
    .addColumn('status', 'text', (c) =>
      c.notNull().defaultTo('issued').check(sql`status in ('issued','paid','overdue','cancelled')`),
    )
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('invoices_dates_ck', sql`due_date >= issue_date`)
    .execute();
  await db.schema.createIndex('invoices_organisation_idx').on('invoices').columns(['organisation_id', 'id']).execute();
  await db.schema.createIndex('invoices_status_idx').on('invoices').columns(['status', 'id']).execute();
  await db.schema.createIndex('invoices_contract_idx').on('invoices').column('contract_id').execute();
  await db.schema.createIndex('invoices_person_idx').on('invoices').column('person_id').execute();

  await db.schema
    .createTable('payments')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('purpose', purposeColumn('crm'))
    .addColumn('invoice_id', 'uuid', (c) => c.notNull().references('invoices.id'))
    .addColumn('organisation_id', 'uuid', (c) => c.notNull().references('organisations.id'))
    .addColumn('amount', 'numeric(14, 2)', (c) => c.notNull())
    .addColumn('paid_at', 'date', (c) => c.notNull())
    .addColumn('method', 'text', (c) =>
      c.notNull().defaultTo('transfer').check(sql`method in ('transfer','direct_debit','cheque','card','other')`),
    )
    .addColumn('reference', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('payments_invoice_idx').on('payments').column('invoice_id').execute();
  await db.schema.createIndex('payments_organisation_idx').on('payments').columns(['organisation_id', 'id']).execute();

  for (const table of ['complaints', 'tickets'] as const) {
    await db.schema
      .createTable(table)
      .addColumn('id', 'uuid', (c) => c.primaryKey())
      .addColumn('purpose', purposeColumn('crm'))
      .addColumn('person_id', 'uuid', (c) => c.references('people.id').onDelete('set null'))
      .addColumn('organisation_id', 'uuid', (c) => c.references('organisations.id'))
      .addColumn('subject', 'text', (c) => c.notNull())
      .addColumn('description', 'text')
      .addColumn('status', 'text', (c) =>
        c.notNull().defaultTo('open').check(sql`status in ('open','in_progress','resolved','closed')`),
      )
      .addColumn('opened_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
      .addColumn('closed_at', 'timestamptz')
      .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
      .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
      .execute();
    await db.schema.createIndex(`${table}_person_idx`).on(table).column('person_id').execute();
    await db.schema.createIndex(`${table}_organisation_idx`).on(table).columns(['organisation_id', 'id']).execute();
  }
  // After-sales tickets may concern an order.
  await db.schema
    .alterTable('tickets')
    .addColumn('order_id', 'uuid', (c) => c.references('orders.id').onDelete('set null'))
    .execute();

  await db.schema
    .createTable('surveys')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('purpose', purposeColumn('crm'))
    .addColumn('person_id', 'uuid', (c) => c.references('people.id').onDelete('set null'))
    .addColumn('organisation_id', 'uuid', (c) => c.references('organisations.id'))
    .addColumn('survey', 'text', (c) => c.notNull())
    .addColumn('score', 'integer', (c) => c.check(sql`score between 0 and 10`))
    .addColumn('comment', 'text')
    .addColumn('answered_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('surveys_person_idx').on('surveys').column('person_id').execute();
  await db.schema.createIndex('surveys_organisation_idx').on('surveys').columns(['organisation_id', 'id']).execute();

  // A debt case: an overdue invoice handed to a recovery body (annex art. 2, last recipients; P2.4).
  await db.schema
    .createTable('debt_cases')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('purpose', purposeColumn('crm'))
    .addColumn('invoice_id', 'uuid', (c) => c.notNull().references('invoices.id'))
    .addColumn('recovery_body_id', 'uuid', (c) => c.notNull().references('organisations.id'))
    .addColumn('organisation_id', 'uuid', (c) => c.notNull().references('organisations.id'))
    .addColumn('status', 'text', (c) =>
      c.notNull().defaultTo('open').check(sql`status in ('open','settled','written_off','litigation','closed')`),
    )
    .addColumn('handed_over_at', 'date', (c) => c.notNull())
    .addColumn('closed_at', 'date')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('debt_cases_invoice_idx').on('debt_cases').column('invoice_id').execute();
  await db.schema.createIndex('debt_cases_body_idx').on('debt_cases').columns(['recovery_body_id', 'id']).execute();
  await db.schema.createIndex('debt_cases_organisation_idx').on('debt_cases').columns(['organisation_id', 'id']).execute();
}

export async function down(db: MigrationDb): Promise<void> {
  for (const table of [
    'debt_cases',
    'surveys',
    'tickets',
    'complaints',
    'payments',
    'invoices',
    'deliveries',
    'orders',
    'contract_contacts',
    'contracts',
    'people',
    'organisations',
  ]) {
    await db.schema.dropTable(table).ifExists().execute();
  }
}
