import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { codeFromOutbox, outboxMailsTo } from '../test/outbox.js';
import { announceBrowserSuite, hasChromium, launchChromium, seriousViolations } from './browser.js';
import { ACCOUNTS, ensureWebBuilt, nextTotp, startServer, type RunningServer, type TestAccount } from './server.js';

type Json = Record<string, unknown>;

announceBrowserSuite('Backoffice');

const SCREENSHOT = '/tmp/rempart-backoffice.png';
const SEEDED_NAMES = ['Bâtiments Durand', 'DURAND', 'Élise', 'MARTIN Paul', 'durand-batiment.fr', 'Sensibilisation'];

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
    const res = await server.api('POST', `/api/v1/${path}`, payload);
    expect(res.statusCode, res.body).toBe(201);
    return res.json<Json>();
  };
  // Always a fresh page load: a goto that changes only the hash would keep the page's state.
  const goto = async (hash: string, on: Page = page): Promise<void> => {
    await on.goto('about:blank');
    await on.goto(`${server.baseUrl}/${hash}`);
  };
  /** A page in a browser context of its own (its own cookies), its errors collected. */
  const newPage = async (context?: BrowserContext): Promise<Page> => {
    const ctx = context ?? (await browser.newContext({ viewport: { width: 1440, height: 820 }, locale: 'fr-FR', timezoneId: 'Europe/Paris' }));
    const p = await ctx.newPage();
    p.setDefaultTimeout(10_000);
    p.on('pageerror', (e) => pageErrors.push(e.message));
    p.on('console', (m) => {
      // A 400, 401 or 403 answer is logged by Chromium itself; the test looks for script errors only.
      if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) pageErrors.push(m.text());
    });
    return p;
  };
  const signInForm = (on: Page): Locator => on.getByRole('form', { name: 'Connexion' });
  /** Types e-mail and password into the sign-in form. */
  const submitPassword = async (on: Page, account: TestAccount, password = account.password): Promise<void> => {
    const form = signInForm(on);
    await form.getByLabel('E-mail').fill(account.email);
    await form.getByLabel('Mot de passe').fill(password);
    await form.getByRole('button', { name: 'Se connecter' }).click();
  };
  /** The account shown in the top bar. */
  const accountBar = (on: Page): Locator => on.getByRole('group', { name: 'Compte connecté' });

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

    await create('invoices', {
      organisationId: seeded.org.id,
      contractId: seeded.contract.id,
      number: 'F-2025-0042',
      issueDate: '2025-02-01',
      dueDate: '2025-03-03',
      amount: 1200.5,
    });

    browser = await launchChromium();
    page = await newPage();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('asks to sign in first, showing the database engine from /healthz and no data', async () => {
    await goto('#/people');
    expect(await page.title()).toBe('Rempart — Backoffice');
    await signInForm(page).waitFor();
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Connexion');
    const engine = page.getByRole('status', { name: 'Base de données' });
    expect(await textOf(engine, 'PGlite')).toBe('Base : PGlite');
    expect(await page.getByRole('navigation').count()).toBe(0);
    expect(await page.getByRole('table').count()).toBe(0);
    expect(await accountBar(page).count()).toBe(0);
    await page.screenshot({ path: '/tmp/rempart-login.png', fullPage: true });
  });

  it('Art. 32 is served under a CSP that forbids framing, and the app runs under it', async () => {
    const res = await page.goto(`${server.baseUrl}/`);
    const headers = res?.headers() ?? {};
    expect(headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(headers['x-frame-options']).toBe('DENY');
    expect(headers['x-content-type-options']).toBe('nosniff');
    await signInForm(page).waitFor();
    // Another site trying to frame the back office (clickjacking) gets an empty frame.
    // (A page of its own: the refusal Chromium logs is the expected outcome, not a script error.)
    const attackerContext = await browser.newContext();
    const attacker = await attackerContext.newPage();
    const blocked: string[] = [];
    attacker.on('console', (m) => blocked.push(m.text()));
    await attacker.setContent(`<iframe id="f" src="${server.baseUrl}/"></iframe>`);
    await attacker.waitForTimeout(1000);
    const framed = attacker.frames().find((f) => f.url().startsWith(server.baseUrl));
    const framedForm = framed === undefined ? 0 : await framed.locator('form').count().catch(() => 0);
    expect(framedForm).toBe(0);
    expect(blocked.join('\n')).toContain("frame-ancestors 'none'");
    await attackerContext.close();
  });

  it('refuses a wrong password with an error, and shows no data', async () => {
    await goto('#/people');
    await submitPassword(page, ACCOUNTS.manager, 'not-the-right-password');
    const form = signInForm(page);
    expect(await textOf(form.getByRole('alert'), 'incorrect')).toBe('E-mail ou mot de passe incorrect, ou compte momentanément bloqué.');
    expect(await form.getByLabel('Mot de passe').inputValue()).toBe('');
    await page.screenshot({ path: '/tmp/rempart-login-refused.png', fullPage: true });
    expect(await page.getByRole('navigation').count()).toBe(0);
    expect(await page.getByRole('table').count()).toBe(0);
    const body = (await page.locator('body').textContent()) ?? '';
    for (const name of SEEDED_NAMES) expect(body).not.toContain(name);
    // Nor does the page get anything from the API by itself: the browser has no session.
    expect(await page.evaluate(async () => (await fetch('/api/v1/people')).status)).toBe(401);
  });

  it('signs in with the password then the verification code; the top bar shows the account', async () => {
    await goto('');
    await submitPassword(page, ACCOUNTS.manager);
    const step = page.getByRole('form', { name: 'Vérification en deux étapes' });
    expect(await textOf(step.getByRole('heading', { level: 1 }), 'Code de vérification')).toBe('Code de vérification');
    expect(await page.getByRole('navigation').count()).toBe(0);
    await page.screenshot({ path: '/tmp/rempart-code.png', fullPage: true });

    // A wrong code is refused and the step stays.
    await step.getByLabel('Code de vérification').fill('000000');
    await step.getByRole('button', { name: 'Vérifier' }).click();
    expect(await textOf(step.getByRole('alert'), 'Code incorrect')).toContain('Code incorrect ou déjà utilisé');

    await step.getByLabel('Code de vérification').fill(await nextTotp(server.managerTotpSecret));
    await step.getByRole('button', { name: 'Vérifier' }).click();
    const bar = accountBar(page);
    expect(await textOf(bar, ACCOUNTS.manager.email)).toContain('Responsable hiérarchique');
    expect(await bar.getByRole('button', { name: 'Se déconnecter' }).count()).toBe(1);
    expect(await textOf(page.getByRole('heading', { level: 1 }), 'Organisations')).toBe('Organisations');
    const nav = page.getByRole('navigation', { name: 'Navigation principale' });
    expect(await nav.getByRole('link').allTextContents()).toEqual(['Organisations', 'Personnes', 'Contrats', 'Factures', 'Réclamations', 'Import de contacts', 'Doublons', 'Segments', 'Campagnes', "Liste d'opposition", 'Consentements', 'Partenaires']);

    // A reload keeps the session (GET /api/v1/session), and writes carry its CSRF token.
    await page.reload();
    await textOf(accountBar(page), ACCOUNTS.manager.email);
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
    const list = await server.api('GET', '/api/v1/organisations?limit=200');
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

  it('lists invoices for a role that may read them', async () => {
    await goto('#/invoices');
    // The organisation's name is read after the row: wait for it, not for the number.
    const row = await textOf(page.getByRole('table', { name: 'Factures' }).locator('tbody tr'), 'Bâtiments Durand SAS');
    expect(row).toContain('F-2025-0042');
    expect(row).toContain('03/03/2025');
    expect(row.replace(/\s/g, ' ')).toContain('1 200,50 €');
    expect(row).toContain('Émise');
  });

  it('a role that needs MFA and has no app yet enrols it at first sign-in, then gets its recovery codes', async () => {
    const dpo = await newPage();
    try {
      await goto('', dpo);
      await submitPassword(dpo, ACCOUNTS.dpo);
      const step = dpo.getByRole('form', { name: 'Activer la double authentification' });
      // The password alone does not enrol: a wrong activation code is refused, and no key is shown.
      await step.getByLabel('Code d’activation').fill('aaaaa-bbbbb-ccccc-ddddd');
      await step.getByRole('button', { name: 'Continuer' }).click();
      expect(await textOf(step.getByRole('alert'), 'activation')).toContain('Code d’activation incorrect');
      expect(await step.getByLabel('Clé de l’application d’authentification').count()).toBe(0);
      await dpo.screenshot({ path: '/tmp/rempart-enrol-refused.png', fullPage: true });
      await step.getByLabel('Code d’activation').fill(server.dpoEnrolmentCode);
      await step.getByRole('button', { name: 'Continuer' }).click();
      const key = step.getByLabel('Clé de l’application d’authentification');
      const secret = (await key.textContent())?.replace(/\s/g, '') ?? '';
      expect(secret).toMatch(/^[A-Z2-7]{32}$/);
      expect(await step.getByRole('link', { name: 'Ouvrir dans l’application' }).getAttribute('href')).toMatch(/^otpauth:\/\/totp\//);
      await dpo.screenshot({ path: '/tmp/rempart-enrol.png', fullPage: true });
      await step.getByLabel('Code de vérification').fill(await nextTotp(secret));
      await step.getByRole('button', { name: 'Activer' }).click();

      const codes = dpo.getByRole('region', { name: 'Codes de secours' });
      await codes.getByRole('listitem').first().waitFor();
      expect(await codes.getByRole('listitem').count()).toBe(10);
      await codes.getByRole('button', { name: 'J’ai noté mes codes, continuer' }).click();
      expect(await textOf(accountBar(dpo), ACCOUNTS.dpo.email)).toContain('Délégué à la protection des données');
      // The dpo's first page is its workspace, and its menu comes from the policy's tasks and grants.
      expect(await textOf(dpo.getByRole('heading', { level: 1 }), 'Tableau de bord')).toBe('Tableau de bord');
      const nav = dpo.getByRole('navigation', { name: 'Navigation principale' });
      expect(await nav.getByRole('link').allTextContents()).toEqual(expect.arrayContaining(['Tableau de bord', 'Demandes de droits', 'Conservation', 'Journal d’audit'.replace('’', "'"), 'Organisations']));
      await dpo.getByRole('heading', { name: 'Demandes ouvertes' }).waitFor();
      expect(await seriousViolations(dpo), 'dashboard').toEqual([]);
      await dpo.screenshot({ path: '/tmp/rempart-dpo-dashboard.png', fullPage: true });
      await nav.getByRole('link', { name: 'Organisations' }).click();
      await textOf(dpo.getByRole('table', { name: 'Organisations' }).locator('tbody tr'), 'Bâtiments Durand SAS');

      // An access request made on the portal, its code typed: the dpo answers it to the end.
      const requester = 'elise.durand@durand-batiment.fr';
      const outbox = join(tmpdir(), `rempart-${process.pid}`, 'outbox');
      const before = outboxMailsTo(outbox, requester).length;
      const opened = await server.app.inject({ method: 'POST', url: '/api/v1/requests', payload: { type: 'access', email: requester, language: 'fr', channel: 'portal' } });
      expect(opened.statusCode, opened.body).toBe(202);
      const requestId = opened.json<{ id: string }>().id;
      const code = await codeFromOutbox(outbox, requester, { after: before });
      expect((await server.app.inject({ method: 'POST', url: `/api/v1/requests/${requestId}/verify`, payload: { code } })).statusCode).toBe(200);
      await nav.getByRole('link', { name: 'Demandes de droits' }).click();
      const queue = dpo.getByRole('table', { name: 'Demandes d’exercice de droits'.replace('’', "'") });
      await queue.getByRole('link', { name: 'Accès' }).first().waitFor();
      expect(await seriousViolations(dpo), 'request queue').toEqual([]);
      await dpo.screenshot({ path: '/tmp/rempart-dpo-requests.png', fullPage: true });
      await queue.getByRole('link', { name: 'Accès' }).first().click();
      expect(new URL(dpo.url()).hash).toBe(`#/requests/${requestId}`);
      await dpo.getByRole('heading', { name: 'Réponse préparée par le moteur' }).waitFor();
      expect(await seriousViolations(dpo), 'request page').toEqual([]);
      await dpo.screenshot({ path: '/tmp/rempart-dpo-request.png', fullPage: true });
      await dpo.getByRole('button', { name: 'Répondre (exécuter le droit et envoyer)' }).click();
      await dpo.getByText('Fait : la demande est maintenant « Répondue ».').waitFor();
      const answer = outboxMailsTo(outbox, requester).slice(before).at(-1)!;
      expect(answer.attachments.map((a) => a.filename)).toContain('donnees-personnelles.zip');

      // English is one click away, for every label of the workspace, and stays after a reload.
      await dpo.getByRole('button', { name: 'Switch to English' }).click();
      const navEn = dpo.getByRole('navigation', { name: 'Main navigation' });
      await navEn.getByRole('link', { name: 'Dashboard' }).waitFor();
      expect(await navEn.getByRole('link').allTextContents()).toEqual(expect.arrayContaining(['Dashboard', 'Rights requests', 'Retention', 'Audit trail']));
      await dpo.reload();
      await dpo.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'Dashboard' }).click();
      expect(await textOf(dpo.getByRole('heading', { level: 1 }), 'Dashboard')).toBe('Dashboard');
      await dpo.getByRole('heading', { name: 'Open requests' }).waitFor();
      await dpo.screenshot({ path: '/tmp/rempart-dpo-dashboard-en.png', fullPage: true });
    } finally {
      await dpo.context().close();
    }
  });

  it('logistics sees people without their job titles, and the invoices view says its role does not allow it', async () => {
    const logistics = await newPage();
    try {
      await goto('#/people', logistics);
      await submitPassword(logistics, ACCOUNTS.logistics);
      // No second factor for this role: straight to the view asked for.
      expect(await textOf(accountBar(logistics), ACCOUNTS.logistics.email)).toContain('Services logistiques');
      const table = logistics.getByRole('table', { name: 'Personnes' });
      await table.getByText('MARTIN Paul').waitFor();
      const rows = await table.locator('tbody tr').allTextContents();
      expect(rows).toHaveLength(2);
      expect(rows[0]).toContain('DURAND Élise');
      expect(rows[0]).toContain('elise.durand@durand-batiment.fr');
      // Its presenter leaves out the professional fields: no column of dashes either.
      expect(await table.locator('thead th').allTextContents()).toEqual(['Nom', 'E-mail']);
      expect(rows.join(' ')).not.toContain('Directrice administrative');
      await logistics.screenshot({ path: '/tmp/rempart-logistics-people.png', fullPage: true });

      await table.getByText('elise.durand@durand-batiment.fr').click();
      const panel = logistics.getByRole('complementary', { name: 'Fiche personne' });
      const detail = await textOf(panel, '+33612345678');
      expect(detail).toContain('3 rue de la Paix');
      expect(detail).not.toContain('Directrice administrative');
      expect(detail).not.toContain('Fonction');

      // Its menu holds only the pages its grants allow; an address of another page says why it is refused.
      expect(await logistics.getByRole('navigation').getByRole('link', { name: 'Factures' }).count()).toBe(0);
      expect(await logistics.getByRole('navigation').getByRole('link', { name: 'Demandes de droits' }).count()).toBe(0);
      await logistics.evaluate(() => {
        window.location.hash = '#/requests';
      });
      expect(await textOf(logistics.getByRole('alert').filter({ hasText: 'Votre rôle' }), 'Votre rôle')).toBe("Votre rôle ne permet pas de traiter les demandes d'exercice de droits.");
      expect(await logistics.getByRole('table').count()).toBe(0);
      await logistics.evaluate(() => {
        window.location.hash = '#/invoices';
      });
      const refused = logistics.getByRole('alert').filter({ hasText: 'Votre rôle' });
      expect(await textOf(refused, 'Votre rôle')).toBe('Votre rôle ne permet pas de consulter les factures.');
      expect(await logistics.getByRole('table').count()).toBe(0);
      expect(await logistics.getByRole('heading', { level: 1 }).textContent()).toBe('Factures');
      await logistics.screenshot({ path: '/tmp/rempart-forbidden.png', fullPage: true });

      // The session ends under the page (the cookie is gone): the next call's 401 brings the sign-in back.
      await logistics.context().clearCookies();
      await logistics.getByRole('navigation').getByRole('link', { name: 'Organisations' }).click();
      await signInForm(logistics).waitFor();
      expect(await textOf(signInForm(logistics).getByRole('status'), 'session')).toBe('Votre session a pris fin : reconnectez-vous.');
      expect(await logistics.getByRole('table').count()).toBe(0);
    } finally {
      await logistics.context().close();
    }
  });

  it('signs out: back to the sign-in screen, a reload stays signed out, and the old session reads nothing', async () => {
    await goto('#/people');
    await textOf(accountBar(page), ACCOUNTS.manager.email);
    await page.getByRole('table', { name: 'Personnes' }).getByText('MARTIN Paul').waitFor();
    const cookie = (await page.context().cookies()).find((c) => c.name === 'rempart_session');
    expect(cookie?.httpOnly).toBe(true);
    expect(cookie?.sameSite).toBe('Strict');
    await accountBar(page).getByRole('button', { name: 'Se déconnecter' }).click();
    await signInForm(page).waitFor();
    expect(await textOf(signInForm(page).getByRole('status'), 'déconnecté')).toBe('Vous êtes déconnecté.');
    expect(await page.getByRole('table').count()).toBe(0);
    expect(await accountBar(page).count()).toBe(0);

    await page.reload();
    await signInForm(page).waitFor();
    expect(await page.getByRole('navigation').count()).toBe(0);
    const body = (await page.locator('body').textContent()) ?? '';
    for (const name of SEEDED_NAMES) expect(body).not.toContain(name);
    expect(await page.evaluate(async () => (await fetch('/api/v1/people')).status)).toBe(401);
    // The server revoked the session: its cookie, replayed, reads nothing either.
    const replay = await server.app.inject({ method: 'GET', url: '/api/v1/people', headers: { cookie: `rempart_session=${cookie?.value ?? ''}` } });
    expect(replay.statusCode).toBe(401);
  });

  it('raised no script error in the page', () => {
    expect(pageErrors).toEqual([]);
  });
});
