import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { announceBrowserSuite, collectPageErrors, hasChromium, launchChromium, screenshotAtWidths, seriousViolations, signInWithPassword, textOf } from './browser.js';
import { ACCOUNTS, ensureWebBuilt, startServer, type RunningServer } from './server.js';

announceBrowserSuite('File exchange: partners, transfers and consents');

type Json = Record<string, unknown>;


describe.skipIf(!hasChromium)('P1.6 P3.1 partners, a partner file and a person’s consents in Chromium (marketing)', () => {
  let server: RunningServer;
  let browser: Browser;
  let page: Page;
  let elise: Json;
  const pageErrors: string[] = [];

  const create = async (path: string, payload: Json): Promise<Json> => {
    const res = await server.api('POST', `/api/v1/${path}`, payload);
    expect(res.statusCode, res.body).toBe(201);
    return res.json<Json>();
  };

  beforeAll(async () => {
    ensureWebBuilt();
    server = await startServer();
    const partner = await create('partners', { name: 'Certilience Formation', kind: 'group_company', country: 'FR', email: 'dpo@formation.certilience.test' });
    elise = await create('people', { lastName: 'Durand', firstName: 'Élise', email: 'elise.durand@durand-batiment.fr', relation: 'client_contact', source: 'Salon 2025' });
    await create('people', { lastName: 'Durandal', firstName: 'Paul', email: 'paul.durandal@exemple.fr', relation: 'client_contact', source: 'Salon 2025' });
    // Élise agreed, on a form, that her details go to the group's training company; Paul did not.
    await create(`people/${String(elise.id)}/consents`, { partnerId: partner.id, state: 'given', channel: 'form', evidence: 'formulaire salon 2025' });
    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: 'fr-FR', timezoneId: 'Europe/Paris', acceptDownloads: true });
    page = await context.newPage();
    page.setDefaultTimeout(15_000);
    collectPageErrors(page, pageErrors);
    await page.goto(`${server.baseUrl}/#/partners`);
    await signInWithPassword(page, ACCOUNTS.marketing.email, ACCOUNTS.marketing.password);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });


  it('P1.6 the registry shows each partner with its transfer ground; the file holds only the people whose consent is active, and its proof', async () => {
    await page.getByRole('heading', { level: 1, name: 'Partenaires et transferts' }).waitFor();
    const registry = page.getByRole('table', { name: 'Registre des partenaires' });
    const row = await textOf(registry.locator('tbody tr'), 'Certilience Formation');
    expect(row).toContain('Société du groupe');
    expect(row).toContain("UE/EEE : pas de transfert hors de l'Union");
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Constituer le fichier pour Certilience Formation' }).click()]);
    const saved = join(mkdtempSync(join(tmpdir(), 'rempart-e2e-transfer-')), 'file.csv');
    await download.saveAs(saved);
    const csv = readFileSync(saved, 'utf8');
    expect(csv).toContain('elise.durand@durand-batiment.fr');
    expect(csv).not.toContain('paul.durandal');
    const status = page.getByRole('status').filter({ hasText: 'Fichier pour' });
    expect(await textOf(status, 'Fichier pour')).toContain("Fichier pour Certilience Formation : 1 personne dont le consentement est actif aujourd'hui.");
    expect(await status.textContent()).toMatch(/SHA-256[0-9a-f]{64}/);
    expect(await status.textContent()).toContain('Personne n’a été écarté.');
    expect(await seriousViolations(page)).toEqual([]);
    await screenshotAtWidths(page, 'partners', { main: true });
  });

  it('P3.1 a person’s consent history, withdrawn in one click: the next file leaves her out', async () => {
    await page.getByRole('navigation').getByRole('link', { name: 'Consentements' }).click();
    await page.getByRole('heading', { level: 1, name: 'Consentements' }).waitFor();
    await page.getByRole('searchbox', { name: 'Chercher une personne' }).fill('Élise');
    await page.getByRole('button', { name: 'Chercher', exact: true }).click();
    await page.getByRole('link', { name: 'DURAND Élise' }).click();
    // Only the person's id in the address, never her name or e-mail.
    expect(page.url()).toMatch(new RegExp(`#/consents/${String(elise.id)}$`));
    const card = page.getByRole('article', { name: 'Consentements de DURAND Élise' });
    const history = await textOf(card.locator('tbody tr'), 'Certilience Formation');
    expect(history).toContain('donné');
    expect(history).toContain('form');
    expect(await seriousViolations(page)).toEqual([]);
    await screenshotAtWidths(page, 'consents', { main: true });
    await card.getByRole('button', { name: 'Retirer le consentement pour Certilience Formation' }).click();
    await card.getByRole('status').filter({ hasText: 'Consentement retiré' }).waitFor();
    await card.getByText('retiré', { exact: true }).waitFor();
    expect(await card.getByRole('button', { name: /Retirer le consentement/ }).count()).toBe(0);
    // The withdrawal holds: the next file for the partner has no one.
    await page.getByRole('navigation').getByRole('link', { name: 'Partenaires' }).click();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Constituer le fichier pour Certilience Formation' }).click()]);
    const saved = join(mkdtempSync(join(tmpdir(), 'rempart-e2e-transfer-')), 'file.csv');
    await download.saveAs(saved);
    expect(readFileSync(saved, 'utf8')).not.toContain('elise.durand');
    await page.getByText(/: 0 personnes? dont le consentement/).waitFor();
    // The page says who the file left out, and why: her withdrawal.
    expect(await page.getByRole('status').filter({ hasText: 'Fichier pour' }).textContent()).toContain('consentement refusé ou retiré : 1');
  });

  it('P3.1 a person’s record links to her consents', async () => {
    await page.goto('about:blank');
    await page.goto(`${server.baseUrl}/#/people/${String(elise.id)}`);
    await page.getByRole('complementary', { name: 'Fiche personne' }).getByRole('link', { name: 'Consentements de la personne' }).click();
    await page.getByRole('article', { name: 'Consentements de DURAND Élise' }).getByText('retiré', { exact: true }).waitFor();
    expect(page.url()).toMatch(new RegExp(`#/consents/${String(elise.id)}$`));
  });

  it('the same pages in English', async () => {
    await page.getByRole('navigation').getByRole('link', { name: 'Partenaires' }).click();
    await page.getByRole('button', { name: 'Switch to English' }).click();
    await page.getByRole('heading', { level: 1, name: 'Partners and transfers' }).waitFor();
    expect(await page.getByRole('table', { name: 'Partners registry' }).textContent()).toContain('EU/EEA: no transfer outside the Union');
    await page.getByRole('navigation').getByRole('link', { name: 'Consents' }).click();
    await page.getByRole('heading', { level: 1, name: 'Consents' }).waitFor();
    await page.getByRole('button', { name: 'Passer en français' }).click();
  });

  it('raised no script error in the page', () => {
    expect(pageErrors).toEqual([]);
  });
});
