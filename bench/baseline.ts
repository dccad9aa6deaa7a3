import { type Kysely, sql } from 'kysely';
import type { Database } from '../src/db/schema.js';
import type { DemoCounts } from '../src/demo/index.js';

/**
 * The floor for seeding: the same number of rows in the same tables and columns, with
 * values of the same kinds and sizes (JSON text parsed into jsonb, dates, numerics, the
 * same foreign keys and checks), made by the server itself with INSERT … SELECT … FROM
 * generate_series. No client-side generation, no round trips: what the demo seeder costs
 * beyond this is its own.
 */
export async function insertBaseline(db: Kysely<Database>, counts: DemoCounts): Promise<void> {
  for (const [table, n] of Object.entries(counts)) {
    if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`baseline: bad count ${n} for ${table}`);
  }
  const n = (k: keyof DemoCounts): number => Math.max(1, counts[k]);
  if (counts.contractContacts > n('contracts') * n('people')) throw new RangeError('baseline: more contract contacts than pairs');

  // A UUIDv7-shaped id, increasing with i like the seeder's: table tag, then i.
  const id = (tag: number, i: string): string => `(lpad(to_hex(${tag}), 8, '0') || '-0000-7000-8000-' || lpad(to_hex(${i}), 12, '0'))::uuid`;
  const ref = (tag: number, count: number): string => id(tag, `1 + i % ${count}`);
  const org = ref(1, n('organisations'));
  const person = ref(2, n('people'));
  const contract = ref(3, n('contracts'));
  const ts = `timestamptz '2020-06-01 00:00:00+00' + i * interval '37 seconds'`;
  const day = `date '2020-06-01' + (i % 1500)`;
  const address = `('[{"label":"Siège","line1":"' || i || ' rue de la Paix","postcode":"75008","city":"Paris","country":"FR"}]')`;
  const series = (k: keyof DemoCounts): string => `from generate_series(1, ${counts[k]}) as g(i)`;

  const statements = [
    `insert into organisations (id, purpose, kind, name, siret, vat_number, sector, headcount, addresses, created_at, updated_at)
     select ${id(1, 'i')}, 'crm', 'client', 'Société ' || i || ' SAS', lpad(i::text, 14, '7'), 'FR00' || lpad(i::text, 9, '7'),
            'Banque', 1 + i % 500, ${address}::jsonb, ${ts}, ${ts} ${series('organisations')}`,
    `insert into people (id, purpose, relation, last_name, first_name, email, phones, postal_addresses, job_title,
                         organisation_id, source, collected_at, last_contact_at, created_at, updated_at)
     select ${id(2, 'i')}, 'crm', 'client_contact', 'Nom' || i, 'Prénom' || i, 'prenom' || i || '.nom@societe-' || i % 9973 || '.fr',
            ('[{"number":"+336' || lpad(i::text, 8, '0') || '","type":"mobile"}]')::jsonb, ${address}::jsonb, 'RSSI',
            ${org}, 'salon Les Assises 2024', ${ts}, ${ts}, ${ts}, ${ts} ${series('people')}`,
    `insert into contracts (id, purpose, organisation_id, offer, start_date, end_date, status, created_at, updated_at)
     select ${id(3, 'i')}, 'crm', ${org}, 'Audit de sécurité organisationnel', ${day}, ${day} + 365, 'ended', ${ts}, ${ts}
     ${series('contracts')}`,
    `insert into contract_contacts (contract_id, person_id)
     select ${id(3, `1 + (i - 1) % ${n('contracts')}`)}, ${id(2, `1 + (i - 1) / ${n('contracts')}`)} ${series('contractContacts')}`,
    `insert into orders (id, purpose, organisation_id, contract_id, person_id, number, ordered_at, amount, status, created_at, updated_at)
     select ${id(5, 'i')}, 'crm', ${org}, ${contract}, ${person}, 'CMD-2024-' || lpad(i::text, 7, '0'), ${day},
            (i % 50000) + 0.99, 'delivered', ${ts}, ${ts} ${series('orders')}`,
    `insert into deliveries (id, purpose, order_id, organisation_id, recipient_person_id, recipient_name, delivery_address,
                             shipped_at, delivered_at, status, created_at, updated_at)
     select ${id(6, 'i')}, 'crm', ${id(5, `1 + (i - 1) % ${n('orders')}`)}, ${org}, ${person}, 'Prénom' || i || ' Nom' || i,
            (${address}::jsonb) -> 0, ${day}, ${day} + 2, 'delivered', ${ts}, ${ts} ${series('deliveries')}`,
    `insert into invoices (id, purpose, organisation_id, contract_id, person_id, number, issue_date, due_date, amount, currency,
                           status, created_at, updated_at)
     select ${id(7, 'i')}, 'crm', ${org}, ${contract}, ${person}, 'FAC-2024-' || lpad(i::text, 7, '0'), ${day}, ${day} + 30,
            (i % 60000) + 0.99, 'EUR', 'paid', ${ts}, ${ts} ${series('invoices')}`,
    `insert into payments (id, purpose, invoice_id, organisation_id, amount, paid_at, method, reference, created_at, updated_at)
     select ${id(8, 'i')}, 'crm', ${id(7, `1 + (i - 1) % ${n('invoices')}`)}, ${org}, (i % 60000) + 0.99, ${day} + 20, 'transfer',
            'VIR FAC-2024-' || lpad(i::text, 7, '0'), ${ts}, ${ts} ${series('payments')}`,
    `insert into debt_cases (id, purpose, invoice_id, recovery_body_id, organisation_id, status, handed_over_at, closed_at,
                             created_at, updated_at)
     select ${id(9, 'i')}, 'crm', ${id(7, `1 + (i - 1) % ${n('invoices')}`)}, ${id(1, '1')}, ${org}, 'open', ${day} + 90, null,
            ${ts}, ${ts} ${series('debtCases')}`,
    `insert into complaints (id, purpose, person_id, organisation_id, subject, description, status, opened_at, closed_at,
                             created_at, updated_at)
     select ${id(10, 'i')}, 'crm', ${person}, ${org}, 'Facture erronée', 'Signalé par téléphone.', 'closed', ${ts},
            ${ts} + interval '3 days', ${ts}, ${ts} ${series('complaints')}`,
    `insert into tickets (id, purpose, person_id, organisation_id, subject, description, status, opened_at, closed_at,
                          created_at, updated_at, order_id)
     select ${id(11, 'i')}, 'crm', ${person}, ${org}, 'Question sur le rapport', null, 'closed', ${ts},
            ${ts} + interval '3 days', ${ts}, ${ts}, ${id(5, `1 + (i - 1) % ${n('orders')}`)} ${series('tickets')}`,
    `insert into surveys (id, purpose, person_id, organisation_id, survey, score, comment, answered_at, created_at, updated_at)
     select ${id(12, 'i')}, 'crm', ${person}, ${org}, 'Satisfaction annuelle 2024', i % 11, 'Rien à signaler.', ${ts}, ${ts}, ${ts}
     ${series('surveys')}`,
  ];
  for (const text of statements) await sql.raw(text).execute(db);
}
