import { afterEach, describe, expect, it, vi } from 'vitest';
import type { NewRow, Phone, PostalAddress } from '../db/schema.js';
import { isRempartError } from '../errors.js';
import { DEMO_TABLES, generateDemo, type DemoChunk, type DemoOptions, type DemoTable } from './generate.js';
import { isValidSiret } from '../identifiers/siret.js';

const NOW = new Date('2026-11-26T10:00:00Z');
const YEAR = 365.25 * 86_400_000;

type AllRows = { [T in DemoTable]: NewRow<T>[] };

function collect(options: DemoOptions): { rows: AllRows; chunks: DemoChunk[] } {
  const chunks = [...generateDemo(options)];
  const rows = Object.fromEntries(DEMO_TABLES.map((t) => [t, chunks.flatMap((c): readonly unknown[] => c[t])])) as AllRows;
  return { rows, chunks };
}

const ms = (v: Date | string | null | undefined): number => (v === null || v === undefined ? Number.NaN : new Date(v).getTime());

describe('generateDemo', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  const { rows, chunks } = collect({ people: 3000, seed: 7, now: NOW });

  it('gives the same rows for the same seed and now, whatever the chunk size', () => {
    expect(collect({ people: 3000, seed: 7, now: NOW }).rows).toEqual(rows);
    expect(collect({ people: 3000, seed: 7, now: NOW, chunkPeople: 250 }).rows).toEqual(rows);
  });

  it('gives other rows for another seed', () => {
    const other = collect({ people: 3000, seed: 8, now: NOW }).rows;
    expect(other.people.map((p) => p.id)).not.toEqual(rows.people.map((p) => p.id));
    expect(other.people.map((p) => p.lastName)).not.toEqual(rows.people.map((p) => p.lastName));
  });

  it('never reads the clock', () => {
    vi.spyOn(Date, 'now').mockImplementation(() => {
      throw new Error('the generator read the clock');
    });
    expect(() => collect({ people: 300, seed: 1, now: NOW })).not.toThrow();
  });

  it('yields chunks of about the requested size', () => {
    const small = collect({ people: 3000, seed: 7, now: NOW, chunkPeople: 250 }).chunks;
    expect(small.length).toBeGreaterThan(8);
    for (const c of small.slice(1)) expect(c.people.length).toBeLessThan(250 + 10);
    expect(chunks.length).toBeGreaterThanOrEqual(2);
  });

  it('makes exactly the people asked for: mostly client contacts, a quarter prospects, some colleagues', () => {
    expect(rows.people).toHaveLength(3000);
    const by = (r: string) => rows.people.filter((p) => p.relation === r).length;
    expect(by('prospect')).toBe(750);
    expect(by('colleague')).toBeGreaterThan(0);
    expect(by('client_contact')).toBe(3000 - 750 - by('colleague'));
    expect(collect({ people: 0, seed: 1, now: NOW }).rows.people).toHaveLength(0);
    expect(collect({ people: 1, seed: 1, now: NOW }).rows.people).toHaveLength(1);
  });

  it('puts prospects under the prospecting purpose, in prospect organisations', () => {
    const orgs = new Map(rows.organisations.map((o) => [o.id, o]));
    for (const p of rows.people) {
      const org = orgs.get(p.organisationId ?? '');
      expect(org).toBeDefined();
      if (p.relation === 'prospect') {
        expect(p.purpose).toBe('prospecting');
        expect(org?.kind).toBe('prospect');
        expect(org?.purpose).toBe('prospecting');
      } else {
        expect(p.purpose).toBe('crm');
        expect(org?.kind).toMatch(p.relation === 'colleague' ? /^(subsidiary|subcontractor)$/ : /^client$/);
      }
    }
  });

  it('has 2–3 recovery bodies, one subcontractor, one subsidiary, all with valid, distinct SIRETs', () => {
    const kinds = rows.organisations.map((o) => o.kind);
    const recovery = rows.organisations.filter((o) => o.kind === 'recovery_body');
    expect(recovery.length).toBeGreaterThanOrEqual(2);
    expect(recovery.length).toBeLessThanOrEqual(3);
    for (const r of recovery) expect(r.name).toMatch(/recouvrement/i);
    expect(kinds.filter((k) => k === 'subcontractor')).toHaveLength(1);
    expect(kinds.filter((k) => k === 'subsidiary')).toHaveLength(1);
    const sirets = rows.organisations.map((o) => o.siret ?? '');
    for (const s of sirets) expect(isValidSiret(s), s).toBe(true);
    expect(new Set(sirets.map((s) => s.slice(0, 9))).size).toBe(sirets.length);
  });

  it('gives French contact details: E.164 phones, professional e-mails, French addresses', () => {
    const emails = new Set<string>();
    for (const p of rows.people) {
      expect(p.email).toMatch(/^[a-z0-9-]+\.[a-z0-9-]+\d*@[a-z0-9-]+\.fr$/);
      emails.add(p.email ?? '');
      for (const phone of p.phones as Phone[]) expect(phone.number).toMatch(/^\+33[1-7]\d{8}$/);
      for (const a of p.postalAddresses as PostalAddress[]) {
        expect(a.country).toBe('FR');
        expect(a.postcode).toMatch(/^\d{5}$/);
      }
    }
    expect(emails.size).toBe(rows.people.length);
    const sources = new Set(rows.people.map((p) => p.source));
    expect([...sources].some((s) => /^salon Les Assises 20\d\d$/.test(s))).toBe(true);
    expect(sources).toContain('formulaire web');
    expect(sources).toContain('contrat');
    expect([...sources].some((s) => s.startsWith('fichier acheté'))).toBe(true);
  });

  it('dates everything in the past, collections within the last 6 years', () => {
    const now = NOW.getTime();
    for (const p of rows.people) {
      expect(ms(p.collectedAt)).toBeLessThanOrEqual(now);
      expect(ms(p.collectedAt)).toBeGreaterThanOrEqual(now - 6 * YEAR);
      if (p.lastContactAt) expect(ms(p.lastContactAt)).toBeGreaterThanOrEqual(ms(p.collectedAt));
    }
    const collected = rows.people.map((p) => ms(p.collectedAt));
    expect(Math.min(...collected)).toBeLessThan(now - 5 * YEAR);
    expect(Math.max(...collected)).toBeGreaterThan(now - YEAR);
    for (const o of rows.orders) expect(ms(o.orderedAt)).toBeLessThanOrEqual(now);
    for (const i of rows.invoices) {
      expect(ms(i.issueDate)).toBeLessThanOrEqual(now);
      expect(ms(i.dueDate)).toBeGreaterThanOrEqual(ms(i.issueDate));
    }
    for (const c of rows.contracts) if (c.endDate) expect(ms(c.endDate)).toBeGreaterThanOrEqual(ms(c.startDate));
  });

  it('has contracts running, ended under 3 years ago, 3 to 5 years ago and over 5 years ago', () => {
    const now = NOW.getTime();
    const age = (end: string | null | undefined): string => {
      const e = ms(end);
      if (Number.isNaN(e) || e > now) return 'running';
      return e > now - 3 * YEAR ? 'under3' : e > now - 5 * YEAR ? '3to5' : 'over5';
    };
    const ages = new Set(rows.contracts.map((c) => age(c.endDate)));
    expect([...ages].sort()).toEqual(['3to5', 'over5', 'running', 'under3']);
    // Even the smallest data set with one client has all four.
    const tiny = collect({ people: 4, seed: 3, now: NOW }).rows;
    expect(new Set(tiny.contracts.map((c) => age(c.endDate))).size).toBe(4);
  });

  it('has paid invoices with their payment, overdue ones, and debt cases on overdue invoices only', () => {
    const invoices = new Map(rows.invoices.map((i) => [i.id, i]));
    const paid = rows.invoices.filter((i) => i.status === 'paid');
    expect(paid.length).toBeGreaterThan(rows.invoices.length / 2);
    expect(rows.invoices.some((i) => i.status === 'overdue')).toBe(true);
    const paidIds = new Set(rows.payments.map((p) => p.invoiceId));
    for (const i of paid) expect(paidIds.has(i.id)).toBe(true);
    for (const p of rows.payments) expect(p.amount).toBe(invoices.get(p.invoiceId)?.amount);
    const bodies = new Set(rows.organisations.filter((o) => o.kind === 'recovery_body').map((o) => o.id));
    expect(rows.debtCases.length).toBeGreaterThan(0);
    for (const d of rows.debtCases) {
      const invoice = invoices.get(d.invoiceId);
      expect(invoice?.status).toBe('overdue');
      expect(invoice?.organisationId).toBe(d.organisationId);
      expect(bodies.has(d.recoveryBodyId)).toBe(true);
      expect(ms(d.handedOverAt)).toBeGreaterThan(ms(invoice?.dueDate));
    }
  });

  it('only references rows of the same or an earlier chunk', () => {
    const seen = new Set<string>();
    const check = (...ids: (string | null | undefined)[]): void => {
      for (const id of ids) if (id !== null && id !== undefined) expect(seen.has(id)).toBe(true);
    };
    for (const c of collect({ people: 3000, seed: 7, now: NOW, chunkPeople: 200 }).chunks) {
      for (const t of DEMO_TABLES) for (const r of c[t]) if ('id' in r) seen.add(r.id);
      for (const p of c.people) check(p.organisationId);
      for (const x of c.contracts) check(x.organisationId);
      for (const x of c.contractContacts) check(x.contractId, x.personId);
      for (const x of c.orders) check(x.contractId, x.personId, x.organisationId);
      for (const x of c.deliveries) check(x.orderId, x.recipientPersonId);
      for (const x of c.invoices) check(x.contractId, x.personId);
      for (const x of c.payments) check(x.invoiceId);
      for (const x of c.debtCases) check(x.invoiceId, x.recoveryBodyId);
      for (const x of [...c.complaints, ...c.tickets, ...c.surveys]) check(x.personId, x.organisationId);
      for (const x of c.tickets) check(x.orderId);
    }
  });

  it('makes UUIDv7 ids, increasing in the order they are made', () => {
    const ids = rows.organisations.map((o) => o.id);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect([...ids].sort()).toEqual(ids);
  });

  it('refuses bad options with a VALIDATION_FAILED error', () => {
    for (const bad of [
      { people: -1, seed: 1, now: NOW },
      { people: 1.5, seed: 1, now: NOW },
      { people: 1, seed: 1, now: new Date('nope') },
      { people: 1, seed: 1, now: NOW, chunkPeople: 0 },
    ]) {
      let error: unknown;
      try {
        collect(bad);
      } catch (e) {
        error = e;
      }
      expect(isRempartError(error, 'VALIDATION_FAILED')).toBe(true);
    }
  });
});
