import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachEngine } from '../../test/engines.js';
import { buildApp } from '../app.js';
import { DEFAULT_POLICY_FILE, loadPolicy, type LoadedPolicy } from '../policy/index.js';
import { createToken } from './auth/index.js';
import { ACTIONS, PAGES, type Action, type Page } from './navigation.js';

/** The route each page reads first: the page is in the menu exactly when this answers 2xx. */
const ROUTE_OF: Readonly<Record<Page, string>> = {
  dashboard: '/api/v1/dashboard',
  requests: '/api/v1/requests?limit=1',
  retention: '/api/v1/retention/plan',
  audit: '/api/v1/audit/verifications',
  import: '/api/v1/imports?limit=1',
  duplicates: '/api/v1/dedupe/review?limit=1',
  segments: '/api/v1/segments',
  campaigns: '/api/v1/campaigns',
  opposition: '/api/v1/opposition/size',
  // No one has this id: the history is empty, but only a role that may read consents gets it.
  consents: '/api/v1/people/00000000-0000-7000-8000-000000000000/consents',
  partners: '/api/v1/partners',
  training: '/api/v1/engagements',
  organisations: '/api/v1/organisations?limit=1',
  people: '/api/v1/people?limit=1',
  contracts: '/api/v1/contracts?limit=1',
  invoices: '/api/v1/invoices?limit=1',
  complaints: '/api/v1/complaints?limit=1',
};

describeEachEngine('back-office navigation from the grants', (store) => {
  let app: FastifyInstance;
  let policy: LoadedPolicy;
  const tokens = new Map<string, string>();

  beforeAll(async () => {
    policy = await loadPolicy(DEFAULT_POLICY_FILE);
    app = await buildApp({ store: store(), policy });
    const org = await store().db.insertInto('organisations').values({ id: '0193a000-0000-7000-8000-000000000001', name: 'Scope SA', addresses: JSON.stringify([]) }).returning('id').executeTakeFirstOrThrow();
    for (const role of policy.roles) {
      const scoped = role.scope !== undefined;
      tokens.set(role.id, (await createToken(store().db, policy, { role: role.id, name: `nav ${role.id}`, scopeOrganisationId: scoped ? org.id : null })).token);
    }
  });
  afterAll(async () => {
    await app.close();
  });

  it('P2.1 every role of the policy: a page is in its menu exactly when the server lets it read what the page shows', async () => {
    for (const role of policy.roles) {
      const authorization = `Bearer ${tokens.get(role.id)}`;
      const nav = await app.inject({ method: 'GET', url: '/api/v1/navigation', headers: { authorization } });
      expect(nav.statusCode, nav.body).toBe(200);
      const pages = new Set(nav.json<{ pages: Page[] }>().pages);
      for (const page of PAGES) {
        const res = await app.inject({ method: 'GET', url: ROUTE_OF[page], headers: { authorization } });
        const opens = res.statusCode >= 200 && res.statusCode < 300;
        expect({ role: role.id, page, opens }).toEqual({ role: role.id, page, opens: pages.has(page) });
      }
    }
  });

  it('P2.1 every role of the policy: an action is offered exactly when its route does not refuse it (403)', async () => {
    const TRY: Readonly<Record<Action, { url: string; payload: Record<string, unknown> }>> = {
      'segments.create': { url: '/api/v1/segments', payload: { name: 'nav', kind: 'prospecting', criteria: {} } },
      // A segment that does not exist: the guard answers before the lookup, so anything but 403 means allowed.
      'campaigns.create': { url: '/api/v1/campaigns', payload: { name: 'nav', segmentId: '00000000-0000-7000-8000-000000000000', subject: 's', body: 'b' } },
      'opposition.add': { url: '/api/v1/opposition', payload: { email: 'nav.check@exemple.fr' } },
      'partners.create': { url: '/api/v1/partners', payload: { name: `Partenaire nav`, kind: 'partner', country: 'FR' } },
      // A partner that does not exist: refused (403) before it is looked up.
      'transfers.create': { url: '/api/v1/transfers', payload: { partnerId: '00000000-0000-7000-8000-000000000000' } },
      'training.close': { url: '/api/v1/engagements/00000000-0000-7000-8000-000000000000/close', payload: {} },
    };
    for (const role of policy.roles) {
      const authorization = `Bearer ${tokens.get(role.id)}`;
      const actions = new Set((await app.inject({ method: 'GET', url: '/api/v1/navigation', headers: { authorization } })).json<{ actions: Action[] }>().actions);
      for (const action of ACTIONS) {
        const res = await app.inject({ method: 'POST', url: TRY[action].url, payload: TRY[action].payload, headers: { authorization } });
        expect({ role: role.id, action, allowed: res.statusCode !== 403 }, res.body).toEqual({ role: role.id, action, allowed: actions.has(action) });
      }
    }
  });

  it('P2.4 the pages come from the grants, not the role names: the dpo has its workspace, sales has no request queue, it reads the audit trail only', async () => {
    const pagesOf = async (role: string) =>
      (await app.inject({ method: 'GET', url: '/api/v1/navigation', headers: { authorization: `Bearer ${tokens.get(role)}` } })).json<{ pages: string[] }>().pages;
    expect(await pagesOf('dpo')).toEqual(expect.arrayContaining(['dashboard', 'requests', 'retention', 'audit', 'people']));
    expect(await pagesOf('sales')).not.toContain('requests');
    expect(await pagesOf('it')).toContain('audit');
    expect(await pagesOf('it')).not.toContain('requests');
    // Marketing imports prospects and decides their duplicates (annex art. 1: "déduplication"); logistics does neither.
    expect(await pagesOf('marketing')).toEqual(expect.arrayContaining(['import', 'duplicates', 'segments', 'campaigns']));
    expect(await pagesOf('logistics')).not.toContain('import');
    expect(await pagesOf('logistics')).not.toContain('duplicates');
    expect((await app.inject({ method: 'GET', url: '/api/v1/navigation' })).statusCode).toBe(401);
  });
});
