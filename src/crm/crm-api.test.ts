import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachEngine } from '../../test/engines.js';
import { createToken } from '../access/auth/index.js';
import { buildApp } from '../app.js';
import { loadPolicy } from '../policy/index.js';

type Json = Record<string, unknown>;

describeEachEngine('client-relationship API', (store) => {
  let app: FastifyInstance;
  // A manager includes the roles of its team: every client-relationship operation.
  let auth: Record<string, string> = {};
  const call = async (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: unknown) => {
    const res = await app.inject({ method, url, headers: auth, ...(payload === undefined ? {} : { payload: payload as Json }) });
    return { status: res.statusCode, body: (res.body ? res.json() : null) as Json };
  };
  const create = async (path: string, payload: Json): Promise<Json> => {
    const res = await call('POST', `/api/v1/${path}`, payload);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body;
  };

  beforeAll(async () => {
    const policy = await loadPolicy('policies/certilience.yaml');
    app = await buildApp({ store: store(), policy, now: () => new Date('2026-11-26T10:00:00Z') });
    const { token } = await createToken(store().db, policy, { role: 'manager', name: 'crm tests' });
    auth = { authorization: `Bearer ${token}` };
  });

  it('P2.1 no credentials: 401 on every record route, with no data', async () => {
    for (const path of ['organisations', 'people', 'invoices', 'debt-cases']) {
      const res = await app.inject({ method: 'GET', url: `/api/v1/${path}` });
      expect(res.statusCode).toBe(401);
      expect(res.json()).toMatchObject({ error: { code: 'UNAUTHENTICATED' } });
    }
  });
  afterAll(async () => {
    await app.close();
  });

  it('answers /healthz with the engine', async () => {
    const res = await call('GET', '/healthz');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok', database: store().engine });
  });

  it('serves an OpenAPI document generated from the route schemas', async () => {
    const res = await call('GET', '/api/openapi.json');
    expect(res.status).toBe(200);
    const paths = Object.keys(res.body.paths as Json);
    for (const r of ['organisations', 'people', 'contracts', 'orders', 'deliveries', 'invoices', 'payments', 'complaints', 'tickets', 'surveys', 'debt-cases']) {
      expect(paths).toContain(`/api/v1/${r}`);
      expect(paths).toContain(`/api/v1/${r}/{id}`);
    }
  });

  it('P1.3 every record type: create, read, update, list, delete, each row tagged with its purpose', async () => {
    const org = await create('organisations', { name: 'Bâtiments Durand SAS', siret: '73282932000074', vatNumber: 'FR44732829320', addresses: [{ line1: '3 rue de la Paix', postcode: '75002', city: 'Paris', country: 'FR' }] });
    expect(org).toMatchObject({ kind: 'client', purpose: 'crm', siret: '73282932000074' });
    const body = await create('organisations', { name: 'Recouvrement Martin', kind: 'recovery_body' });
    const person = await create('people', { lastName: 'Durand', firstName: 'Élise', email: 'elise.durand@durand-batiment.fr', phones: [{ number: '+33612345678', type: 'mobile' }], jobTitle: 'DAF', organisationId: org.id, relation: 'client_contact', source: 'salon', collectedAt: '2025-03-01T09:00:00Z' });
    expect(person).toMatchObject({ purpose: 'crm', collectedAt: '2025-03-01T09:00:00.000Z', relation: 'client_contact' });
    const prospect = await create('people', { lastName: 'Petit', relation: 'prospect' });
    expect(prospect).toMatchObject({ purpose: 'prospecting', source: 'api', collectedAt: '2026-11-26T10:00:00.000Z' });
    const contract = await create('contracts', { organisationId: org.id, contactIds: [person.id], offer: 'Sensibilisation phishing', startDate: '2025-01-01' });
    expect(contract).toMatchObject({ contactIds: [person.id], status: 'active', purpose: 'crm' });
    const order = await create('orders', { organisationId: org.id, contractId: contract.id, personId: person.id, number: 'CMD-1', orderedAt: '2025-02-01', amount: 1200.5 });
    expect(order.amount).toBe(1200.5);
    const delivery = await create('deliveries', { orderId: order.id, recipientPersonId: person.id, deliveryAddress: { line1: '3 rue de la Paix', postcode: '75002', city: 'Paris', country: 'FR' } });
    expect(delivery.organisationId).toBe(org.id);
    const invoice = await create('invoices', { organisationId: org.id, contractId: contract.id, number: 'F-2025-001', issueDate: '2025-02-01', dueDate: '2025-03-03', amount: 1200.5, status: 'overdue' });
    const payment = await create('payments', { invoiceId: invoice.id, amount: 100, paidAt: '2025-03-10' });
    expect(payment.organisationId).toBe(org.id);
    const complaint = await create('complaints', { personId: person.id, organisationId: org.id, subject: 'Retard', description: 'Livraison en retard' });
    const ticket = await create('tickets', { personId: person.id, organisationId: org.id, orderId: order.id, subject: 'Panne' });
    const survey = await create('surveys', { personId: person.id, organisationId: org.id, survey: 'Satisfaction 2025', score: 9 });
    const debt = await create('debt-cases', { invoiceId: invoice.id, recoveryBodyId: body.id });
    expect(debt).toMatchObject({ organisationId: org.id, handedOverAt: '2026-11-26', status: 'open' });

    const all: [string, Json][] = [
      ['organisations', org], ['people', person], ['contracts', contract], ['orders', order], ['deliveries', delivery], ['invoices', invoice],
      ['payments', payment], ['complaints', complaint], ['tickets', ticket], ['surveys', survey], ['debt-cases', debt],
    ];
    for (const [path, rec] of all) {
      const read = await call('GET', `/api/v1/${path}/${String(rec.id)}`);
      expect(read.status).toBe(200);
      expect(read.body).toEqual(rec);
      expect(read.body.purpose).toBe('crm');
    }

    const patched = await call('PATCH', `/api/v1/complaints/${String(complaint.id)}`, { status: 'resolved' });
    expect(patched.body).toMatchObject({ status: 'resolved', subject: 'Retard' });
    const contractPatched = await call('PATCH', `/api/v1/contracts/${String(contract.id)}`, { endDate: '2025-12-31', status: 'ended' });
    expect(contractPatched.body).toMatchObject({ endDate: '2025-12-31', status: 'ended', contactIds: [person.id] });

    // Delete in dependency order; each is gone afterwards.
    for (const [path, rec] of [...all].reverse().filter(([p]) => p !== 'organisations')) {
      expect((await call('DELETE', `/api/v1/${path}/${String(rec.id)}`)).status).toBe(204);
      expect((await call('GET', `/api/v1/${path}/${String(rec.id)}`)).status).toBe(404);
    }
  });

  it('lists with cursor pagination and filters by organisation and status', async () => {
    const a = await create('organisations', { name: 'A' });
    const b = await create('organisations', { name: 'B' });
    for (let i = 0; i < 5; i++) {
      await create('invoices', { organisationId: a.id, number: `PAG-A-${i}`, issueDate: '2026-01-01', dueDate: '2026-02-01', amount: 10, status: i < 2 ? 'paid' : 'issued' });
    }
    await create('invoices', { organisationId: b.id, number: 'PAG-B-0', issueDate: '2026-01-01', dueDate: '2026-02-01', amount: 10 });
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res: { status: number; body: Json } = await call('GET', `/api/v1/invoices?organisationId=${String(a.id)}&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.status).toBe(200);
      for (const item of res.body.items as Json[]) seen.push(String(item.number));
      cursor = res.body.nextCursor as string | null;
    } while (cursor);
    expect(seen).toEqual(['PAG-A-0', 'PAG-A-1', 'PAG-A-2', 'PAG-A-3', 'PAG-A-4']);
    const paid = await call('GET', `/api/v1/invoices?organisationId=${String(a.id)}&status=paid`);
    expect((paid.body.items as Json[]).map((i) => i.number)).toEqual(['PAG-A-0', 'PAG-A-1']);
    expect((await call('GET', '/api/v1/invoices?cursor=bogus')).body.error).toMatchObject({ code: 'VALIDATION_FAILED' });
    expect((await call('GET', '/api/v1/invoices?colour=red')).status).toBe(400);
  });

  it('P1.2 a contract without the mandatory fields gives 400 listing every missing field', async () => {
    const res = await call('POST', '/api/v1/contracts', {});
    expect(res.status).toBe(400);
    const error = res.body.error as { code: string; details: { field: string }[] };
    expect(error.code).toBe('MANDATORY_FIELDS_MISSING');
    expect(error.details.map((d) => d.field).sort()).toEqual(['contacts', 'offer', 'organisation', 'startDate']);
  });

  it('P1.2 each mandatory contact field is named when missing', async () => {
    const org = await create('organisations', { name: 'Contrats SA' });
    const noEmail = await create('people', { lastName: 'Sans', firstName: 'Courriel' });
    const noNames = await create('people', { email: 'x@contrats.fr' });
    const res = await call('POST', '/api/v1/contracts', { organisationId: org.id, contactIds: [noEmail.id, noNames.id], offer: 'Audit', startDate: '2026-01-01' });
    expect(res.status).toBe(400);
    const fields = (res.body.error as { details: { field: string }[] }).details.map((d) => d.field).sort();
    expect(fields).toEqual(['contacts[0].email', 'contacts[1].firstName', 'contacts[1].lastName']);
    // No personal value in the error.
    expect(JSON.stringify(res.body)).not.toContain('x@contrats.fr');
    expect(JSON.stringify(res.body)).not.toContain('Courriel');
  });

  it('P1.2 a contract with everything the policy names is created; nothing else is mandatory', async () => {
    const org = await create('organisations', { name: 'Minimal SARL' });
    const p = await create('people', { lastName: 'Min', firstName: 'Imal', email: 'm@minimal.fr' });
    await create('contracts', { organisationId: org.id, contactIds: [p.id], offer: 'Audit', startDate: '2026-01-01' });
  });

  it('rejects bad input with 400 naming the field, and never echoes the value', async () => {
    const cases: [string, unknown, string][] = [
      ['organisations', { name: 'X', siret: '73282932000075' }, 'siret'],
      ['organisations', { name: 'X', vatNumber: 'FR00732829320' }, 'vatNumber'],
      ['people', { email: 'not-an-email' }, 'email'],
      ['people', { phones: [{ number: '06 12 34 56 78' }] }, 'phones[0].number'],
      ['people', { lastName: 42 }, 'lastName'],
      ['people', { lastName: 'A', favouriteColour: 'blue' }, 'favouriteColour'],
      ['invoices', { organisationId: '0191d0b4-8a5e-7000-8000-000000000000', number: 'F', issueDate: '2026-13-01', dueDate: '2026-01-01', amount: '12' }, 'issueDate'],
      ['invoices', { organisationId: '0191d0b4-8a5e-7000-8000-000000000000', number: 'F', issueDate: '2026-01-01', dueDate: '2026-01-01', amount: '12' }, 'amount'],
    ];
    for (const [path, payload, field] of cases) {
      const res = await call('POST', `/api/v1/${path}`, payload);
      expect(res.status, `${path} ${field}`).toBe(400);
      const error = res.body.error as { code: string; details: { field: string }[] };
      expect(error.details.map((d) => d.field), `${path} ${field}`).toContain(field);
      expect(JSON.stringify(res.body)).not.toContain('not-an-email');
    }
    // A nullable field's failure is reported once, not also as "must be of type null".
    const siret = await call('POST', '/api/v1/organisations', { name: 'X', siret: '73282932000075' });
    expect((siret.body.error as { details: unknown[] }).details).toEqual([{ field: 'siret', message: 'must be a valid SIRET: 14 digits with a valid check digit' }]);
  });

  it('answers malformed JSON, oversize bodies and unknown references with stable codes', async () => {
    const bad = await app.inject({ method: 'POST', url: '/api/v1/people', headers: { ...auth, 'content-type': 'application/json' }, payload: '{"lastName": ' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ error: { code: 'MALFORMED_REQUEST' } });
    const big = await app.inject({ method: 'POST', url: '/api/v1/people', headers: { ...auth, 'content-type': 'application/json' }, payload: JSON.stringify({ lastName: 'x'.repeat(2 * 1024 * 1024) }) });
    expect(big.statusCode).toBe(413);
    expect(big.json()).toMatchObject({ error: { code: 'PAYLOAD_TOO_LARGE' } });
    const ref = await call('POST', '/api/v1/people', { organisationId: '0191d0b4-8a5e-7000-8000-000000000000' });
    expect(ref.status).toBe(400);
    expect(ref.body.error).toMatchObject({ code: 'INVALID_REFERENCE', details: [{ field: 'organisationId' }] });
    expect((await call('GET', '/api/v1/people/not-a-uuid')).status).toBe(400);
    expect((await call('GET', '/api/v1/people/0191d0b4-8a5e-7000-8000-000000000000')).body.error).toMatchObject({ code: 'NOT_FOUND' });
  });

  it('P2.4 a debt case takes only an overdue invoice and a recovery body', async () => {
    const org = await create('organisations', { name: 'Débiteur SA' });
    const notBody = await create('organisations', { name: 'Pas un recouvreur' });
    const body = await create('organisations', { name: 'Huissiers Associés', kind: 'recovery_body' });
    const paid = await create('invoices', { organisationId: org.id, number: 'DC-PAID', issueDate: '2026-01-01', dueDate: '2026-02-01', amount: 10, status: 'paid' });
    const overdue = await create('invoices', { organisationId: org.id, number: 'DC-LATE', issueDate: '2026-01-01', dueDate: '2026-02-01', amount: 10, status: 'overdue' });
    expect((await call('POST', '/api/v1/debt-cases', { invoiceId: paid.id, recoveryBodyId: body.id })).body.error).toMatchObject({ details: [{ field: 'invoiceId' }] });
    expect((await call('POST', '/api/v1/debt-cases', { invoiceId: overdue.id, recoveryBodyId: notBody.id })).body.error).toMatchObject({ details: [{ field: 'recoveryBodyId' }] });
    await create('debt-cases', { invoiceId: overdue.id, recoveryBodyId: body.id });
  });

  it('refuses a duplicate invoice number, a change of it, and deleting a referenced organisation', async () => {
    const org = await create('organisations', { name: 'Doublons' });
    const inv = await create('invoices', { organisationId: org.id, number: 'DUP-1', issueDate: '2026-01-01', dueDate: '2026-02-01', amount: 10 });
    expect((await call('POST', '/api/v1/invoices', { organisationId: org.id, number: 'DUP-1', issueDate: '2026-01-01', dueDate: '2026-02-01', amount: 10 })).status).toBe(409);
    expect((await call('PATCH', `/api/v1/invoices/${String(inv.id)}`, { number: 'DUP-2' })).body.error).toMatchObject({ details: [{ field: 'number' }] });
    expect((await call('DELETE', `/api/v1/organisations/${String(org.id)}`)).status).toBe(409);
  });
});
