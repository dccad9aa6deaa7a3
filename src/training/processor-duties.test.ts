import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachEngine } from '../../test/engines.js';
import { cliActor } from '../access/actor.js';
import { createToken } from '../access/auth/index.js';
import { createAccessRuntime } from '../access/runtime.js';
import { buildApp } from '../app.js';
import { buildRegister, renderRegister } from '../documents/index.js';
import { loadPolicy, type LoadedPolicy } from '../policy/index.js';
import { previewRetention } from '../retention/preview.js';
import { closeEngagement } from './index.js';
import { trainingProcessorClients } from './register.js';

type Json = Record<string, unknown>;
const NOW = new Date('2026-12-07T10:00:00Z');

describeEachEngine('D1, P4.6 the processor register per engagement, and engagements past their end on the retention plan and the dpo dashboard', (store) => {
  let app: FastifyInstance;
  let policy: LoadedPolicy;
  let dataDir: string;
  const auth: Record<string, Record<string, string>> = {};
  let engA = '';
  let engB = '';
  let orgA = '';
  const call = async (who: string, method: 'GET' | 'POST', url: string, payload?: unknown) => {
    const res = await app.inject({ method, url, headers: auth[who] ?? {}, ...(payload === undefined ? {} : { payload: payload as Json }) });
    return { status: res.statusCode, body: res.json() as Json };
  };

  beforeAll(async () => {
    policy = await loadPolicy('policies/certilience.yaml');
    dataDir = mkdtempSync(join(tmpdir(), 'rempart-processor-'));
    app = await buildApp({ store: store(), policy, now: () => NOW, serverKey: Buffer.alloc(32, 1), publicUrl: 'http://rempart.test', dataDir, webRoot: '/nonexistent' });
    for (const role of ['manager', 'it', 'dpo']) auth[role] = { authorization: `Bearer ${(await createToken(store().db, policy, { role, name: role }, NOW)).token}` };
    orgA = String((await call('manager', 'POST', '/api/v1/organisations', { name: 'Acme Industrie SAS' })).body.id);
    const orgB = String((await call('manager', 'POST', '/api/v1/organisations', { name: 'Beta Services SARL' })).body.id);
    const a = await call('it', 'POST', '/api/v1/engagements', {
      clientOrganisationId: orgA,
      name: 'Sensibilisation 2026',
      startsOn: '2026-01-05',
      endsOn: '2026-11-30',
      instructions: 'Quatre campagnes, un module',
      subProcessors: [
        { name: 'Hébergeur SAS', country: 'FR', service: 'hosting' },
        { name: 'Phish Cloud Inc', country: 'US', service: 'phishing platform' },
      ],
    });
    expect(a.status, JSON.stringify(a.body)).toBe(201);
    engA = String(a.body.id);
    engB = String((await call('it', 'POST', '/api/v1/engagements', { clientOrganisationId: orgB, name: 'Phishing 2027', startsOn: '2026-12-01', endsOn: '2027-06-30', endChoice: 'destroy', platforms: ['phishing'] })).body.id);
  });
  afterAll(async () => {
    await app.close();
  });

  it('D1 one Art. 30(2) entry per engagement: client, categories of processing, sub-processors, transfers, security measures', async () => {
    const clients = await trainingProcessorClients(store().db);
    const register = buildRegister(policy, { lang: 'en', clients });
    expect(register.asProcessor).toHaveLength(2);
    const [a, b] = register.asProcessor;
    expect(a?.engagement).toMatchObject({ id: engA, name: 'Sensibilisation 2026', startsOn: '2026-01-05', endsOn: '2026-11-30', platforms: ['phishing', 'elearning'], instructions: { version: 1, date: '2026-12-07' }, endChoice: 'return_then_destroy' });
    expect(a?.clients).toEqual([{ id: orgA, name: 'Acme Industrie SAS' }]);
    expect(a?.purpose.label).toContain('Acme Industrie SAS: Sensibilisation 2026');
    expect(a?.categoriesOfProcessing).toMatch(/phishing simulations.*e-learning modules.*version 1 of 2026-12-07.*returned to the client then destroyed/);
    expect(a?.dataSubjects.map((s) => s.id)).toEqual(['trainees']);
    expect(a?.dataCategories.length).toBeGreaterThan(0);
    expect(a?.subProcessors.map((s) => `${s.name} ${s.country}`)).toEqual(expect.arrayContaining(['Hébergeur SAS (hosting) FR', 'Phish Cloud Inc (phishing platform) US']));
    // The US sub-processor is a transfer outside the EU/EEA, with its ground; the French one is not.
    expect(a?.transfers.map((t) => t.country)).toEqual(['US']);
    expect(a?.transfers[0]?.safeguard).toBeTruthy();
    expect(a?.securityMeasures.length).toBe(policy.securityMeasures.length + 3);
    expect(a?.securityMeasures.join(' ')).toMatch(/kept apart.*checked entry by entry.*Ed25519/s);
    expect(b?.engagement).toMatchObject({ id: engB, platforms: ['phishing'], endChoice: 'destroy' });
    expect(b?.categoriesOfProcessing).toMatch(/destroyed without return/);
    expect(b?.transfers).toEqual([]);
    // Beside the controller entries, in every format.
    expect(register.asController.length).toBeGreaterThan(0);
    const md = String(await renderRegister(policy, { lang: 'fr', format: 'md', clients }));
    expect(md).toContain('Activités en qualité de sous-traitant (RGPD, art. 30.2)');
    expect(md).toContain('Acme Industrie SAS : Sensibilisation 2026');
    expect(md).toContain('Beta Services SARL : Phishing 2027');
    expect(md).toContain('Phish Cloud Inc (phishing platform) (US)');
    const ld = JSON.parse(String(await renderRegister(policy, { lang: 'en', format: 'jsonld', clients }))) as { 'dct:hasPart': { '@id': string }[] };
    expect(ld['dct:hasPart'].filter((p) => p['@id'].includes(':engagement:')).length).toBe(2);
  });

  it('P4.6 an engagement past its end and not closed is due on the retention plan and listed on the dpo dashboard, until closed', async () => {
    const plan = await previewRetention(store().db, policy, '2026-12-07');
    expect(plan.due.find((l) => l.purpose === 'training')?.count).toBe(1);
    const dash = await call('dpo', 'GET', '/api/v1/dashboard');
    expect(dash.status, JSON.stringify(dash.body)).toBe(200);
    expect(dash.body.trainingToClose).toEqual({ items: [{ id: engA, name: 'Sensibilisation 2026', clientOrganisationId: orgA, client: 'Acme Industrie SAS', endsOn: '2026-11-30', endChoice: 'return_then_destroy', daysOverdue: 7 }] });
    // IT sees the audit chain, not the processing oversight.
    expect((await call('it', 'GET', '/api/v1/dashboard')).body.trainingToClose).toBeNull();
    const access = createAccessRuntime({ db: store().db, policy, now: () => NOW, chainer: false });
    await closeEngagement({ db: store().db, now: () => NOW, serverKey: Buffer.alloc(32, 1), publicUrl: 'http://rempart.test' }, access.gate.for(cliActor()), engA, { out: join(dataDir, 'a.zip') });
    await access.close();
    expect((await call('dpo', 'GET', '/api/v1/dashboard')).body.trainingToClose).toEqual({ items: [] });
    expect((await previewRetention(store().db, policy, '2026-12-07')).due.find((l) => l.purpose === 'training')?.count).toBe(0);
    // A closed engagement leaves the register: the processing ended.
    expect(buildRegister(policy, { lang: 'en', clients: await trainingProcessorClients(store().db) }).asProcessor.map((e) => e.engagement?.id)).toEqual([engB]);
  });
});
