import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccount, createToken } from '../src/access/auth/index.js';
import { loadPolicy } from '../src/policy/index.js';
import { gophishSignature, type EngagementCredentials } from '../src/training/index.js';
import { announceBrowserSuite, collectPageErrors, hasChromium, launchChromium, screenshotAtWidths, seriousViolations, signInWithPassword, textOf } from './browser.js';
import { ensureWebBuilt, startServer, type RunningServer } from './server.js';

announceBrowserSuite('Training engagements');

const CLIENT = { email: 'rssi@acme-industrie.test', password: 'Remparts-de-Carcassonne-1247' };
type Json = Record<string, unknown>;


describe.skipIf(!hasChromium)('P1.5 P4.3 a client’s contact follows its own training engagement in Chromium', () => {
  let server: RunningServer;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    ensureWebBuilt();
    server = await startServer();
    const policy = await loadPolicy(fileURLToPath(new URL('../policies/certilience.yaml', import.meta.url)));
    const org = async (name: string) => (await server.api('POST', '/api/v1/organisations', { name, kind: 'client' })).json<{ id: string }>().id;
    const acme = await org('Acme Industrie');
    const beta = await org('Beta Services');
    // IT runs the engagements (its own token); the client's contact only reads its own.
    const it = (await createToken(server.store.db, policy, { role: 'it', name: 'e2e it', scopeOrganisationId: null })).token;
    const call = async (method: 'GET' | 'POST', url: string, payload?: unknown) => {
      const res = await server.app.inject({ method, url, headers: { authorization: `Bearer ${it}` }, ...(payload === undefined ? {} : { payload: payload as Json }) });
      expect(res.statusCode, res.body).toBeLessThan(300);
      return res.json<Json>();
    };
    const engagement = (await call('POST', '/api/v1/engagements', { clientOrganisationId: acme, name: 'Sensibilisation 2027', startsOn: '2026-11-01', endsOn: '2027-06-30' })).id as string;
    await call('POST', '/api/v1/engagements', { clientOrganisationId: beta, name: 'Phishing Beta', startsOn: '2026-12-01', endsOn: '2027-06-30' });
    await call('POST', `/api/v1/engagements/${engagement}/trainees`, [
      { email: 'claire.martin@acme-industrie.fr', firstName: 'Claire', lastName: 'Martin', department: 'Finance' },
      { email: 'paul.durand@acme-industrie.fr', firstName: 'Paul', lastName: 'Durand', department: 'IT' },
    ]);
    const creds = (await call('GET', `/api/v1/engagements/${engagement}/credentials`)) as unknown as EngagementCredentials;
    const event = async (email: string, message: string, time: string) => {
      const body = JSON.stringify({ campaign_id: 7, email, time, message, details: '' });
      const res = await server.app.inject({ method: 'POST', url: `/api/v1/engagements/${engagement}/gophish`, headers: { 'content-type': 'application/json', 'x-gophish-signature': gophishSignature(creds.gophish.secret, body) }, payload: body });
      expect(res.statusCode, res.body).toBe(200);
    };
    for (const email of ['claire.martin@acme-industrie.fr', 'paul.durand@acme-industrie.fr']) await event(email, 'Email Sent', '2026-12-07T08:00:00Z');
    await event('paul.durand@acme-industrie.fr', 'Clicked Link', '2026-12-07T08:05:00Z');
    await event('claire.martin@acme-industrie.fr', 'Email Reported', '2026-12-07T08:06:00Z');
    await createAccount(server.store.db, policy, { email: CLIENT.email, password: CLIENT.password, role: 'training_client', scopeOrganisationId: acme });

    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: 'fr-FR', timezoneId: 'Europe/Paris' });
    page = await context.newPage();
    page.setDefaultTimeout(15_000);
    collectPageErrors(page, pageErrors);
    await page.goto(`${server.baseUrl}/#/training`);
    await signInWithPassword(page, CLIENT.email, CLIENT.password);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('P1.5 the client sees its own engagement only, and no other page of the controller', async () => {
    await page.getByRole('heading', { level: 1, name: 'Sensibilisation et formation' }).waitFor();
    const nav = page.getByRole('navigation', { name: 'Navigation principale' });
    expect(await nav.getByRole('link').allTextContents()).toEqual(['Sensibilisation']);
    // A role the web app has no label for is named as the policy names it.
    await page.getByRole('group', { name: 'Compte connecté' }).getByText('Interlocuteur du Client pour une prestation de sensibilisation').waitFor();
    const table = page.getByRole('table', { name: 'Prestations' });
    expect(await textOf(table.locator('tbody'), 'Sensibilisation 2027')).not.toContain('Phishing Beta');
    expect(await table.locator('tbody tr').count()).toBe(1);
    expect(await seriousViolations(page)).toEqual([]);
    await screenshotAtWidths(page, 'training');
  });

  it('P1.5 its report: charts per campaign and per department, figures only, no one named; no close button for the client', async () => {
    await page.getByRole('link', { name: 'Sensibilisation 2027' }).click();
    await page.getByRole('heading', { level: 1, name: 'Sensibilisation 2027' }).waitFor();
    expect(await textOf(page.getByText(/participants?$/), 'participant')).toBe('2 participants');
    const byCampaign = page.getByRole('figure', { name: 'Résultats par campagne' });
    expect(await textOf(byCampaign.getByRole('row', { name: /Campagne 7/ }), 'Campagne 7')).toBe('Campagne 720101');
    const byDepartment = page.getByRole('figure', { name: 'Résultats par service' });
    expect(await byDepartment.getByRole('row', { name: /^IT/ }).textContent()).toBe('IT10100');
    expect(await byDepartment.getByRole('row', { name: /^Finance/ }).textContent()).toBe('Finance10001');
    // Figures only: no trainee is named in the client's report.
    const body = (await page.locator('main').textContent()) ?? '';
    for (const who of ['Claire', 'Paul', 'acme-industrie.fr']) expect(body).not.toContain(who);
    // Nor a refusal: what the client may not read is left out, not shown as refused.
    expect(body).not.toContain('accès non autorisé');
    expect(await page.getByRole('button', { name: /Clôturer/ }).count()).toBe(0);
    expect(await seriousViolations(page)).toEqual([]);
    await screenshotAtWidths(page, 'engagement', { main: true });
  });

  it('in English', async () => {
    await page.getByRole('button', { name: 'Switch to English' }).click();
    await page.getByRole('figure', { name: 'Results by campaign' }).waitFor();
    expect(await textOf(page.getByText(/trainees?$/), 'trainee')).toBe('2 trainees');
    await page.getByRole('group', { name: 'Compte connecté' }).getByText("The client's contact for a training engagement").waitFor();
  });

  it('raised no script error in the page', () => {
    expect(pageErrors).toEqual([]);
  });
});
