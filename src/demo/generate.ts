import { Faker, fr, generateMersenne53Randomizer } from '@faker-js/faker';
import type { NewRow, Phone, PostalAddress, PurposeId } from '../db/schema.js';
import { RempartError } from '../errors.js';
import { DemoIdSource } from './demo-ids.js';
import {
  CLIENT_SOURCES,
  COLLEAGUE_JOB_TITLES,
  COLLEAGUE_SOURCES,
  COMPLAINT_SUBJECTS,
  JOB_TITLES,
  LEGAL_FORMS,
  OFFERS,
  PROSPECT_SOURCES,
  RECOVERY_FIRMS,
  SECTORS,
  SURVEY_COMMENTS,
  SURVEY_NAMES,
  TICKET_SUBJECTS,
  TOWNS,
  type Town,
} from './reference-data.js';
import { makeSiren, makeSiret, type Rng } from '../identifiers/siret.js';

/** The tables the demo fills, in an order that satisfies every foreign key. */
export const DEMO_TABLES = [
  'organisations',
  'people',
  'contracts',
  'contractContacts',
  'orders',
  'deliveries',
  'invoices',
  'payments',
  'debtCases',
  'complaints',
  'tickets',
  'surveys',
] as const;

/** One of the tables the demo fills. */
export type DemoTable = (typeof DEMO_TABLES)[number];

/** A batch of rows, per table; rows only reference rows of this chunk or of earlier ones. */
export type DemoChunk = { readonly [T in DemoTable]: NewRow<T>[] };

/** How many rows the demo wrote, per table. */
export type DemoCounts = { readonly [T in DemoTable]: number };

/** What to generate. */
export interface DemoOptions {
  /** How many people in all (client contacts, colleagues and prospects). */
  readonly people: number;
  /** Same seed and `now`, same rows. */
  readonly seed: number;
  /** The moment the data is generated at: every date is computed back from it. */
  readonly now: Date;
  /** Roughly how many people per chunk (default 1000). It changes the chunking, never the rows. */
  readonly chunkPeople?: number;
}

/**
 * The age classes of contracts. The retention rules key on how long ago a contract ended
 * (3 years for prospecting after the relationship, 5 years for the limitation period of
 * the French Commercial Code, art. L110-4), so the demo has some of each.
 */
export type ContractAge = 'running' | 'ended_under_3y' | 'ended_3y_to_5y' | 'ended_over_5y';

/** The share of people that are prospects and colleagues; the rest are client contacts. */
const PROSPECT_SHARE = 0.25;
const COLLEAGUE_SHARE = 0.04;

const DAY = 86_400_000;
const YEAR = 365.25 * DAY;
/** Kept away from the 3- and 5-year boundaries, so a contract's class does not hinge on leap days. */
const MARGIN = 20 * DAY;

const EMPTY_CHUNK = (): DemoChunk => ({
  organisations: [],
  people: [],
  contracts: [],
  contractContacts: [],
  orders: [],
  deliveries: [],
  invoices: [],
  payments: [],
  debtCases: [],
  complaints: [],
  tickets: [],
  surveys: [],
});

/** An empty count per table. */
export function zeroCounts(): { [T in DemoTable]: number } {
  return {
    organisations: 0,
    people: 0,
    contracts: 0,
    contractContacts: 0,
    orders: 0,
    deliveries: 0,
    invoices: 0,
    payments: 0,
    debtCases: 0,
    complaints: 0,
    tickets: 0,
    surveys: 0,
  };
}

type OrgKind = NonNullable<NewRow<'organisations'>['kind']>;

/** What the generator remembers of an organisation while filling its account. */
interface Org {
  readonly id: string;
  readonly domain: string;
  readonly town: Town;
  readonly address: PostalAddress;
  /** E-mail local parts already given out at this organisation: homonyms get a number. */
  readonly mailboxes: Set<string>;
}

/** What it remembers of a person. */
interface Person {
  readonly id: string;
  readonly name: string;
  readonly address: PostalAddress | undefined;
  readonly collectedMs: number;
}

interface ContractPlan {
  readonly age: ContractAge;
  readonly startMs: number;
  /** Null for an open-ended running contract; may be in the future for a fixed-term one. */
  readonly endMs: number | null;
}

function assertOptions(o: DemoOptions): void {
  const problems: { field: string; message: string }[] = [];
  if (!Number.isSafeInteger(o.people) || o.people < 0) problems.push({ field: 'people', message: 'must be a whole number ≥ 0' });
  if (!Number.isSafeInteger(o.seed)) problems.push({ field: 'seed', message: 'must be a whole number' });
  if (!(o.now instanceof Date) || Number.isNaN(o.now.getTime())) problems.push({ field: 'now', message: 'must be a valid date' });
  if (o.chunkPeople !== undefined && (!Number.isSafeInteger(o.chunkPeople) || o.chunkPeople < 1)) {
    problems.push({ field: 'chunkPeople', message: 'must be a whole number ≥ 1' });
  }
  if (problems.length > 0) {
    throw new RempartError('VALIDATION_FAILED', 'Invalid demo data options.', { details: problems });
  }
}

/**
 * Generates the demo data set in chunks, so 100,000 people and their records never sit in
 * memory at once. Pure: the rows depend on `seed` and `now` only (never the clock).
 */
export function* generateDemo(options: DemoOptions): Generator<DemoChunk, void, undefined> {
  assertOptions(options);
  yield* new DemoWorld(options).chunks();
}

/** Holds the seeded generator and the running counters while the chunks are made. */
class DemoWorld {
  readonly #faker: Faker;
  readonly #rng: Rng;
  readonly #ids: DemoIdSource;
  readonly #nowMs: number;
  readonly #people: number;
  readonly #chunkPeople: number;
  readonly #sirens = new Set<string>();
  readonly #domains = new Set<string>();
  readonly #recoveryBodies: string[] = [];
  #chunk: DemoChunk = EMPTY_CHUNK();
  #orderSeq = 0;
  #invoiceSeq = 0;
  #clientAccounts = 0;
  /** Set once a debt case exists: until then the first invoice that can be handed over is. */
  #debtCaseMade = false;

  constructor(o: DemoOptions) {
    // Faker and our own draws share one randomizer, so a single seed drives both.
    const randomizer = generateMersenne53Randomizer();
    this.#faker = new Faker({ locale: [fr], randomizer });
    this.#faker.seed(o.seed);
    this.#rng = () => randomizer.next();
    this.#nowMs = Math.floor(o.now.getTime() / 1000) * 1000;
    // Ids are stamped a day before `now`: ids the application makes afterwards sort after them.
    this.#ids = new DemoIdSource(this.#nowMs - DAY, this.#rng);
    this.#people = o.people;
    this.#chunkPeople = o.chunkPeople ?? 1000;
  }

  *chunks(): Generator<DemoChunk, void, undefined> {
    const colleagues = Math.round(this.#people * COLLEAGUE_SHARE);
    const prospects = Math.round(this.#people * PROSPECT_SHARE);
    const clients = this.#people - colleagues - prospects;

    this.#partners(colleagues);

    let clientsLeft = clients;
    let prospectsLeft = prospects;
    while (clientsLeft > 0 || prospectsLeft > 0) {
      // Interleave the two kinds of account so every chunk has both, in their proportions.
      const clientShare = clients > 0 ? clientsLeft / clients : 0;
      const prospectShare = prospects > 0 ? prospectsLeft / prospects : 0;
      if (clientsLeft > 0 && clientShare >= prospectShare) clientsLeft -= this.#clientAccount(clientsLeft);
      else prospectsLeft -= this.#prospectAccount(prospectsLeft);
      if (this.#chunk.people.length >= this.#chunkPeople) yield this.#flush();
    }
    if (this.#chunk.organisations.length > 0 || this.#chunk.people.length > 0) yield this.#flush();
  }

  #flush(): DemoChunk {
    const chunk = this.#chunk;
    this.#chunk = EMPTY_CHUNK();
    return chunk;
  }

  // ---- random helpers -------------------------------------------------------------

  #int(min: number, max: number): number {
    return min + Math.floor(this.#rng() * (max - min + 1));
  }

  #chance(p: number): boolean {
    return this.#rng() < p;
  }

  #pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.#rng() * items.length)];
    if (item === undefined) throw new Error('pick from an empty list');
    return item;
  }

  /** A moment between `fromMs` and `toMs`, to the second. */
  #between(fromMs: number, toMs: number): number {
    return Math.floor((fromMs + this.#rng() * Math.max(0, toMs - fromMs)) / 1000) * 1000;
  }

  #town(): Town {
    // Half the clients are in the Paris region (the first 17 towns), the rest anywhere.
    return this.#chance(0.5) ? this.#pick(TOWNS.slice(0, 17)) : this.#pick(TOWNS);
  }

  #address(label: string, town: Town): PostalAddress {
    return { label, line1: `${this.#int(1, 140)} ${this.#faker.location.street()}`, postcode: town.postcode, city: town.city, country: 'FR' };
  }

  #phones(town: Town): Phone[] {
    const phones: Phone[] = [];
    // E.164: +33 then the national number without its leading 0 (mobiles 6 or 7, landlines by zone).
    if (this.#chance(0.9)) phones.push({ number: `+33${this.#chance(0.8) ? 6 : 7}${this.#digits(8)}`, type: 'mobile' });
    if (this.#chance(0.5)) phones.push({ number: `+33${town.zone}${this.#digits(8)}`, type: 'landline' });
    return phones;
  }

  #digits(n: number): string {
    let s = '';
    for (let i = 0; i < n; i++) s += String(Math.floor(this.#rng() * 10));
    return s;
  }

  // ---- organisations --------------------------------------------------------------

  #organisation(kind: OrgKind, purpose: PurposeId, name: string, createdMs: number): Org {
    let siren = makeSiren(this.#rng);
    while (this.#sirens.has(siren)) siren = makeSiren(this.#rng);
    this.#sirens.add(siren);
    // A head office's establishment number is usually small (00011, 00024, …).
    const siret = makeSiret(siren, this.#int(1, 60));
    const town = this.#town();
    const address = this.#address('Siège', town);
    const addresses = [address];
    if (this.#chance(0.2)) addresses.push(this.#address('Établissement secondaire', this.#town()));
    const base = slug(name.replace(/\s+(SA|SAS|SASU|SARL|EURL|SCOP|SCA|SCS|GIE|EI|SNC)$/u, '')) || 'societe';
    let domain = `${base}.fr`;
    for (let n = 2; this.#domains.has(domain); n++) domain = `${base}-${n}.fr`;
    this.#domains.add(domain);
    const created = new Date(createdMs);
    const row: NewRow<'organisations'> = {
      id: this.#ids.next(),
      purpose,
      kind,
      name,
      siret,
      // The French VAT key: (12 + 3 × (SIREN mod 97)) mod 97.
      vatNumber: `FR${String((12 + 3 * (Number(siren) % 97)) % 97).padStart(2, '0')}${siren}`,
      sector: kind === 'client' || kind === 'prospect' ? this.#pick(SECTORS) : null,
      headcount: Math.round(Math.exp(Math.log(5) + this.#rng() * Math.log(2000))),
      addresses,
      createdAt: created,
      updatedAt: created,
    };
    this.#chunk.organisations.push(row);
    return { id: row.id, domain, town, address, mailboxes: new Set() };
  }

  #companyName(): string {
    const f = this.#faker;
    switch (this.#int(0, 5)) {
      case 0:
        return `Groupe ${f.person.lastName()}`;
      case 1:
        return `${f.person.lastName()} Industries`;
      case 2:
        return `${f.person.lastName()} ${f.person.lastName()} ${this.#pick(LEGAL_FORMS)}`;
      default:
        return f.company.name();
    }
  }

  /** The recovery bodies, the subcontractor and the subsidiary, and the colleagues who work there. */
  #partners(colleagues: number): void {
    const sinceMs = this.#nowMs - 7 * YEAR;
    for (let i = 0; i < 3; i++) {
      const name = this.#pick(RECOVERY_FIRMS).replace('{name}', this.#faker.person.lastName());
      this.#recoveryBodies.push(this.#organisation('recovery_body', 'crm', name, this.#between(sinceMs, sinceMs + YEAR)).id);
    }
    const subcontractor = this.#organisation('subcontractor', 'crm', `${this.#faker.person.lastName()} Cybersécurité SAS`, this.#between(sinceMs, sinceMs + YEAR));
    const subsidiary = this.#organisation('subsidiary', 'crm', `${this.#faker.person.lastName()} Formation SAS`, this.#between(sinceMs, sinceMs + YEAR));
    for (let i = 0; i < colleagues; i++) {
      const org = this.#chance(0.6) ? subsidiary : subcontractor;
      const collectedMs = this.#between(this.#nowMs - 6 * YEAR, this.#nowMs - DAY);
      this.#person('colleague', 'crm', org, collectedMs, this.#between(collectedMs, this.#nowMs), this.#pick(COLLEAGUE_SOURCES), this.#pick(COLLEAGUE_JOB_TITLES));
    }
  }

  // ---- people ---------------------------------------------------------------------

  #person(
    relation: NewRow<'people'>['relation'],
    purpose: PurposeId,
    org: Org,
    collectedMs: number,
    lastContactMs: number | null,
    source: string,
    jobTitle: string,
  ): Person {
    const firstName = this.#faker.person.firstName();
    const lastName = this.#faker.person.lastName();
    const address = this.#chance(0.85) ? { ...org.address, label: 'Bureau' } : undefined;
    const collectedAt = new Date(collectedMs);
    const mailbox = `${slug(firstName)}.${slug(lastName)}`;
    let local = mailbox;
    for (let n = 2; org.mailboxes.has(local); n++) local = `${mailbox}${n}`;
    org.mailboxes.add(local);
    const row: NewRow<'people'> = {
      id: this.#ids.next(),
      purpose,
      relation,
      lastName,
      firstName,
      email: `${local}@${org.domain}`,
      phones: this.#phones(org.town),
      postalAddresses: address ? [address] : [],
      jobTitle,
      organisationId: org.id,
      source: source.replace('{year}', String(collectedAt.getUTCFullYear())),
      collectedAt,
      lastContactAt: lastContactMs === null ? null : new Date(lastContactMs),
      createdAt: collectedAt,
      updatedAt: new Date(lastContactMs ?? collectedMs),
    };
    this.#chunk.people.push(row);
    return { id: row.id, name: `${firstName} ${lastName}`, address, collectedMs };
  }

  #prospectAccount(left: number): number {
    const n = Math.min(left, this.#int(1, 4));
    const collected = Array.from({ length: n }, () => this.#between(this.#nowMs - 6 * YEAR, this.#nowMs - DAY));
    const org = this.#organisation('prospect', 'prospecting', this.#companyName(), Math.min(...collected));
    for (const collectedMs of collected) {
      // Prospecting rules (CNIL) count 3 years from the prospect's last own act; most have one.
      const lastContactMs = this.#chance(0.6) ? this.#between(collectedMs, this.#nowMs) : null;
      this.#person('prospect', 'prospecting', org, collectedMs, lastContactMs, this.#pick(PROSPECT_SOURCES), this.#pick(JOB_TITLES));
    }
    return n;
  }

  // ---- client accounts ------------------------------------------------------------

  #contractAge(): ContractAge {
    const r = this.#rng();
    return r < 0.45 ? 'running' : r < 0.7 ? 'ended_under_3y' : r < 0.85 ? 'ended_3y_to_5y' : 'ended_over_5y';
  }

  #planContract(age: ContractAge): ContractPlan {
    const now = this.#nowMs;
    if (age === 'running') {
      const startMs = this.#between(now - 6 * YEAR, now - 30 * DAY);
      // Half are open-ended; the others run to a date still ahead.
      const endMs = this.#chance(0.5) ? Math.max(now + 30 * DAY, startMs + this.#int(1, 4) * YEAR) : null;
      return { age, startMs, endMs };
    }
    const [from, to] =
      age === 'ended_under_3y'
        ? [now - 3 * YEAR + MARGIN, now - 7 * DAY]
        : age === 'ended_3y_to_5y'
          ? [now - 5 * YEAR + MARGIN, now - 3 * YEAR - MARGIN]
          : [now - 6 * YEAR + MARGIN, now - 5 * YEAR - MARGIN];
    const endMs = this.#between(from, to);
    return { age, startMs: endMs - this.#between(180 * DAY, 3 * YEAR), endMs };
  }

  #clientAccount(left: number): number {
    const now = this.#nowMs;
    // The first account holds one contract of each age, so even a tiny data set has all four.
    const plans =
      this.#clientAccounts++ === 0
        ? (['running', 'ended_under_3y', 'ended_3y_to_5y', 'ended_over_5y'] as const).map((a) => this.#planContract(a))
        : Array.from({ length: this.#pick([1, 1, 2, 2, 3]) }, () => this.#planContract(this.#contractAge()));
    const fromMs = Math.min(...plans.map((p) => p.startMs));
    // The relationship lasts while a contract runs; after the last one ends nobody is collected.
    const untilMs = plans.some((p) => p.age === 'running') ? now : Math.max(...plans.map((p) => p.endMs ?? now));

    // The organisation is on file before its first contact is (contacts go back two months before the first contract).
    const org = this.#organisation('client', 'crm', this.#companyName(), fromMs - this.#int(60, 120) * DAY);
    const n = Math.min(left, this.#int(2, 9));
    const contacts: Person[] = [];
    for (let i = 0; i < n; i++) {
      const collectedMs = this.#between(Math.max(fromMs - 60 * DAY, now - 6 * YEAR), untilMs);
      const lastContactMs = this.#chance(0.9) ? this.#between(collectedMs, untilMs) : null;
      contacts.push(this.#person('client_contact', 'crm', org, collectedMs, lastContactMs, this.#pick(CLIENT_SOURCES), this.#pick(JOB_TITLES)));
    }
    for (const plan of plans) this.#contract(org, plan, contacts);
    for (const contact of contacts) this.#followUps(org, contact, untilMs);
    return n;
  }

  #contract(org: Org, plan: ContractPlan, contacts: readonly Person[]): void {
    const now = this.#nowMs;
    const offer = this.#pick(OFFERS);
    const id = this.#ids.next();
    const ended = plan.endMs !== null && plan.endMs <= now;
    this.#chunk.contracts.push({
      id,
      purpose: 'crm',
      organisationId: org.id,
      offer: offer.name,
      startDate: isoDate(plan.startMs),
      endDate: plan.endMs === null ? null : isoDate(plan.endMs),
      status: ended ? (this.#chance(0.85) ? 'ended' : 'terminated') : 'active',
      createdAt: new Date(plan.startMs),
      updatedAt: new Date(ended && plan.endMs !== null ? plan.endMs : plan.startMs),
    });
    // One to three of the account's contacts are named on the contract.
    const named = contacts.slice();
    const k = Math.min(named.length, this.#int(1, 3));
    const chosen: Person[] = [];
    for (let i = 0; i < k; i++) chosen.push(named.splice(Math.floor(this.#rng() * named.length), 1)[0] as Person);
    for (const p of chosen) this.#chunk.contractContacts.push({ contractId: id, personId: p.id });

    const lastMs = Math.min(plan.endMs ?? now, now);
    const orders = this.#int(1, 4);
    for (let i = 0; i < orders; i++) this.#order(org, id, offer.amount, this.#pick(chosen), this.#between(plan.startMs, lastMs));
  }

  #order(org: Org, contractId: string, typicalAmount: number, buyer: Person, orderedMs: number): void {
    const now = this.#nowMs;
    const id = this.#ids.next();
    const amount = Math.round(typicalAmount * (0.6 + this.#rng()) * 100) / 100;
    const recent = orderedMs > now - 10 * DAY;
    const status = this.#chance(0.04) ? 'cancelled' : recent ? this.#pick(['placed', 'confirmed'] as const) : 'delivered';
    const number = `CMD-${new Date(orderedMs).getUTCFullYear()}-${String(++this.#orderSeq).padStart(7, '0')}`;
    this.#chunk.orders.push({
      id,
      purpose: 'crm',
      organisationId: org.id,
      contractId,
      personId: buyer.id,
      number,
      orderedAt: isoDate(orderedMs),
      amount: amount.toFixed(2),
      status,
      createdAt: new Date(orderedMs),
      updatedAt: new Date(orderedMs),
    });
    if (status === 'cancelled') return;

    // The delivery: course material, audit reports or equipment, sent to the buyer.
    const shippedMs = orderedMs + this.#int(1, 5) * DAY;
    const deliveredMs = shippedMs + this.#int(1, 4) * DAY;
    const deliveryStatus =
      shippedMs > now ? 'pending' : deliveredMs > now ? 'shipped' : this.#chance(0.02) ? 'returned' : 'delivered';
    this.#chunk.deliveries.push({
      id: this.#ids.next(),
      purpose: 'crm',
      orderId: id,
      organisationId: org.id,
      recipientPersonId: buyer.id,
      recipientName: buyer.name,
      deliveryAddress: buyer.address ?? { ...org.address, label: 'Livraison' },
      shippedAt: shippedMs > now ? null : isoDate(shippedMs),
      deliveredAt: deliveredMs > now || deliveryStatus !== 'delivered' ? null : isoDate(deliveredMs),
      status: deliveryStatus,
      createdAt: new Date(orderedMs),
      updatedAt: new Date(Math.min(deliveredMs, now)),
    });

    if (this.#chance(0.08)) this.#ticket(org, buyer, id, orderedMs);
    this.#invoice(org, contractId, buyer, orderedMs, amount);
  }

  #invoice(org: Org, contractId: string, buyer: Person, orderedMs: number, netAmount: number): void {
    const now = this.#nowMs;
    const issueMs = Math.min(orderedMs + this.#int(0, 10) * DAY, now);
    const termDays = this.#pick([30, 30, 45, 60]);
    const dueMs = issueMs + termDays * DAY;
    const id = this.#ids.next();
    const number = `FAC-${new Date(issueMs).getUTCFullYear()}-${String(++this.#invoiceSeq).padStart(7, '0')}`;
    // 20 % VAT.
    const amount = (Math.round(netAmount * 120) / 100).toFixed(2);

    let status: 'issued' | 'paid' | 'overdue' | 'cancelled';
    // An overdue invoice can be handed to a recovery body after two months of reminders.
    const canHandOver = dueMs <= now - 90 * DAY;
    const forceDebt = !this.#debtCaseMade && canHandOver;
    if (dueMs >= now) status = this.#chance(0.15) ? 'paid' : 'issued';
    else if (forceDebt) status = 'overdue';
    else {
      const r = this.#rng();
      status = r < 0.07 ? 'overdue' : r < 0.09 ? 'cancelled' : 'paid';
    }
    this.#chunk.invoices.push({
      id,
      purpose: 'crm',
      organisationId: org.id,
      contractId,
      personId: buyer.id,
      number,
      issueDate: isoDate(issueMs),
      dueDate: isoDate(dueMs),
      amount,
      currency: 'EUR',
      status,
      createdAt: new Date(issueMs),
      updatedAt: new Date(issueMs),
    });

    if (status === 'paid') {
      const paidMs = Math.min(issueMs + this.#int(3, termDays + 20) * DAY, now);
      const method = this.#pick(['transfer', 'transfer', 'transfer', 'transfer', 'transfer', 'transfer', 'direct_debit', 'direct_debit', 'cheque', 'card'] as const);
      this.#chunk.payments.push({
        id: this.#ids.next(),
        purpose: 'crm',
        invoiceId: id,
        organisationId: org.id,
        amount,
        paidAt: isoDate(paidMs),
        method,
        reference: method === 'transfer' ? `VIR ${number}` : method === 'cheque' ? `CHQ ${this.#digits(7)}` : null,
        createdAt: new Date(paidMs),
        updatedAt: new Date(paidMs),
      });
    } else if (status === 'overdue' && canHandOver && (forceDebt || this.#chance(0.3))) {
      this.#debtCaseMade = true;
      const handedMs = dueMs + this.#int(60, 90) * DAY;
      const old = handedMs < now - YEAR;
      const caseStatus = old ? this.#pick(['settled', 'written_off', 'closed'] as const) : this.#pick(['open', 'open', 'litigation'] as const);
      const closedMs = old ? Math.min(handedMs + this.#int(30, 300) * DAY, now) : null;
      this.#chunk.debtCases.push({
        id: this.#ids.next(),
        purpose: 'crm',
        invoiceId: id,
        recoveryBodyId: this.#pick(this.#recoveryBodies),
        organisationId: org.id,
        status: caseStatus,
        handedOverAt: isoDate(handedMs),
        closedAt: closedMs === null ? null : isoDate(closedMs),
        createdAt: new Date(handedMs),
        updatedAt: new Date(closedMs ?? handedMs),
      });
    }
  }

  #ticket(org: Org, buyer: Person, orderId: string, orderedMs: number): void {
    const openedMs = Math.min(this.#between(orderedMs + DAY, orderedMs + 60 * DAY), this.#nowMs);
    this.#chunk.tickets.push({ ...this.#case(org, buyer, this.#pick(TICKET_SUBJECTS), openedMs), orderId });
  }

  #case(org: Org, person: Person, subject: string, openedMs: number): NewRow<'complaints'> {
    const settled = openedMs < this.#nowMs - 30 * DAY || this.#chance(0.3);
    const closedMs = settled ? Math.min(openedMs + this.#int(1, 20) * DAY, this.#nowMs) : null;
    return {
      id: this.#ids.next(),
      purpose: 'crm',
      personId: person.id,
      organisationId: org.id,
      subject,
      description: null,
      status: settled ? this.#pick(['resolved', 'closed'] as const) : this.#pick(['open', 'in_progress'] as const),
      openedAt: new Date(openedMs),
      closedAt: closedMs === null ? null : new Date(closedMs),
      createdAt: new Date(openedMs),
      updatedAt: new Date(closedMs ?? openedMs),
    };
  }

  /** Complaints and survey answers of a client contact, while the relationship lasts. */
  #followUps(org: Org, contact: Person, untilMs: number): void {
    if (this.#chance(0.03)) {
      const subject = this.#pick(COMPLAINT_SUBJECTS);
      const row = this.#case(org, contact, subject, this.#between(contact.collectedMs, untilMs));
      this.#chunk.complaints.push({ ...row, description: this.#pick(['Signalé par téléphone.', 'Signalé par courriel.', 'Signalé lors d’un rendez-vous.']) });
    }
    if (this.#chance(0.2)) {
      const answeredMs = this.#between(contact.collectedMs, untilMs);
      const answeredAt = new Date(answeredMs);
      this.#chunk.surveys.push({
        id: this.#ids.next(),
        purpose: 'crm',
        personId: contact.id,
        organisationId: org.id,
        survey: this.#pick(SURVEY_NAMES).replace('{year}', String(answeredAt.getUTCFullYear())),
        // Satisfied clients answer more often: scores lean towards 10.
        score: 10 - Math.floor(this.#rng() ** 2 * 11),
        comment: this.#chance(0.4) ? this.#pick(SURVEY_COMMENTS) : null,
        answeredAt,
        createdAt: answeredAt,
        updatedAt: answeredAt,
      });
    }
  }
}

/** `YYYY-MM-DD` (UTC) of a moment, as `date` columns take it. */
function isoDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** Lower-case ASCII with hyphens, for e-mail local parts and domains. */
function slug(s: string): string {
  return s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/&/g, ' et ')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}
