import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachEngine } from '../../../test/engines.js';
import { createToken } from '../../access/auth/index.js';
import { buildApp } from '../../app.js';
import { DEFAULT_POLICY_FILE, loadPolicy, type LoadedPolicy } from '../../policy/index.js';
import { addOrganisation, addPerson } from '../campaigns/test-support.js';
import { parseDimensions, prospectingStats } from './index.js';

const NOW = new Date('2026-11-26T10:00:00Z');

describeEachEngine('commercial statistics', (store) => {
  let policy: LoadedPolicy;
  let app: FastifyInstance;
  beforeAll(async () => {
    policy = await loadPolicy(DEFAULT_POLICY_FILE);
    app = await buildApp({ store: store(), policy, now: () => NOW });
    const db = store().db;
    const org = await addOrganisation(db, { sector: 'Industrie', headcount: 40 });
    for (let i = 0; i < 6; i++) await addPerson(db, { source: 'Salon A', postcode: '35000', organisationId: org, collectedAt: new Date('2026-10-05T10:00:00Z') });
    for (let i = 0; i < 2; i++) await addPerson(db, { source: 'Fichier B', postcode: '69001', collectedAt: new Date('2026-04-05T10:00:00Z') });
    // Deleted prospects, kept only as an anonymised count (R-PROS-8), and some placed in no group.
    await db.insertInto('statisticsCounts').values({ purpose: 'prospecting', granularity: 0, source: 'Salon A', region: 'FR-BRE', period: '2026-Q4', count: 7 }).execute();
    await db.insertInto('statisticsSuppressed').values({ purpose: 'prospecting', count: 3 }).execute();
  });
  afterAll(async () => app.close());

  it('R-PROS-8 aggregates by source, region and quarter; groups below k suppressed; deleted people still counted', async () => {
    const report = await prospectingStats(store().db, policy, { by: parseDimensions('source,region,quarter') });
    expect(report.k).toBe(5);
    expect(report.groups).toEqual([{ key: { source: 'Salon A', region: 'FR-BRE', quarter: '2026-Q4' }, people: 13, active: 6, deleted: 7, solicited: 0, clicked: 0 }]);
    expect(report.suppressed).toEqual({ groups: 1, people: 2 });
    expect(report.totalPeople).toBe(8);
    expect(report.deleted).toEqual({ grouped: 7, ungrouped: 3 });
    // Sector is not kept for deleted people: their group shows `*` there.
    const bySector = await prospectingStats(store().db, policy, { by: ['sector'] });
    expect(bySector.groups).toEqual([
      { key: { sector: '*' }, people: 7, active: 0, deleted: 7, solicited: 0, clicked: 0 },
      { key: { sector: 'Industrie' }, people: 6, active: 6, deleted: 0, solicited: 0, clicked: 0 },
    ]);
    // With no cut at all, one group of everyone.
    expect((await prospectingStats(store().db, policy, { by: [] })).groups).toEqual([{ key: {}, people: 15, active: 8, deleted: 7, solicited: 0, clicked: 0 }]);
    // A larger k suppresses more; a k below 5 is refused.
    expect((await prospectingStats(store().db, policy, { by: ['source'], k: 7 })).suppressed).toEqual({ groups: 2, people: 8 });
    await expect(prospectingStats(store().db, policy, { by: ['source'], k: 3 })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(() => parseDimensions('source,colour')).toThrow(/colour/);
  });

  it('R-PROS-8 the report is for marketing, sales, managers and the dpo; others are refused', async () => {
    for (const role of ['marketing', 'sales', 'manager', 'dpo'] as const) {
      const { token } = await createToken(store().db, policy, { role, name: `stats ${role}` });
      const res = await app.inject({ method: 'GET', url: '/api/v1/stats/prospecting?by=source', headers: { authorization: `Bearer ${token}` } });
      expect(res.statusCode, role).toBe(200);
      expect(res.json<{ groups: { key: { source: string } }[] }>().groups.map((g) => g.key.source)).toEqual(['Salon A']);
    }
    for (const role of ['customer_relations', 'logistics', 'it'] as const) {
      const { token } = await createToken(store().db, policy, { role, name: `stats ${role}` });
      const res = await app.inject({ method: 'GET', url: '/api/v1/stats/prospecting', headers: { authorization: `Bearer ${token}` } });
      expect(res.statusCode, role).toBe(403);
    }
    expect((await app.inject({ method: 'GET', url: '/api/v1/stats/prospecting' })).statusCode).toBe(401);
  });
});
