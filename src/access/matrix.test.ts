import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachEngine } from '../../test/engines.js';
import { buildApp } from '../app.js';
import { RESOURCES, type ResourceSpec } from '../crm/resources.js';
import { effectiveGrants, type LoadedPolicy, type Operation, loadPolicy } from '../policy/index.js';
import { createToken } from './auth/index.js';

/**
 * P2.1–P2.4: the authorisation matrix. Every role of the policy × every record route
 * and method. Allowed gives 2xx; forbidden gives 403 and no personal value in the body.
 * The expectation is derived from the policy's grants here, independently of the gate.
 */
type Json = Record<string, unknown>;
type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';

// Personal values seeded below; none may appear in a refusal.
const SECRET_VALUES = ['Dubois-Matrix', 'Anne-Matrix', 'anne.matrix@debiteur.fr', 'Léa-Other', 'lea.other@autre.fr', '+33611223344'];

/** What the policy grants, re-derived from the raw grants (not through the gate's code). */
function policyAllows(policy: LoadedPolicy, role: string, spec: ResourceSpec, operation: Operation, purpose = 'crm'): boolean {
  return effectiveGrants(policy, role).some(
    (g) =>
      !(g.archive ?? false) &&
      g.operations.includes(operation) &&
      g.purposes.includes(purpose as never) &&
      (spec.category === null || g.categories.includes(spec.category)),
  );
}

describeEachEngine('authorisation matrix', (store) => {
  let app: FastifyInstance;
  let policy: LoadedPolicy;
  const ids: Record<string, string> = {};
  const tokens: Record<string, string> = {};

  const call = async (token: string | null, method: Method, url: string, payload?: Json) => {
    const res = await app.inject({ method, url, headers: token ? { authorization: `Bearer ${token}` } : {}, ...(payload ? { payload } : {}) });
    return { status: res.statusCode, text: res.body, body: (res.body ? res.json() : null) as Json };
  };
  const asManager = async (path: string, payload: Json): Promise<string> => {
    const res = await call(tokens.manager ?? null, 'POST', `/api/v1/${path}`, payload);
    expect(res.status, `${path}: ${res.text}`).toBe(201);
    return String(res.body.id);
  };

  /** A valid new record of each type, for POST and for throwaway rows to DELETE. */
  const newBody = (spec: ResourceSpec, n: string): Json => {
    switch (spec.name) {
      case 'organisations': return { name: `Org ${n}` };
      case 'people': return { lastName: `Nouveau ${n}`, organisationId: ids.orgA };
      case 'contracts': return { organisationId: ids.orgA, contactIds: [ids.personA], offer: `Offre ${n}`, startDate: '2026-01-01' };
      case 'orders': return { organisationId: ids.orgA, number: `O-${n}`, orderedAt: '2026-01-01', amount: 1 };
      case 'deliveries': return { orderId: ids.order, deliveryAddress: { line1: '1 rue A', postcode: '75001', city: 'Paris', country: 'FR' } };
      case 'invoices': return { organisationId: ids.orgA, number: `I-${n}`, issueDate: '2026-01-01', dueDate: '2026-02-01', amount: 1 };
      case 'payments': return { invoiceId: ids.invoicePaid, amount: 1, paidAt: '2026-01-02' };
      case 'complaints':
      case 'tickets': return { personId: ids.personA, subject: `Sujet ${n}` };
      case 'surveys': return { personId: ids.personA, survey: `Enquête ${n}`, score: 7 };
      case 'debt-cases': return { invoiceId: ids.invoiceOverdueB, recoveryBodyId: ids.bodyB };
      default: throw new Error(spec.name);
    }
  };
  /** A change touching the resource's own category. */
  const patchBody: Readonly<Record<string, Json>> = {
    organisations: { sector: 'Industrie' },
    people: { firstName: 'Anne-Matrix' },
    contracts: { offer: 'Audit annuel' },
    orders: { status: 'confirmed' },
    deliveries: { status: 'shipped' },
    invoices: { currency: 'EUR' },
    payments: { reference: 'VIR-1' },
    complaints: { status: 'in_progress' },
    tickets: { status: 'in_progress' },
    surveys: { comment: 'Très bien' },
    'debt-cases': { status: 'open' },
  };
  const target: Record<string, string> = {};

  beforeAll(async () => {
    policy = await loadPolicy('policies/certilience.yaml');
    app = await buildApp({ store: store(), policy });
    tokens.manager = (await createToken(store().db, policy, { role: 'manager', name: 'matrix seed' })).token;
    ids.orgA = await asManager('organisations', { name: 'Débiteur SA' });
    ids.orgB = await asManager('organisations', { name: 'Autre SAS' });
    ids.bodyA = await asManager('organisations', { name: 'Recouvrement A', kind: 'recovery_body' });
    ids.bodyB = await asManager('organisations', { name: 'Recouvrement B', kind: 'recovery_body' });
    ids.subcontractor = await asManager('organisations', { name: 'Sous-traitant', kind: 'subcontractor' });
    ids.subsidiary = await asManager('organisations', { name: 'Filiale', kind: 'subsidiary' });
    ids.personA = await asManager('people', { lastName: 'Dubois-Matrix', firstName: 'Anne', email: 'anne.matrix@debiteur.fr', phones: [{ number: '+33611223344' }], jobTitle: 'DAF', organisationId: ids.orgA, source: 'contrat' });
    ids.personB = await asManager('people', { lastName: 'Léa-Other', email: 'lea.other@autre.fr', organisationId: ids.orgB });
    ids.contract = await asManager('contracts', { organisationId: ids.orgA, contactIds: [ids.personA], offer: 'Phishing', startDate: '2025-01-01' });
    ids.order = await asManager('orders', { organisationId: ids.orgA, personId: ids.personA, number: 'M-1', orderedAt: '2025-01-02', amount: 10 });
    ids.delivery = await asManager('deliveries', { orderId: ids.order, recipientPersonId: ids.personA, deliveryAddress: { line1: '3 rue B', postcode: '69001', city: 'Lyon', country: 'FR' } });
    ids.invoiceOverdueA = await asManager('invoices', { organisationId: ids.orgA, personId: ids.personA, number: 'M-OVA', issueDate: '2025-01-01', dueDate: '2025-02-01', amount: 10, status: 'overdue' });
    ids.invoiceOverdueB = await asManager('invoices', { organisationId: ids.orgB, personId: ids.personB, number: 'M-OVB', issueDate: '2025-01-01', dueDate: '2025-02-01', amount: 20, status: 'overdue' });
    ids.invoicePaid = await asManager('invoices', { organisationId: ids.orgA, personId: ids.personA, number: 'M-PAID', issueDate: '2025-01-01', dueDate: '2025-02-01', amount: 30, status: 'paid' });
    ids.debtA = await asManager('debt-cases', { invoiceId: ids.invoiceOverdueA, recoveryBodyId: ids.bodyA });
    ids.payment = await asManager('payments', { invoiceId: ids.invoiceOverdueA, amount: 1, paidAt: '2025-03-01' });
    ids.complaint = await asManager('complaints', { personId: ids.personA, organisationId: ids.orgA, subject: 'Retard' });
    ids.ticket = await asManager('tickets', { personId: ids.personA, organisationId: ids.orgA, subject: 'Panne' });
    ids.survey = await asManager('surveys', { personId: ids.personA, organisationId: ids.orgA, survey: 'Satisfaction', score: 8 });
    Object.assign(target, {
      organisations: ids.orgA, people: ids.personA, contracts: ids.contract, orders: ids.order, deliveries: ids.delivery,
      invoices: ids.invoiceOverdueA, payments: ids.payment, complaints: ids.complaint, tickets: ids.ticket, surveys: ids.survey, 'debt-cases': ids.debtA,
    });
    const scopeOf: Record<string, string> = { debt_recovery: ids.bodyA, subcontractor: ids.subcontractor, subsidiary: ids.subsidiary, training_client: ids.orgA };
    for (const role of policy.roles) {
      tokens[role.id] = (await createToken(store().db, policy, { role: role.id, name: `matrix ${role.id}`, scopeOrganisationId: scopeOf[role.id] ?? null })).token;
    }
  });
  afterAll(async () => {
    await app.close();
  });

  it('P2.1 P2.2 P2.3 every role × every route and method: allowed gives 2xx, forbidden 403 with no personal data', async () => {
    const failures: string[] = [];
    let n = 0;
    for (const role of policy.roles.map((r) => r.id)) {
      const token = tokens[role] ?? null;
      for (const spec of RESOURCES) {
        const base = `/api/v1/${spec.name}`;
        // The targets are the rows handed to recovery body A, so debt_recovery (bound to A) reaches them.
        const checks: [Method, string, Operation, Json | undefined][] = [
          ['GET', base, 'read', undefined],
          ['GET', `${base}/${target[spec.name]}`, 'read', undefined],
          ['POST', base, 'create', newBody(spec, `${role}-${n}`)],
          ['PATCH', `${base}/${target[spec.name]}`, 'update', patchBody[spec.name]],
        ];
        for (const [method, url, op, payload] of checks) {
          n++;
          // The route is open to a role granted the operation for any purpose of these
          // records; a row of another purpose is then out of its reach: 404, as if absent.
          const routeOpen = spec.purposes.some((p) => policyAllows(policy, role, spec, op, p));
          const rowReachable = policyAllows(policy, role, spec, op, 'crm');
          const onRow = method !== 'GET' || url !== base;
          const expected = !routeOpen ? '403' : rowReachable || (method === 'GET' && !onRow) ? '2xx' : method === 'POST' ? '403' : '404';
          const res = await call(token, method, url, payload);
          const ok = expected === '2xx' ? res.status >= 200 && res.status < 300 : res.status === Number(expected);
          if (!ok) failures.push(`${role} ${method} ${url.replace(/[0-9a-f-]{36}/, ':id')}: expected ${expected}, got ${res.status} ${res.text.slice(0, 120)}`);
          if (res.status === 403) {
            for (const v of SECRET_VALUES) if (res.text.includes(v)) failures.push(`${role} ${method} ${url}: 403 body carries personal data`);
            expect(res.body).toMatchObject({ error: { code: 'FORBIDDEN' } });
          }
        }
        // DELETE on a throwaway row made by the manager (debt cases need a fresh overdue invoice).
        const throwaway = spec.name === 'debt-cases' ? null : await asManager(spec.name, newBody(spec, `del-${role}-${n}`));
        if (throwaway) {
          const routeOpen = spec.purposes.some((p) => policyAllows(policy, role, spec, 'delete', p));
          const expected = !routeOpen ? 403 : policyAllows(policy, role, spec, 'delete', 'crm') ? 204 : 404;
          const res = await call(token, 'DELETE', `${base}/${throwaway}`);
          if (res.status !== expected) failures.push(`${role} DELETE ${spec.name}: expected ${expected}, got ${res.status}`);
        }
      }
    }
    expect(failures).toEqual([]);
    expect(n).toBe(policy.roles.length * RESOURCES.length * 4);
  }, 240_000);

  it('P2.1 logistics sees delivery addresses and not invoices; its people carry no professional fields', async () => {
    const t = tokens.logistics ?? null;
    const delivery = await call(t, 'GET', `/api/v1/deliveries/${ids.delivery}`);
    expect(delivery.status).toBe(200);
    expect(delivery.body.deliveryAddress).toMatchObject({ city: 'Lyon' });
    expect((await call(t, 'GET', '/api/v1/invoices')).status).toBe(403);
    const person = await call(t, 'GET', `/api/v1/people/${ids.personA}`);
    expect(person.status).toBe(200);
    expect(person.body.email).toBe('anne.matrix@debiteur.fr');
    expect(person.body).not.toHaveProperty('jobTitle');
    expect(person.body).not.toHaveProperty('source');
  });

  it('P2.1 marketing sees no invoices, payments or debt cases', async () => {
    for (const path of ['invoices', 'payments', 'debt-cases']) {
      const res = await call(tokens.marketing ?? null, 'GET', `/api/v1/${path}`);
      expect(res.status, path).toBe(403);
    }
  });

  it('P2.4 a recovery body lists only the overdue invoices handed to it, and reaches no other person', async () => {
    const t = tokens.debt_recovery ?? null;
    const invoices = await call(t, 'GET', '/api/v1/invoices');
    expect((invoices.body.items as Json[]).map((i) => i.number)).toEqual(['M-OVA']);
    expect((await call(t, 'GET', `/api/v1/invoices/${ids.invoicePaid}`)).status).toBe(404);
    expect((await call(t, 'GET', `/api/v1/invoices/${ids.invoiceOverdueB}`)).status).toBe(404);
    const people = await call(t, 'GET', '/api/v1/people');
    expect((people.body.items as Json[]).map((p) => p.id)).toEqual([ids.personA]);
    expect((await call(t, 'GET', `/api/v1/people/${ids.personB}`)).status).toBe(404);
    const cases = await call(t, 'GET', '/api/v1/debt-cases');
    expect((cases.body.items as Json[]).map((c) => c.id)).toEqual([ids.debtA]);
    const orgs = await call(t, 'GET', '/api/v1/organisations');
    expect((orgs.body.items as Json[]).map((o) => o.id).sort()).toEqual([ids.orgA, ids.bodyA].sort());
    // Once the invoice is paid, the body no longer sees it (nor its debtor).
    await call(tokens.manager ?? null, 'PATCH', `/api/v1/invoices/${ids.invoiceOverdueA}`, { status: 'paid' });
    expect(((await call(t, 'GET', '/api/v1/invoices')).body.items as Json[]).length).toBe(0);
    expect(((await call(t, 'GET', '/api/v1/people')).body.items as Json[]).length).toBe(0);
    await call(tokens.manager ?? null, 'PATCH', `/api/v1/invoices/${ids.invoiceOverdueA}`, { status: 'overdue' });
  });

  it('P2.2 a subcontractor reaches no client-relationship record (its contract covers training only)', async () => {
    for (const spec of RESOURCES) {
      expect((await call(tokens.subcontractor ?? null, 'GET', `/api/v1/${spec.name}`)).status, spec.name).toBe(403);
    }
  });

  it('P2.5 every read and write through the gate left an audit entry naming actor, role, people and fields, never values', async () => {
    await app.inject({ method: 'GET', url: `/api/v1/people/${ids.personA}`, headers: { authorization: `Bearer ${tokens.sales}` } });
    // Give the chainer a moment; then look at what the trail says about person A.
    await new Promise((r) => setTimeout(r, 400));
    const rows = await sql<{ role: string; action: string; fields: string[]; personIds: string[]; resource: string }>`
      select role, action, fields, person_ids, resource from audit_entries where ${ids.personA} = any(person_ids) order by seq`.execute(store().db);
    const queued = await sql<{ n: number }>`select count(*)::int as n from audit_queue`.execute(store().db);
    const all = rows.rows;
    expect(all.length + (queued.rows[0]?.n ?? 0)).toBeGreaterThan(0);
    expect(all.some((r) => r.role === 'sales' && r.action === 'read' && r.resource === 'people' && r.fields.includes('email'))).toBe(true);
    expect(all.some((r) => r.role === 'manager' && r.action === 'create' && r.resource === 'people')).toBe(true);
    const dump = JSON.stringify((await sql`select * from audit_entries`.execute(store().db)).rows);
    for (const v of SECRET_VALUES) expect(dump).not.toContain(v);
    const denied = await sql<{ n: number }>`select count(*)::int as n from audit_entries where action = 'denied'`.execute(store().db);
    expect(denied.rows[0]?.n).toBeGreaterThan(0);
  });

  it('P1.7 connection logs are readable by it and dpo only', async () => {
    for (const role of policy.roles.map((r) => r.id)) {
      const res = await call(tokens[role] ?? null, 'GET', '/api/v1/connection-logs');
      const allowed = ['it', 'dpo'].includes(role);
      expect(res.status, role).toBe(allowed ? 200 : 403);
      if (allowed) expect((res.body.items as Json[]).every((e) => e.outcome === 'success' || e.outcome === 'failure')).toBe(true);
    }
    const csv = await app.inject({ method: 'GET', url: '/api/v1/connection-logs.csv', headers: { authorization: `Bearer ${tokens.dpo}` } });
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toContain('text/csv');
    expect(csv.body.split('\n')[0]).toContain('outcome');
  });

  it('P2.5 the audit trail is readable by the dpo only, filtered by person', async () => {
    expect((await call(tokens.sales ?? null, 'GET', `/api/v1/audit?person=${ids.personA}`)).status).toBe(403);
    const res = await call(tokens.dpo ?? null, 'GET', `/api/v1/audit?person=${ids.personA}`);
    expect(res.status).toBe(200);
    expect((res.body.items as Json[]).length).toBeGreaterThan(0);
  });
});
