import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { announceBrowserSuite, hasChromium, launchChromium } from './browser.js';
import { ensureWebBuilt, startServer, type RunningServer } from './server.js';

type Json = Record<string, unknown>;

announceBrowserSuite('Backoffice');

const SCREENSHOT = '/tmp/rempart-backoffice.png';

/** Waits until the locator's text contains `text`, then returns its text. */
async function textOf(locator: Locator, text: string): Promise<string> {
  await locator.filter({ hasText: text }).first().waitFor();
  return (await locator.first().textContent()) ?? '';
}

describe.skipIf(!hasChromium)('backoffice in Chromium', () => {
  let server: RunningServer;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];
  const seeded: { org: Json; elise: Json; paul: Json; contract: Json } = { org: {}, elise: {}, paul: {}, contract: {} };

  const create = async (path: string, payload: Json): Promise<Json> => {
    const res = await server.app.inject({ method: 'POST', url: `/api/v1/${path}`, payload });
    expect(res.statusCode, res.body).toBe(201);
    return res.json<Json>();
  };
  // Always a fresh page load: a goto that changes only the hash would keep the page's state.
  const goto = async (hash: string): Promise<void> => {
    await page.goto('about:blank');
    await page.goto(`${server.baseUrl}/${hash}`);
  };

  beforeAll(async () => {
    ensureWebBuilt();
    server = await startServer();
    seeded.org = await create('organisations', {
      name: 'Bâtiments Durand SAS',
      sector: 'BTP',
      headcount: 120,
      addresses: [{ line1: '3 rue de la Paix', postcode: '75002', city: 'Paris', country: 'FR' }],
    });
    seeded.elise = await create('people', {
      lastName: 'Durand',
      firstName: 'Élise',
      email: 'elise.durand@durand-batiment.fr',
      phones: [{ number: '+33612345678', type: 'mobile' }],
      postalAddresses: [{ line1: '3 rue de la Paix', postcode: '75002', city: 'Paris', country: 'FR' }],
      jobTitle: 'Directrice administrative et financière',
      organisationId: seeded.org.id,
      relation: 'client_contact',
      source: 'Salon Expoprotection 2025',
      collectedAt: '2025-03-01T09:00:00Z',
    });
    seeded.paul = await create('people', {
      lastName: 'Martin',
      firstName: 'Paul',
      email: 'paul.martin@durand-batiment.fr',
      jobTitle: 'Responsable informatique',
      organisationId: seeded.org.id,
      relation: 'client_contact',
      source: 'Recommandation',
    });
    seeded.contract = await create('contracts', {
      organisationId: seeded.org.id,
      contactIds: [seeded.elise.id, seeded.paul.id],
      offer: 'Sensibilisation au phishing',
      startDate: '2025-01-01',
    });

    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1440, height: 820 }, locale: 'fr-FR', timezoneId: 'Europe/Paris' });
    page.setDefaultTimeout(10_000);
    page.on('pageerror', (e) => pageErrors.push(e.message));
    page.on('console', (m) => {
      // A 400 answer is logged by Chromium itself; the test looks for script errors only.
      if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) pageErrors.push(m.text());
    });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('loads and shows the database engine from /healthz', async () => {
    await goto('');
    expect(await page.title()).toBe('Rempart — Backoffice');
    const engine = page.getByRole('status', { name: 'Base de données' });
    expect(await textOf(engine, 'PGlite')).toBe('Base : PGlite');
    const nav = page.getByRole('navigation', { name: 'Navigation principale' });
    expect(await nav.getByRole('link').allTextContents()).toEqual(['Organisations', 'Personnes', 'Contrats', 'Factures', 'Réclamations']);
  });

  it('serves the app for unknown non-API paths (SPA fallback)', async () => {
    await page.goto(`${server.baseUrl}/quelque/part`);
    expect(await textOf(page.getByRole('heading', { level: 1 }), 'Organisations')).toBe('Organisations');
  });

  it('lists the seeded people', async () => {
    await goto('');
    await page.getByRole('link', { name: 'Personnes' }).click();
    expect(new URL(page.url()).hash).toBe('#/people');
    const table = page.getByRole('table', { name: 'Personnes' });
    await table.getByText('MARTIN Paul').waitFor();
    const rows = await table.locator('tbody tr').allTextContents();
    expect(rows).toHaveLength(2);
    expect(rows[0]).toContain('DURAND Élise');
    expect(rows[0]).toContain('Bâtiments Durand SAS');
    expect(rows[0]).toContain('Contact client');
    expect(rows[1]).toContain('MARTIN Paul');
    expect(rows[1]).toContain('paul.martin@durand-batiment.fr');
  });

  it('opens the detail of a person clicked in the list, with only the id in the URL', async () => {
    await goto('#/people');
    const table = page.getByRole('table', { name: 'Personnes' });
    await table.getByText('elise.durand@durand-batiment.fr').click();
    const panel = page.getByRole('complementary', { name: 'Fiche personne' });
    await textOf(panel, '+33612345678');
    const text = (await panel.textContent()) ?? '';
    expect(text).toContain('DURAND Élise');
    expect(text).toContain('Directrice administrative et financière');
    expect(text).toContain('elise.durand@durand-batiment.fr');
    expect(text).toContain('Salon Expoprotection 2025');
    expect(text).toContain('Gestion de la relation client');
    expect(text).toContain('01/03/2025 10:00');
    await textOf(panel, 'Bâtiments Durand SAS');
    expect(page.url()).toBe(`${server.baseUrl}/#/people/${String(seeded.elise.id)}`);
    expect(await table.locator('tr.selected').textContent()).toContain('DURAND Élise');
    await page.screenshot({ path: SCREENSHOT, fullPage: true });

    // Another person replaces the first; Escape closes the panel.
    await table.getByRole('link', { name: 'MARTIN Paul' }).click();
    await textOf(panel, 'Responsable informatique');
    expect(page.url()).toBe(`${server.baseUrl}/#/people/${String(seeded.paul.id)}`);
    await page.keyboard.press('Escape');
    await panel.waitFor({ state: 'detached' });
    expect(new URL(page.url()).hash).toBe('#/people');
  });

  it('shows a person that does not exist as such', async () => {
    await goto('#/people/0191f6e0-0000-7000-8000-000000000000');
    const panel = page.getByRole('complementary', { name: 'Fiche personne' });
    expect(await textOf(panel, 'n’existe pas')).toContain('Cette personne n’existe pas ou plus.');
  });

  it('lists contracts with their organisation', async () => {
    await goto('#/contracts');
    const table = page.getByRole('table', { name: 'Contrats' });
    const row = await textOf(table.locator('tbody tr'), 'Bâtiments Durand SAS');
    expect(row).toContain('Sensibilisation au phishing');
    expect(row).toContain('01/01/2025');
    expect(row).toContain('Actif');
  });

  it('creates an organisation: the API field error beside the SIRET, then the new row in the list', async () => {
    await goto('#/organisations');
    await page.getByRole('button', { name: 'Nouvelle organisation' }).click();
    const form = page.getByRole('form', { name: 'Nouvelle organisation' });
    await form.getByLabel('Raison sociale').fill('Sécurité Plus SARL');
    await form.getByLabel('SIRET').fill('732 829 320 00075');
    await form.getByRole('button', { name: 'Créer l’organisation' }).click();

    const siretError = form.locator('[data-field="siret"]');
    expect(await textOf(siretError, 'SIRET')).toBe('SIRET invalide : 14 chiffres avec une clé de contrôle correcte');
    expect(await form.getByLabel('SIRET').getAttribute('aria-invalid')).toBe('true');
    expect(await form.locator('[data-field="name"]').count()).toBe(0);
    await page.screenshot({ path: '/tmp/rempart-backoffice-form.png', fullPage: true });

    await form.getByLabel('SIRET').fill('73282932000074');
    await form.getByRole('button', { name: 'Créer l’organisation' }).click();
    await form.waitFor({ state: 'detached' });
    expect(await textOf(page.getByRole('status').filter({ hasText: 'créée' }), 'créée')).toBe('Organisation « Sécurité Plus SARL » créée.');
    const table = page.getByRole('table', { name: 'Organisations' });
    const row = await textOf(table.locator('tbody tr').filter({ hasText: 'Sécurité Plus SARL' }), '732 829 320 00074');
    expect(row).toContain('Client');

    // It is really stored, and the list read afresh shows it too.
    const list = await server.app.inject({ method: 'GET', url: '/api/v1/organisations' });
    expect(list.json<{ items: Json[] }>().items.map((o) => o.siret)).toContain('73282932000074');
    await page.reload();
    await textOf(table.locator('tbody tr'), 'Sécurité Plus SARL');
  });

  it('pages with "Charger plus" using nextCursor', async () => {
    for (let i = 1; i <= 55; i++) await create('organisations', { name: `Client ${String(i).padStart(2, '0')}` });
    await goto('#/organisations');
    const table = page.getByRole('table', { name: 'Organisations' });
    await table.getByText('Client 48').waitFor();
    expect(await table.locator('tbody tr').count()).toBe(50);
    await page.getByRole('button', { name: 'Charger plus' }).click();
    await table.getByText('Client 55').waitFor();
    expect(await table.locator('tbody tr').count()).toBe(57);
    expect(await page.getByRole('button', { name: 'Charger plus' }).count()).toBe(0);
  });

  it('raised no script error in the page', () => {
    expect(pageErrors).toEqual([]);
  });
});
