import { Writable } from 'node:stream';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachEngine } from '../../test/engines.js';
import { newId } from '../db/ids.js';
import { DEFAULT_POLICY_FILE, loadPolicy } from '../policy/index.js';
import { addPartner, hasGpcSignal, honourGpc, type ConsentDeps } from './index.js';

/**
 * Global Privacy Control on the portal's own session routes (issue 15, item 6; P1.6): a
 * route that has identified the person calls honourGpc, as a portal session would.
 */
describeEachEngine('honourGpc, for portal routes that identify the person', (store) => {
  let app: FastifyInstance;
  let deps: ConsentDeps;
  const logs: string[] = [];
  const clock = new Date('2026-12-07T10:00:00Z');

  beforeAll(async () => {
    deps = { db: store().db, policy: await loadPolicy(DEFAULT_POLICY_FILE), now: () => clock, serverKey: Buffer.alloc(32, 3) };
    const stream = new Writable({ write: (chunk: Buffer, _enc, done) => (logs.push(chunk.toString('utf8')), done()) });
    app = Fastify({ logger: { level: 'error', stream } });
    // Stands in for a portal session route: it knows the person, and says how many events GPC gave.
    app.post('/api/v1/portal/session-test/:personId', async (req) => ({ recorded: await honourGpc(deps, (req.params as { personId: string }).personId, req) }));
    await app.ready();
  });
  afterAll(async () => {
    await app.close();
  });

  const person = async (): Promise<string> => {
    const id = newId();
    await store().db.insertInto('people').values({ id, relation: 'prospect', purpose: 'prospecting', lastName: 'Gpc', firstName: 'Portail', email: `gpc.${id.slice(-6)}@example.fr`, phones: '[]', postalAddresses: '[]', source: 'test', collectedAt: clock }).execute();
    return id;
  };
  const call = (personId: string, gpc?: string) => app.inject({ method: 'POST', url: `/api/v1/portal/session-test/${personId}`, headers: gpc === undefined ? {} : { 'sec-gpc': gpc } });

  it('P1.6 only Sec-GPC: 1 counts as the signal', () => {
    expect(hasGpcSignal({ 'sec-gpc': '1' })).toBe(true);
    expect(hasGpcSignal({ 'sec-gpc': ' 1 ' })).toBe(true);
    expect(hasGpcSignal({ 'sec-gpc': '0' })).toBe(false);
    expect(hasGpcSignal({})).toBe(false);
  });

  it('P1.6 Sec-GPC: 1 on a portal route records the objection for every partner, once; without it nothing is recorded', async () => {
    await addPartner(store().db, { name: `Partenaire GPC ${newId().slice(-4)}`, kind: 'partner', country: 'FR', email: 'privacy@partner.invalid' }, clock);
    const partners = (await store().db.selectFrom('partners').select('id').execute()).length;
    const id = await person();
    expect((await call(id)).json()).toEqual({ recorded: 0 });
    expect((await call(id, '0')).json()).toEqual({ recorded: 0 });
    expect((await call(id, '1')).json()).toEqual({ recorded: partners });
    const subject = await store().db.selectFrom('consentSubjects').select('id').where('personId', '=', id).executeTakeFirstOrThrow();
    const events = await store().db.selectFrom('consentEvents').select(['state', 'channel', 'evidence']).where('subjectId', '=', subject.id).execute();
    expect(events).toHaveLength(partners);
    for (const e of events) expect(e).toEqual({ state: 'refused', channel: 'gpc', evidence: 'Sec-GPC: 1 on the privacy portal' });
    // Idempotent: a second signal adds nothing.
    expect((await call(id, '1')).json()).toEqual({ recorded: 0 });
  });

  it('P1.6 a failure never breaks the route, and is logged without the person', async () => {
    const unknown = newId();
    const res = await call(unknown, '1');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ recorded: 0 });
    const line = logs.find((l) => l.includes('GPC objection not recorded'));
    expect(line).toBeDefined();
    expect(line).not.toContain(unknown);
  });
});
