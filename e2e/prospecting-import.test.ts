import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemActor } from '../src/access/actor.js';
import { importProspects } from '../src/prospecting/import/engine.js';
import { announceBrowserSuite, collectPageErrors, hasChromium, launchChromium, screenshotAtWidths, seriousViolations, signInWithPassword, textOf } from './browser.js';
import { ACCOUNTS, ensureWebBuilt, startServer, type RunningServer } from './server.js';

announceBrowserSuite('Import wizard and duplicate review');

const SERVER_KEY = Buffer.alloc(32, 11);

/**
 * A trade-fair list as Excel saves it in France: Windows-1252, semicolons. Line 2 shares
 * its phone with a prospect already known under her maiden name (a pair for review),
 * line 3 is new, line 4 has no usable contact point, line 5 neither a name nor an e-mail.
 */
const FAIR_LIST = [
  'Nom;Prénom;Société;E-mail;Téléphone;Ville',
  'Moreau;Sophie;Achats Sud;;06 12 34 56 78;Lyon',
  'Dupré;Hélène;Bâtiments Réunis;helene.dupre@batiments-reunis.fr;;Nîmes',
  'Rivière;Anaïs;Sans Contact;pas-un-email;;',
  ';;Société Anonyme;;;',
].join('\r\n');

/** Encodes text as Windows-1252 (the characters above are all in Latin-1's printable range). */
function windows1252(text: string): Buffer {
  return Buffer.from(text, 'latin1');
}


describe.skipIf(!hasChromium)('R-PROS-1 R-PROS-2 the import wizard and the duplicate review in Chromium (marketing)', () => {
  let server: RunningServer;
  let browser: Browser;
  let page: Page;
  let file: string;
  let olderId: string;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    ensureWebBuilt();
    server = await startServer({ serverKey: SERVER_KEY });
    // A prospect known since a fair of 2025, under her maiden name.
    const dir = mkdtempSync(join(tmpdir(), 'rempart-e2e-import-'));
    const known = join(dir, 'salon-2025.csv');
    writeFileSync(known, 'nom;prenom;societe;telephone\nLefèvre;Sophie;Achats Sud;+33612345678\n');
    await importProspects(server.store.db, known, { source: 'Salon 2025', actor: systemActor('e2e'), key: SERVER_KEY, now: new Date('2025-03-01T09:00:00Z') });
    olderId = (await server.store.db.selectFrom('people').select('id').where('lastName', '=', 'Lefèvre').executeTakeFirstOrThrow()).id;
    file = join(dir, 'salon-lyon.csv');
    writeFileSync(file, windows1252(FAIR_LIST));
    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: 'fr-FR', timezoneId: 'Europe/Paris', acceptDownloads: true });
    page = await context.newPage();
    page.setDefaultTimeout(15_000);
    collectPageErrors(page, pageErrors);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });


  it('P2.4 marketing signs in and finds the import and the duplicates in its menu', async () => {
    await page.goto(`${server.baseUrl}/#/import`);
    await signInWithPassword(page, ACCOUNTS.marketing.email, ACCOUNTS.marketing.password);
    const nav = page.getByRole('navigation', { name: 'Navigation principale' });
    await nav.getByRole('link', { name: 'Import de contacts' }).waitFor();
    expect(await nav.getByRole('link', { name: 'Doublons' }).count()).toBe(1);
    expect(await nav.getByRole('link', { name: 'Demandes de droits' }).count()).toBe(0);
    expect(await textOf(page.getByRole('heading', { level: 1 }), 'Import')).toBe('Import de contacts');
  });

  it('R-PROS-1 a Windows-1252 semicolon CSV: encoding and separator detected, the first rows previewed with the reasons of their rejection', async () => {
    await page.getByLabel('Fichier', { exact: true }).setInputFiles(file);
    await page.getByLabel('Provenance', { exact: true }).fill('Salon Lyon 2026');
    await page.getByRole('button', { name: 'Aperçu' }).click();
    const sample = page.getByRole('table', { name: /telles que l.import les prendra/ });
    await sample.waitFor();
    expect(await page.getByLabel('Encodage').inputValue()).toBe('windows-1252');
    expect(await page.getByLabel('Séparateur').inputValue()).toBe(';');
    // The accents of the header and the cells survive: the encoding was read right.
    expect(await sample.locator('thead').textContent()).toContain('Prénom');
    expect(await sample.locator('tbody').textContent()).toContain('Hélène');
    expect(await page.getByLabel('Champ de la colonne « Prénom »').inputValue()).toBe('firstName');
    expect(await page.getByLabel('Champ de la colonne « Téléphone »').inputValue()).toBe('phone');
    const rows = await sample.locator('tbody tr').allTextContents();
    expect(rows).toHaveLength(4);
    expect(rows[0]).toContain('importée');
    expect(rows[2]).toContain('rejetée : aucun moyen de contact utilisable');
    expect(rows[3]).toContain('rejetée : ni nom ni e-mail valide');
    expect(await page.getByText(/^2 lignes de l.aperçu seraient rejetées\.$/).count()).toBe(1);

    // A wrong separator, chosen by hand, shows one column and no name: the import is refused until corrected.
    await page.getByLabel('Séparateur').selectOption(',');
    await page.getByText('Aucune colonne ne donne un nom ou un e-mail').waitFor();
    expect(await page.getByRole('button', { name: 'Importer', exact: true }).isDisabled()).toBe(true);
    await page.getByLabel('Séparateur').selectOption(';');
    await page.getByLabel('Champ de la colonne « Prénom »').waitFor();
    await page.getByText('Aucune colonne ne donne un nom ou un e-mail').waitFor({ state: 'detached' });
    expect(await seriousViolations(page)).toEqual([]);
    await screenshotAtWidths(page, 'import-preview', { main: true });
  });

  it('R-PROS-1 the import runs as a job whose progress the page polls, then reports its rejected rows by line, field and reason in French, and downloads', async () => {
    await page.getByRole('button', { name: 'Importer', exact: true }).click();
    const report = page.getByRole('region', { name: /Rapport d.import — Salon Lyon 2026/ });
    await report.waitFor();
    const facts = await report.locator('dl').textContent();
    expect(facts).toContain('Lignes lues4');
    expect(facts).toContain('Importées2');
    expect(facts).toContain('Rejetées2');
    expect(facts).toContain('Doublons possibles à examiner1');
    const rejected = page.getByRole('table', { name: 'Lignes rejetées' });
    const lines = await rejected.locator('tbody tr').allTextContents();
    expect(lines).toEqual([expect.stringMatching(/^34E-mailaucun moyen de contact utilisable/), expect.stringMatching(/^45Nomni nom ni e-mail valide/)]);
    // No cell of the file in the report: line, field and reason only.
    expect(lines.join(' ')).not.toContain('Rivière');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Télécharger le rapport (CSV)' }).click()]);
    const saved = join(mkdtempSync(join(tmpdir(), 'rempart-e2e-report-')), 'report.csv');
    await download.saveAs(saved);
    const csv = readFileSync(saved, 'utf8');
    expect(csv).toContain('"rejected";"3";"4";"email";"no_contact_point";"aucun moyen de contact utilisable');
    expect(csv).not.toContain('Rivière');
    // The server's report agrees: the job is the marketing user's.
    const jobs = await page.evaluate(async () => ((await (await fetch('/api/v1/imports?limit=5')).json()) as { items: { source: string; status: string }[] }).items);
    expect(jobs.map((j) => [j.source, j.status])).toEqual([['Salon Lyon 2026', 'done']]);
    expect(await seriousViolations(page)).toEqual([]);
    await screenshotAtWidths(page, 'import-report', { main: true });
  });

  it('R-PROS-2 the duplicate pair side by side, the differing surname marked; merged keeping the older surname', async () => {
    await page.getByRole('link', { name: 'Examiner le doublon possible' }).click();
    await page.getByRole('heading', { level: 1, name: 'Doublons à examiner' }).waitFor();
    const pair = page.getByRole('article', { name: 'Paire 1' });
    await pair.waitFor();
    const text = (await pair.textContent()) ?? '';
    expect(text).toContain('téléphone identique');
    expect(text).toContain('noms différents');
    const surname = pair.getByRole('row', { name: /^Nom/ });
    expect(await surname.getAttribute('class')).toBe('differs');
    expect(await surname.textContent()).toContain('diffère');
    // The older record is the one that survives, and the page says so.
    expect(await pair.getByRole('columnheader', { name: /la plus ancienne, conservée/ }).textContent()).toContain('Fiche');
    expect(await seriousViolations(page)).toEqual([]);
    await screenshotAtWidths(page, 'duplicates', { main: true });
    await pair.getByRole('radio', { name: /Lefèvre/ }).check();
    await pair.getByRole('button', { name: 'Fusionner' }).click();
    expect(await textOf(page.getByRole('status').filter({ hasText: 'fusionnées' }), 'fusionnées')).toBe('Fiches fusionnées ; 1 valeur choisie gardée.');
    await page.getByText('Aucun doublon à examiner.').waitFor();
    const survivor = (await server.api('GET', `/api/v1/people/${olderId}`)).json<{ lastName: string; firstName: string }>();
    expect(survivor).toMatchObject({ lastName: 'Lefèvre', firstName: 'Sophie' });
    expect((await server.api('GET', '/api/v1/people?limit=50')).json<{ items: { lastName: string }[] }>().items.map((p) => p.lastName)).not.toContain('Moreau');
  });

  it('the same pages in English, one click away; the decision is remembered', async () => {
    await page.getByRole('button', { name: 'Switch to English' }).click();
    await page.getByRole('heading', { level: 1, name: 'Duplicates to review' }).waitFor();
    await page.getByLabel('Pairs').selectOption('accepted');
    const pair = page.getByRole('article', { name: 'Pair 1' });
    expect(await textOf(pair, 'Merged.')).toContain('same phone');
    await page.getByRole('navigation').getByRole('link', { name: 'Contact import' }).click();
    await page.getByRole('heading', { level: 1, name: 'Contact import' }).waitFor();
    const recent = page.getByRole('region', { name: 'Your recent imports' });
    expect(await textOf(recent, 'Salon Lyon 2026')).toContain('done');
    await page.getByLabel('File', { exact: true }).waitFor();
    await screenshotAtWidths(page, 'import-en');
  });

  it('R-PROS-3 a segment counts live who may be solicited and who is left out by which rule; a campaign is previewed, then sent', async () => {
    // Hélène objects through the opposition list: no selection can reach her.
    expect((await server.api('POST', '/api/v1/opposition', { email: 'helene.dupre@batiments-reunis.fr' })).statusCode).toBe(201);
    await page.getByRole('button', { name: 'Français' }).click();
    await page.getByRole('navigation').getByRole('link', { name: 'Segments' }).click();
    await page.getByRole('heading', { level: 1, name: 'Segments' }).waitFor();
    const live = page.getByRole('region', { name: "Sélection aujourd'hui" });
    await live.getByText(/sur la liste d.opposition/).waitFor();
    expect(await live.textContent()).toMatch(/sur la liste d.opposition : 1/);
    await page.getByLabel('Nom', { exact: true }).fill('Acheteurs Sud');
    await page.getByRole('button', { name: 'Enregistrer le segment' }).click();
    const saved = page.getByRole('article', { name: 'Acheteurs Sud' });
    await saved.getByText(/peu(t|vent) être sollicitée/).waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await screenshotAtWidths(page, 'segments', { main: true });

    await page.getByRole('navigation').getByRole('link', { name: 'Campagnes' }).click();
    await page.getByRole('heading', { level: 1, name: 'Campagnes' }).waitFor();
    await page.getByLabel('Nom', { exact: true }).fill('Invitation salon 2027');
    await page.getByLabel('Segment', { exact: true }).selectOption({ label: 'Acheteurs Sud' });
    await page.getByLabel('Objet', { exact: true }).fill('Nos formations 2027');
    await page.getByLabel('Message', { exact: true }).fill('Bonjour,\nvoici notre programme 2027.');
    await page.getByRole('button', { name: 'Créer le brouillon' }).click();
    const campaign = page.getByRole('article', { name: 'Invitation salon 2027' });
    await campaign.waitFor();
    expect(await campaign.getByRole('button', { name: 'Envoyer' }).isDisabled()).toBe(true);
    await campaign.getByRole('button', { name: "Prévisualiser l'envoi" }).click();
    const outcome = campaign.getByRole('status');
    expect(await textOf(outcome, 'partiraient')).toMatch(/sur la liste d.opposition : 1/);
    expect(await seriousViolations(page)).toEqual([]);
    await screenshotAtWidths(page, 'campaigns', { main: true });
    await campaign.getByRole('button', { name: 'Envoyer' }).click();
    await campaign.getByText('envoyée', { exact: true }).waitFor();
  });

  it('R-PROS-3 P5.6 the opposition list: marketing checks an address (yes or no) and adds one; nothing of it goes into the address bar', async () => {
    await page.getByRole('navigation').getByRole('link', { name: "Liste d'opposition" }).click();
    await page.getByRole('heading', { level: 1, name: "Liste d'opposition" }).waitFor();
    expect(await textOf(page.getByText(/entrées? sur la liste/), 'sur la liste')).toBe('1 entrée sur la liste');
    const value = page.getByRole('textbox', { name: 'E-mail' });
    await value.fill('helene.dupre@batiments-reunis.fr');
    await page.getByRole('button', { name: 'Vérifier', exact: true }).click();
    expect(await textOf(page.getByRole('status').filter({ hasText: 'opposition' }), 'opposition')).toBe("Sur la liste d'opposition : ne pas solliciter.");
    await value.fill('nouveau.contact@exemple.fr');
    await page.getByRole('button', { name: 'Vérifier', exact: true }).click();
    expect(await textOf(page.getByRole('status').filter({ hasText: 'Absent' }), 'Absent')).toBe("Absent de la liste d'opposition.");
    await page.getByRole('button', { name: 'Ajouter à la liste' }).click();
    await page.getByText('2 entrées sur la liste').waitFor();
    expect(page.url()).not.toContain('exemple.fr');
    // A malformed address says which field is wrong, in the page's language.
    await value.fill('pas-une-adresse@');
    await page.getByRole('button', { name: 'Vérifier', exact: true }).click();
    await page.getByText("Ce n'est pas une adresse e-mail valide.").waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await screenshotAtWidths(page, 'opposition');
  });

  it('P2.4 a salesperson reads segments and campaigns but is offered no import, no merge, no send, no request queue and no invoice; it may add to the opposition list', async () => {
    const context = await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: 'fr-FR', timezoneId: 'Europe/Paris' });
    const sales = await context.newPage();
    sales.setDefaultTimeout(15_000);
    sales.on('pageerror', (e) => pageErrors.push(e.message));
    try {
      await sales.goto(`${server.baseUrl}/#/campaigns`);
      await signInWithPassword(sales, ACCOUNTS.sales.email, ACCOUNTS.sales.password);
      await sales.getByRole('heading', { level: 1, name: 'Campagnes' }).waitFor();
      const nav = sales.getByRole('navigation', { name: 'Navigation principale' });
      const links = await nav.getByRole('link').allTextContents();
      expect(links).toEqual(expect.arrayContaining(['Segments', 'Campagnes', "Liste d'opposition"]));
      for (const absent of ['Demandes de droits', 'Factures', 'Import de contacts', 'Doublons', 'Réclamations']) expect(links).not.toContain(absent);
      // The campaign marketing sent is listed; no form to write one, no button to send.
      await sales.getByRole('article', { name: 'Invitation salon 2027' }).waitFor();
      expect(await sales.getByRole('heading', { name: 'Nouvelle campagne' }).count()).toBe(0);
      expect(await sales.getByRole('button', { name: /Envoyer|Prévisualiser/ }).count()).toBe(0);
      await nav.getByRole('link', { name: 'Segments' }).click();
      await sales.getByRole('heading', { level: 2, name: 'Essayer des critères' }).waitFor();
      expect(await sales.getByRole('button', { name: 'Enregistrer le segment' }).count()).toBe(0);
      await nav.getByRole('link', { name: "Liste d'opposition" }).click();
      await sales.getByRole('button', { name: 'Vérifier', exact: true }).waitFor();
      // Sales writes client contacts: a client who objects on the phone is added at once (always in the person's favour).
      expect(await sales.getByRole('button', { name: 'Ajouter à la liste' }).count()).toBe(1);
      // Pages outside its grants say why, and show nothing of theirs.
      for (const [hash, reason] of [
        ['#/requests', "Votre rôle ne permet pas de traiter les demandes d'exercice de droits."],
        ['#/invoices', 'Votre rôle ne permet pas de consulter les factures.'],
        ['#/import', "Votre rôle ne permet pas d'importer des contacts de prospection."],
        ['#/duplicates', 'Votre rôle ne permet pas de décider des doublons de prospection.'],
      ] as const) {
        await sales.evaluate((h) => {
          window.location.hash = h;
        }, hash);
        expect(await textOf(sales.getByRole('alert').filter({ hasText: 'Votre rôle' }), reason)).toBe(reason);
        expect(await sales.getByRole('table').count()).toBe(0);
      }
      // The server agrees: the routes behind those pages refuse this session.
      const statuses = await sales.evaluate(async () => Promise.all(['/api/v1/requests', '/api/v1/invoices', '/api/v1/dedupe/review'].map(async (u) => (await fetch(u)).status)));
      expect(statuses).toEqual([403, 403, 403]);
      expect(await seriousViolations(sales)).toEqual([]);
      await screenshotAtWidths(sales, 'sales-forbidden');
    } finally {
      await context.close();
    }
  });

  it('raised no script error in the page', () => {
    expect(pageErrors).toEqual([]);
  });
});
