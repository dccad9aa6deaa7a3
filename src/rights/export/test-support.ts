/**
 * Test support for the rights engines (P5.1 access, P5.3 erasure, P5.5 portability):
 * one person seeded in every catalogued table that can concern a person, with values
 * unique to that seeding, so a test can look for each of them afterwards.
 *
 * Test code only: it writes rows straight into the tables, around the gate.
 */
import { createHash, randomBytes } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { CATALOGUE } from '../../catalogue/catalogue.js';
import { newId } from '../../db/ids.js';
import type { Database } from '../../db/schema.js';

/** A row as inserted: SQL column names and their values. */
export type SeedRow = Readonly<Record<string, unknown>>;

/** What a seeder can refer to: the person, the rows seeded so far, and a tag unique to this seeding. */
export interface SeedContext {
  readonly personId: string;
  readonly email: string;
  /** Hex, unique to this call: every text value carries it so it can be searched for. */
  readonly tag: string;
  /** A number unique to this call (0–9999), for numeric values. */
  readonly n: number;
  /** An organisation (a legal person, so not personal data) the rows can reference. */
  readonly organisationId: string;
  /** The rows seeded so far, by table. */
  readonly rows: Readonly<Record<string, readonly SeedRow[]>>;
}

/** How to seed one table; `rows` sees the rows of the tables seeded before it. */
export interface Seeder {
  readonly table: string;
  readonly rows: (ctx: SeedContext) => readonly SeedRow[];
}

/** The person seeded and every row written for them. */
export interface SeededPerson {
  readonly personId: string;
  /** The email as stored (mixed case, so lookups must normalise). */
  readonly email: string;
  readonly tag: string;
  /** Every row inserted, by table (the organisation support row included). */
  readonly rows: Readonly<Record<string, readonly SeedRow[]>>;
}

const first = (ctx: SeedContext, table: string, column = 'id'): unknown => {
  const row = ctx.rows[table]?.[0];
  if (row === undefined) throw new Error(`seedPersonEverywhere: ${table} must be seeded before it is referenced`);
  return row[column];
};
/** A time unique to this seeding (the hour of the year is the seeding's number), `hours` later. */
const at = (ctx: SeedContext, hours: number): Date => new Date(Date.UTC(2021, 0, 1) + ((ctx.n % 8000) * 3_600 + hours * 3_600 + (ctx.n % 60)) * 1000 + 123);
const day = (ctx: SeedContext, days: number): string => at(ctx, days * 24).toISOString().slice(0, 10);
const money = (ctx: SeedContext, k: number): string => `${k * 10_000 + ctx.n}.${String(k * 7).padStart(2, '0').slice(-2)}`;
const hex64 = (text: string): string => createHash('sha256').update(text).digest('hex');

/**
 * The seeders, in foreign-key order. A table added to the catalogue with a subject link
 * needs one here: `seedPersonEverywhere` fails until it has one, so no test can forget it.
 */
export const SEEDERS: readonly Seeder[] = [
  {
    table: 'people',
    rows: (c) => [
      {
        id: c.personId,
        relation: 'client_contact',
        last_name: `Nom-${c.tag}`,
        first_name: `Prénom-${c.tag}`,
        email: c.email,
        phones: [{ number: `+33 6 ${c.tag.slice(0, 2)} ${c.n}`, type: 'mobile' }],
        postal_addresses: [{ label: `Bureau-${c.tag}`, line1: `${c.n} rue du Test-${c.tag}`, postcode: '75002', city: `Ville-${c.tag}`, country: 'FR' }],
        job_title: `Fonction-${c.tag}`,
        organisation_id: c.organisationId,
        source: `Salon-${c.tag}`,
        collected_at: at(c, 1),
        last_contact_at: at(c, 2),
      },
    ],
  },
  {
    table: 'contracts',
    rows: (c) => [{ id: newId(), organisation_id: c.organisationId, offer: `Offre-${c.tag}`, start_date: day(c, 3), end_date: day(c, 400), status: 'active' }],
  },
  { table: 'contract_contacts', rows: (c) => [{ contract_id: first(c, 'contracts'), person_id: c.personId }] },
  {
    table: 'orders',
    rows: (c) => [
      {
        id: newId(),
        organisation_id: c.organisationId,
        contract_id: first(c, 'contracts'),
        person_id: c.personId,
        number: `CMD-${c.tag}`,
        ordered_at: day(c, 5),
        amount: money(c, 1),
        status: 'confirmed',
      },
    ],
  },
  {
    table: 'deliveries',
    rows: (c) => [
      {
        id: newId(),
        order_id: first(c, 'orders'),
        organisation_id: c.organisationId,
        recipient_person_id: c.personId,
        recipient_name: `Destinataire-${c.tag}`,
        delivery_address: { line1: `${c.n} avenue Livraison-${c.tag}`, postcode: '69001', city: `Lyon-${c.tag}`, country: 'FR' },
        shipped_at: day(c, 6),
        delivered_at: day(c, 7),
        status: 'delivered',
      },
    ],
  },
  {
    table: 'invoices',
    rows: (c) => [
      {
        id: newId(),
        organisation_id: c.organisationId,
        contract_id: first(c, 'contracts'),
        person_id: c.personId,
        number: `FAC-${c.tag}`,
        issue_date: day(c, 8),
        due_date: day(c, 38),
        amount: money(c, 2),
        currency: 'EUR',
        status: 'overdue',
      },
    ],
  },
  {
    table: 'payments',
    rows: (c) => [
      { id: newId(), invoice_id: first(c, 'invoices'), organisation_id: c.organisationId, amount: money(c, 3), paid_at: day(c, 9), method: 'transfer', reference: `VIR-${c.tag}` },
    ],
  },
  ...(['complaints', 'tickets'] as const).map(
    (table): Seeder => ({
      table,
      rows: (c) => [
        {
          id: newId(),
          person_id: c.personId,
          organisation_id: c.organisationId,
          ...(table === 'tickets' ? { order_id: first(c, 'orders') } : {}),
          subject: `Objet-${table}-${c.tag}`,
          description: `Description-${table}-${c.tag}`,
          status: 'closed',
          opened_at: at(c, table === 'tickets' ? 10 : 11),
          closed_at: at(c, table === 'tickets' ? 12 : 13),
        },
      ],
    }),
  ),
  {
    table: 'surveys',
    rows: (c) => [
      { id: newId(), person_id: c.personId, organisation_id: c.organisationId, survey: `Enquête-${c.tag}`, score: c.n % 11, comment: `Commentaire-${c.tag}`, answered_at: at(c, 14) },
    ],
  },
  {
    table: 'debt_cases',
    rows: (c) => [
      {
        id: newId(),
        invoice_id: first(c, 'invoices'),
        recovery_body_id: c.organisationId,
        organisation_id: c.organisationId,
        status: 'litigation',
        handed_over_at: day(c, 60),
        closed_at: day(c, 90),
      },
    ],
  },
  // The catalogue links accounts, sessions and connection logs to a person by the account
  // id: the person's own account (a portal account) carries their people id.
  {
    table: 'accounts',
    rows: (c) => [
      {
        id: c.personId,
        email: `compte-${c.tag}@example.test`,
        role: 'sales',
        password_hash: `$argon2id$v=19$m=19456,t=2,p=1$${c.tag}`,
        totp_enabled: false,
        failed_attempts: (c.n % 5) + 1,
        locked_until: at(c, 15),
        created_at: at(c, 16),
        disabled_at: at(c, 17),
      },
    ],
  },
  {
    table: 'sessions',
    rows: (c) => [
      {
        id: hex64(`session-${c.tag}`),
        account_id: c.personId,
        created_at: at(c, 18),
        expires_at: at(c, 19),
        last_seen_at: at(c, 20),
        csrf_hash: hex64(`csrf-${c.tag}`),
        revoked_at: at(c, 21),
        mfa_passed: true,
      },
    ],
  },
  {
    table: 'connection_logs',
    rows: (c) => [
      {
        id: newId(),
        at: at(c, 22),
        service: `backoffice-${c.tag}`,
        event: 'login',
        account_id: c.personId,
        identifier_hash: hex64(`identifier-${c.tag}`),
        source_ip: `10.${c.n % 250}.${(c.n >> 3) % 250}.7`,
        source_port: 1024 + c.n,
        user_agent: `Navigateur-${c.tag}`,
        outcome: 'failure',
        reason: `raison-${c.tag}`,
      },
    ],
  },
  {
    // An open request: erasure keeps it until it is answered (Art. 12(3)).
    table: 'rights_requests',
    rows: (c) => [
      {
        id: newId(),
        type: 'access',
        person_id: c.personId,
        contact_email: `demande-${c.tag}@exemple.fr`,
        language: 'fr',
        channel: 'portal',
        details: { note: `Demande-${c.tag}` },
        state: 'in_progress',
        received_at: at(c, 30),
        due_at: day(c, 31),
        notice_version: hex64(`notice-${c.tag}`),
      },
    ],
  },
  { table: 'person_states', rows: (c) => [{ person_id: c.personId, objection_other_at: at(c, 32), objection_other_grounds: `Motif-${c.tag}` }] },
  { table: 'prospect_field_provenance', rows: (c) => [{ person_id: c.personId, field: 'email', source: `Fichier-${c.tag}`, collected_at: at(c, 34), chosen: true }] },
  { table: 'dedupe_review_queue', rows: (c) => [{ id: newId(), left_person_id: c.personId, right_person_id: c.personId, score: 0.5 + (c.n % 100) / 1000, comparison: { lastName: `level-${c.tag}` }, created_at: at(c, 35) }] },
  { table: 'solicitations', rows: (c) => [{ id: newId(), person_id: c.personId, campaign_id: null, kind: 'art14_notice', channel: 'email', sent_at: at(c, 36), art14_included: true, opened_at: at(c, 37), clicked_at: at(c, 38) }] },
  { table: 'partners', rows: (c) => [{ id: newId(), name: `Partenaire-${c.tag}`, kind: 'partner', country: 'FR', transfer_ground: 'eu_eea', purposes: ['file_sharing'], email: `service-${c.tag}@partner.test`, created_at: at(c, 40) }] },
  { table: 'consent_subjects', rows: (c) => [{ id: newId(), person_id: c.personId, created_at: at(c, 40) }] },
  { table: 'consent_events', rows: (c) => [{ id: newId(), subject_id: first(c, 'consent_subjects'), partner_id: first(c, 'partners'), state: 'given', event_at: at(c, 41), channel: 'web_form', notice_id: 'policy#purposes/file_sharing', notice_version: hex64(`notice-${c.tag}`), text_shown: `Texte-${c.tag}`, purpose: 'file_sharing', data_categories: ['identity', 'contact'], controller: 'CERTILIENCE', recipient: { id: first(c, 'partners'), name: `Partenaire-${c.tag}`, kind: 'partner', country: 'FR', transferGround: 'eu_eea' }, storage_locations: [{ id: 'primary_database', country: 'FR' }], retention: 'P3Y', jurisdiction: 'FR', withdrawal_method: 'link', collector: 'user:marketing', evidence: `Formulaire-${c.tag}`, recorded_at: at(c, 41) }] },
  { table: 'transfers', rows: (c) => [{ id: newId(), partner_id: first(c, 'partners'), segment: null, fields: ['lastName', 'email'], file_name: `fichier-${c.n}.csv`, file_sha256: hex64(`file-${c.tag}`), row_count: 1, created_by: 'cli:test', created_at: at(c, 42) }] },
  { table: 'transfer_items', rows: (c) => [{ transfer_id: first(c, 'transfers'), subject_id: first(c, 'consent_subjects'), consent_event_id: first(c, 'consent_events') }] },
  { table: 'consent_notices', rows: (c) => [{ id: newId(), partner_id: first(c, 'partners'), subject_id: first(c, 'consent_subjects'), consent_event_id: first(c, 'consent_events'), payload_hash: hex64(`notice-${c.tag}`), attempts: 1, last_status: 'delivered', delivered_at: at(c, 43), created_at: at(c, 43) }] },
  { table: 'repermission_requests', rows: (c) => [{ id: newId(), person_id: c.personId, term_at: at(c, 44), token_hash: hex64(`repermission-${c.tag}`), sent_at: at(c, 45), answered_at: at(c, 46) }] },
  // A live privacy-portal session (issue 15): the person's address and record, for 30 minutes.
  { table: 'portal_sessions', rows: (c) => [{ id: newId(), token_hash: hex64(`portal-${c.tag}`), email: `portail-${c.tag}@exemple.fr`, person_id: c.personId, request_id: null, language: 'fr', created_at: at(c, 47), expires_at: new Date('2099-01-01T00:00:00Z') }] },
  // Survivorship (issue 17): a value an import did not keep, in the person's history with its source.
  { table: 'person_field_history', rows: (c) => [{ id: newId(), person_id: c.personId, field: 'email', value: `ancien-${c.tag}@exemple.fr`, source: 'salon-2024', collected_at: at(c, 34), reason: 'secondary', import_job_id: null, recorded_at: at(c, 34) }] },
  { table: 'person_change_history', rows: (c) => [{ id: newId(), person_id: c.personId, changed_at: at(c, 33), field: 'last_name', old_value: { last_name: `Ancien-${c.tag}` } }] },
  // A lifted hold and an archived record whose hold ran out: nothing keeps them any more.
  { table: 'legal_holds', rows: (c) => [{ id: newId(), person_id: c.personId, reason: `Litige-${c.tag}`, set_by: 'user:dpo', set_at: new Date('2022-01-01T00:00:00Z'), lifted_at: new Date('2023-01-01T00:00:00Z') }] },
  {
    table: 'archived_records',
    rows: (c) => [
      { id: newId(), source_table: 'complaints', record_id: newId(), person_id: c.personId, data: { subject: `Archive-${c.tag}` }, reason: 'old', hold_until: new Date('2024-01-01T00:00:00Z'), archived_at: new Date('2020-01-01T00:00:00Z') },
    ],
  },
  // The intermediate archive (P4.5): a record whose archive period ran out.
  { table: 'archive.records', rows: (c) => [{ source_table: 'complaints', id: newId(), purpose: 'crm', person_id: c.personId, organisation_id: c.organisationId, data: { subject: `Archivé-${c.tag}` }, reason: 'retention', archived_at: new Date('2020-01-01T00:00:00Z'), delete_on: '2024-01-01', end_action: 'anonymise' }] },
];

/** The catalogued tables with a subject link that no seeder covers: the test of P5.1 fails on any. */
export function unseededSubjectTables(seeders: readonly Seeder[] = SEEDERS): readonly string[] {
  const seeded = new Set(seeders.map((s) => s.table));
  return CATALOGUE.filter((t) => t.subjects.length > 0 && !seeded.has(t.table)).map((t) => t.table);
}

/** Inserts one row through SQL names; lists and objects go to jsonb as JSON text. */
async function insertRow(db: Kysely<Database>, table: string, row: SeedRow): Promise<void> {
  const columns = Object.keys(row);
  const values = columns.map((c) => {
    const v = row[c];
    return v !== null && typeof v === 'object' && !(v instanceof Date) ? JSON.stringify(v) : v;
  });
  await sql`insert into ${sql.table(table)} (${sql.join(columns.map((c) => sql.ref(c)))}) values (${sql.join(values)})`.execute(db.withoutPlugins());
}

/**
 * Seeds one person in every catalogued table that has a subject link (plus the
 * organisation their rows reference), with values carrying a tag unique to this call.
 * Throws, naming the tables, when the catalogue has a subject table no seeder covers.
 */
export async function seedPersonEverywhere(db: Kysely<Database>, options: { readonly extra?: readonly Seeder[] } = {}): Promise<SeededPerson> {
  const seeders = [...SEEDERS, ...(options.extra ?? [])];
  const missing = unseededSubjectTables(seeders);
  if (missing.length > 0) {
    throw new Error(`seedPersonEverywhere: no seeder for the catalogued subject table(s) ${missing.join(', ')}; add one to SEEDERS in src/rights/export/test-support.ts`);
  }
  const tag = randomBytes(5).toString('hex');
  const personId = newId();
  const organisationId = newId();
  const rows: Record<string, SeedRow[]> = {};
  const organisation: SeedRow = { id: organisationId, kind: 'client', name: `Société-${tag}` };
  await insertRow(db, 'organisations', organisation);
  rows.organisations = [organisation];
  const ctx: SeedContext = { personId, email: `Camille.${tag}@Example.TEST`, tag, n: randomBytes(2).readUInt16BE(0) % 10_000, organisationId, rows };
  for (const seeder of seeders) {
    const seeded = seeder.rows(ctx);
    for (const row of seeded) await insertRow(db, seeder.table, row);
    rows[seeder.table] = [...(rows[seeder.table] ?? []), ...seeded];
  }
  return { personId, email: ctx.email, tag, rows };
}
