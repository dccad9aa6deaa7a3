import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codeFromOutbox, outboxMailsTo } from '../test/outbox.js';
import { systemActor } from '../src/access/actor.js';
import { addPartner, createTransfer, recordConsent } from '../src/consent/index.js';
import { newId } from '../src/db/ids.js';
import { unpackArchive } from '../src/rights/export/zip.js';
import { loadPolicy } from '../src/policy/index.js';
import { listRequestPage, recordDoubt } from '../src/rights/requests/index.js';
import { createMailer } from '../src/mail/index.js';
import { announceBrowserSuite, hasChromium, launchChromium, seriousViolations } from './browser.js';
import { ensureWebBuilt, startServer, type RunningServer } from './server.js';

announceBrowserSuite('Privacy portal');

const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** Every step's screenshot; `REMPART_UPDATE_SCREENSHOTS=1` also copies the main ones to docs/screenshots (shown in README). */
const SHOTS = join(tmpdir(), 'rempart-portal-shots');
const DOC_SHOTS = join(ROOT, 'docs', 'screenshots');
/** The server's key: the opposition list and the consent notices are keyed by it. */
const KEY = Buffer.alloc(32, 11);

const PERSON = { first: 'Margaux', last: 'Lefèvre', email: 'margaux.lefevre@atelier-lefevre.fr', phone: '+33612345678', source: 'salon-portail-e2e' };
const UNKNOWN = 'quelqu.un.d.inconnu@exemple.fr';

describe.skipIf(!hasChromium)('privacy portal in Chromium', () => {
  let server: RunningServer;
  let browser: Browser;
  let dataDir: string;
  let personId: string;
  let partnerId: string;
  const outbox = () => join(dataDir, 'outbox');
  const pageErrors: string[] = [];

  const context = async (options: { width?: number; height?: number; lang?: string } = {}): Promise<BrowserContext> =>
    browser.newContext({
      viewport: { width: options.width ?? 1366, height: options.height ?? 900 },
      locale: options.lang === 'en' ? 'en-GB' : 'fr-FR',
      timezoneId: 'Europe/Paris',
      acceptDownloads: true,
    });
  const open = async (ctx: BrowserContext): Promise<Page> => {
    const page = await ctx.newPage();
    page.setDefaultTimeout(10_000);
    page.on('pageerror', (e) => pageErrors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) pageErrors.push(m.text());
    });
    return page;
  };
  /** axe-core on the page as it is: no serious or critical violation (WCAG 2.1 AA rules). */
  const axe = async (page: Page, name: string): Promise<void> => {
    const bad = await seriousViolations(page);
    expect(bad, `${name}: ${JSON.stringify(bad, null, 1)}`).toEqual([]);
  };
  /** The whole page, or one part of it (`part`) when the page is long. */
  const shot = async (page: Page, name: string, main = false, part?: string): Promise<void> => {
    const path = join(SHOTS, `${name}.png`);
    if (part === undefined) await page.screenshot({ path, fullPage: true });
    else await page.locator(part).screenshot({ path });
    if (main && process.env.REMPART_UPDATE_SCREENSHOTS === '1') copyFileSync(path, join(DOC_SHOTS, `${name}.png`));
  };
  /** No part of the page is wider than the screen (WCAG 1.4.10 reflow). */
  const fitsWidth = async (page: Page): Promise<void> => {
    const { scroll, width } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, width: window.innerWidth }));
    expect(scroll).toBeLessThanOrEqual(width + 1);
  };

  /** From the home to the space: the address, the choice, the code read from the outbox. */
  const signIn = async (page: Page, email: string, lang: 'fr' | 'en', intent?: RegExp): Promise<void> => {
    const words = lang === 'fr' ? { email: 'Votre adresse e-mail', submit: 'Recevoir un code', code: 'Code reçu par e-mail', check: 'Valider le code' } : { email: 'Your email address', submit: 'Get a code', code: 'Code received by email', check: 'Check the code' };
    await page.goto(`${server.baseUrl}/portal${lang === 'en' ? '?lang=en' : ''}`);
    if (intent) await page.getByRole('radio', { name: intent }).check();
    await page.getByLabel(words.email).fill(email);
    const before = outboxMailsTo(outbox(), email).length;
    await page.getByRole('button', { name: words.submit }).click();
    await page.waitForURL(/\/portal\/code/);
    const code = await codeFromOutbox(outbox(), email, { after: before });
    await page.getByLabel(words.code).fill(code);
    await page.getByRole('button', { name: words.check }).click();
    await page.waitForURL(/\/portal\/space/);
  };

  beforeAll(async () => {
    ensureWebBuilt();
    rmSync(SHOTS, { recursive: true, force: true });
    mkdirSync(SHOTS, { recursive: true });
    mkdirSync(DOC_SHOTS, { recursive: true });
    dataDir = mkdtempSync(join(tmpdir(), 'rempart-portal-e2e-'));
    server = await startServer({ dataDir, serverKey: KEY, requestLimits: { openPerIp: 1000, openPerAddress: 1000, verifyPerIp: 1000 } });
    const db = server.store.db;
    const now = new Date();
    personId = newId();
    await db
      .insertInto('people')
      .values({
        id: personId,
        purpose: 'prospecting',
        relation: 'prospect',
        firstName: PERSON.first,
        lastName: PERSON.last,
        email: PERSON.email,
        phones: JSON.stringify([{ number: PERSON.phone, type: 'mobile' }]),
        postalAddresses: JSON.stringify([]),
        jobTitle: 'Gérante',
        source: PERSON.source,
        collectedAt: now,
      })
      .execute();
    partnerId = (await addPartner(db, { name: 'Certilience Lyon', kind: 'group_company', country: 'FR', email: 'dpo@certilience-lyon.example' }, now)).id;
    const policy = await loadPolicy(join(ROOT, 'policies', 'certilience.yaml'));
    await recordConsent({ db, policy, now: () => new Date(), serverKey: KEY }, { personId, partnerId, state: 'given', channel: 'web_form', collector: 'system:e2e', evidence: 'formulaire salon' });
    browser = await launchChromium();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('P5.1 FR: a person asks for access, types the code from the outbox, sees their data and downloads the ZIP', async () => {
    const ctx = await context();
    const page = await open(ctx);
    await page.goto(`${server.baseUrl}/portal`);
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Vos données personnelles');
    // Never the staff sign-in.
    expect(await page.getByRole('form', { name: 'Connexion' }).count()).toBe(0);
    await page.getByRole('heading', { name: 'Ce que nous détenons et pourquoi' }).waitFor();
    await axe(page, 'home fr');
    await shot(page, 'portal-1-home-fr', true);

    await page.getByLabel('Votre adresse e-mail').fill('pas-une-adresse');
    await page.getByRole('button', { name: 'Recevoir un code' }).click();
    await expect.poll(() => page.locator('#email-error').textContent()).toContain("n'est pas valide");
    await shot(page, 'portal-2-home-error-fr');

    const before = outboxMailsTo(outbox(), PERSON.email).length;
    await page.getByLabel('Votre adresse e-mail').fill(PERSON.email);
    await page.getByRole('button', { name: 'Recevoir un code' }).click();
    await page.waitForURL(/\/portal\/code$/);
    await axe(page, 'code fr');
    await shot(page, 'portal-3-code-fr', true);
    const mail = outboxMailsTo(outbox(), PERSON.email).slice(before)[0]!;
    // The mail's link opens the code page with nothing personal in it.
    expect(mail.text).toMatch(/\/portal\/code\?lang=fr/);
    const code = await codeFromOutbox(outbox(), PERSON.email, { after: before });
    await page.getByLabel('Code reçu par e-mail').fill(code);
    await page.getByRole('button', { name: 'Valider le code' }).click();
    await page.waitForURL(/\/portal\/space/);
    expect(page.url()).not.toContain(PERSON.email);
    expect(page.url()).not.toContain(code);

    const data = page.locator('#access');
    await expect.poll(() => data.textContent()).toContain(PERSON.last);
    expect(await data.textContent()).toContain(PERSON.email);
    expect(await data.textContent()).toContain('Identité et coordonnées');
    await page.getByRole('heading', { name: 'Pourquoi et combien de temps' }).waitFor();
    await axe(page, 'space fr');
    await shot(page, 'portal-4-space-fr', true, '#access');
    await shot(page, 'portal-4b-space-full-fr');

    const download = page.waitForEvent('download');
    await page.getByRole('link', { name: /Télécharger une copie de mes données/ }).click();
    const file = await (await download).path();
    const files = unpackArchive(readFileSync(file));
    expect(Object.keys(files)).toEqual(expect.arrayContaining(['access.json', 'access.html', 'manifest.json']));
    const json = JSON.parse(Buffer.from(files['access.json']!).toString('utf8')) as { data: { people: { email: string }[] } };
    expect(json.data.people[0]!.email).toBe(PERSON.email);
    await ctx.close();
  });

  it('P5.2 FR: the person corrects their phone number; the old one goes to their history', async () => {
    const ctx = await context();
    const page = await open(ctx);
    await signIn(page, PERSON.email, 'fr', /Corriger mes données/);
    const form = page.locator('#rectification');
    await form.getByLabel('Téléphone').fill('06 00 00');
    await form.getByRole('button', { name: 'Enregistrer la correction' }).click();
    await expect.poll(() => form.locator('.field-error').first().textContent()).toContain("n'est pas valide");
    await shot(page, 'portal-5-correct-error-fr', false, '#rectification');
    await form.getByLabel('Téléphone').fill('+33 6 98 76 54 32');
    await form.getByRole('button', { name: 'Enregistrer la correction' }).click();
    await form.getByText('Correction enregistrée.').waitFor();
    const row = await server.store.db.selectFrom('people').select('phones').where('id', '=', personId).executeTakeFirstOrThrow();
    expect(JSON.stringify(row.phones)).toContain('98765432');
    const history = await server.store.db.selectFrom('personChangeHistory').select('oldValue').where('personId', '=', personId).execute();
    expect(JSON.stringify(history)).toContain(PERSON.phone);
    await ctx.close();
  });

  it('P1.6 FR: the person withdraws a partner consent in one click; the next transfer leaves them out', async () => {
    const transfer = () => createTransfer({ db: server.store.db, now: () => new Date(), serverKey: KEY }, { partnerId, actor: systemActor('e2e'), fileName: 'f.csv' });
    expect((await transfer()).rows).toBe(1);
    const ctx = await context();
    const page = await open(ctx);
    await signIn(page, PERSON.email, 'fr', /Gérer mes consentements/);
    const consents = page.locator('#consents');
    const withdraw = consents.getByRole('button', { name: /Retirer mon consentement : Partage de mes données avec Certilience Lyon/ });
    await withdraw.click();
    await consents.getByText(/Consentement retiré le/).waitFor();
    await shot(page, 'portal-6-consents-fr', true, '#consents');
    expect((await transfer()).rows).toBe(0);
    await ctx.close();
  });

  it('P5.6 FR: the person objects to prospecting and is then left out of a campaign segment', async () => {
    const preview = async () => {
      const res = await server.api('POST', '/api/v1/segments/preview', { criteria: { sources: [PERSON.source] } });
      expect(res.statusCode, res.body).toBe(200);
      return res.json<{ eligible: number }>().eligible;
    };
    expect(await preview()).toBe(1);
    const ctx = await context();
    const page = await open(ctx);
    await signIn(page, PERSON.email, 'fr', /M'opposer à la prospection/);
    const section = page.locator('#objection');
    await section.getByRole('button', { name: 'Ne plus me solliciter sur aucun canal' }).click();
    await section.getByText('Vous ne recevez plus de prospection par e-mail.').waitFor();
    await shot(page, 'portal-7-objection-fr', false, '#objection');
    expect(await preview()).toBe(0);
    await ctx.close();
  });

  it('P5.3 EN on a phone: the person asks for erasure; the staff queue shows it with its due date', async () => {
    const ctx = await context({ width: 390, height: 844, lang: 'en' });
    const page = await open(ctx);
    await signIn(page, PERSON.email, 'en', /Erase my data/);
    await fitsWidth(page);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Your space');
    const section = page.locator('#erasure');
    await section.getByRole('button', { name: 'See what would be erased' }).click();
    await section.getByRole('heading', { name: 'Will be erased' }).waitFor();
    await axe(page, 'erasure en');
    await shot(page, 'portal-8-erasure-en-390', true, '#erasure');
    await section.getByRole('button', { name: 'Confirm the erasure request' }).click();
    await section.getByText(/Erasure request recorded\. We answer by/).waitFor();
    const queue = await listRequestPage(server.store.db, { type: 'erasure', open: true, now: new Date() });
    expect(queue.items.length).toBe(1);
    const due = queue.items[0]!.effectiveDueAt;
    expect(due).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    // The space lists it with the same deadline.
    const requests = page.locator('#requests');
    await expect.poll(() => requests.textContent()).toContain('Erasure');
    expect(await requests.textContent()).toContain('In progress');
    await fitsWidth(page);
    await shot(page, 'portal-9-requests-en-390', false, '#requests');
    await ctx.close();
  });

  it('P5.1 EN: an unknown address gets the same page as a known one, then a space saying nothing is held; the language stays across pages', async () => {
    const ctx = await context({ lang: 'en' });
    const page = await open(ctx);
    await page.goto(`${server.baseUrl}/portal`);
    // The switch keeps the page and carries the language on.
    await page.getByRole('link', { name: 'Read in English' }).click();
    await page.waitForURL(/\/portal\?lang=en$/);
    await page.getByRole('heading', { name: 'What we hold and why' }).waitFor();
    await axe(page, 'home en');
    await shot(page, 'portal-10-home-en');
    const pageText = async (email: string) => {
      await page.goto(`${server.baseUrl}/portal?lang=en`);
      await page.getByLabel('Your email address').fill(email);
      await page.getByRole('button', { name: 'Get a code' }).click();
      await page.waitForURL(/\/portal\/code\?lang=en$/);
      return (await page.locator('main').innerText()).trim();
    };
    expect(await pageText(UNKNOWN)).toBe(await pageText(PERSON.email));
    await signIn(page, UNKNOWN, 'en');
    await page.getByText('We hold no data linked to this address.').waitFor();
    await axe(page, 'space unknown en');
    await shot(page, 'portal-11-unknown-en');
    await ctx.close();
  });

  it('P5.1 FR: five wrong codes lock the request; the page says so beside the field', async () => {
    const ctx = await context({ width: 390, height: 844 });
    const page = await open(ctx);
    await page.goto(`${server.baseUrl}/portal`);
    await page.getByLabel('Votre adresse e-mail').fill(UNKNOWN);
    const before = outboxMailsTo(outbox(), UNKNOWN).length;
    await page.getByRole('button', { name: 'Recevoir un code' }).click();
    await page.waitForURL(/\/portal\/code/);
    const code = await codeFromOutbox(outbox(), UNKNOWN, { after: before });
    const wrong = code === '000000' ? '111111' : '000000';
    for (let i = 0; i < 5; i++) {
      await page.getByLabel('Code reçu par e-mail').fill(wrong);
      await page.getByRole('button', { name: 'Valider le code' }).click();
      await expect.poll(() => page.locator('#code-error').textContent()).toMatch(/pas le bon|Trop de codes/);
    }
    await page.getByLabel('Code reçu par e-mail').fill(code);
    await page.getByRole('button', { name: 'Valider le code' }).click();
    await expect.poll(() => page.locator('#code-error').textContent()).toContain('bloquée');
    expect(page.url()).toMatch(/\/portal\/code/);
    await fitsWidth(page);
    await axe(page, 'code locked fr');
    await shot(page, 'portal-12-code-locked-fr-390');
    await ctx.close();
  });

  it('P5.1 FR: where the dpo doubts the identity, the page says what is needed and takes the upload', async () => {
    const ctx = await context();
    const page = await open(ctx);
    await signIn(page, PERSON.email, 'fr', /Limiter le traitement/);
    const pending = await server.store.db.selectFrom('rightsRequests').select('id').where('contactEmail', '=', PERSON.email).where('type', '=', 'restriction').where('state', '=', 'in_progress').executeTakeFirstOrThrow();
    const policy = await loadPolicy(join(ROOT, 'policies', 'certilience.yaml'));
    await recordDoubt({ db: server.store.db, policy, now: () => new Date(), mailer: createMailer({ outboxDir: outbox() }), serverKey: KEY, dataDir }, pending.id, 'Le prénom de la demande diffère de celui du contrat.');
    await page.reload();
    const form = page.locator('form.id-document');
    await form.getByText('Le prénom de la demande diffère de celui du contrat.').waitFor();
    await form.getByRole('button', { name: 'Envoyer le justificatif' }).click();
    await expect.poll(() => form.locator('.field-error').textContent()).toContain('Choisissez le fichier');
    const png = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8cfc0f01f0005000201a5f6d7e50000000049454e44ae426082', 'hex');
    await form.getByLabel(/Justificatif d'identité/).setInputFiles({ name: 'piece-identite.png', mimeType: 'image/png', buffer: png });
    await form.getByRole('button', { name: 'Envoyer le justificatif' }).click();
    await form.getByText(/Justificatif reçu/).waitFor();
    await axe(page, 'id document fr');
    await shot(page, 'portal-13-id-document-fr', false, '#requests');
    const row = await server.store.db.selectFrom('rightsRequests').select('idDocumentPath').where('id', '=', pending.id).executeTakeFirstOrThrow();
    expect(row.idDocumentPath).toMatch(/\.png$/);
    await ctx.close();
  });

  it('P5 with the keyboard alone: skip link, the choice of right with the arrows, the address, Enter', async () => {
    const ctx = await context();
    const page = await open(ctx);
    await page.goto(`${server.baseUrl}/portal`);
    await page.getByRole('heading', { name: 'Ce que nous détenons et pourquoi' }).waitFor();
    const focused = () => page.evaluate(() => ({ tag: document.activeElement?.tagName ?? '', text: document.activeElement?.textContent ?? '', name: (document.activeElement as HTMLInputElement | null)?.name ?? '', value: (document.activeElement as HTMLInputElement | null)?.value ?? '' }));
    await page.keyboard.press('Tab');
    expect((await focused()).text).toBe('Aller au contenu');
    await page.keyboard.press('Enter');
    await page.keyboard.press('Tab');
    expect(await focused()).toMatchObject({ tag: 'INPUT', name: 'intent', value: 'access' });
    await page.keyboard.press('ArrowRight');
    expect(await focused()).toMatchObject({ name: 'intent', value: 'rectification' });
    await page.keyboard.press('Tab');
    expect(await focused()).toMatchObject({ tag: 'INPUT', name: 'email' });
    await page.keyboard.type(PERSON.email);
    await page.keyboard.press('Tab');
    expect(await focused()).toMatchObject({ tag: 'BUTTON', text: 'Recevoir un code' });
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/portal\/code$/);
    await ctx.close();
  });

  it('P5 the notice and the portal link to each other, the notice passes axe too, and no page script failed', async () => {
    const ctx = await context();
    const page = await open(ctx);
    await page.goto(`${server.baseUrl}/portal`);
    const notice = page.getByRole('link', { name: "Notice d'information" });
    expect(await notice.getAttribute('href')).toMatch(/^\/notice/);
    await notice.click();
    await page.waitForURL(/\/notice/);
    expect(await page.locator('main a[href^="/portal"]').count()).toBeGreaterThan(0);
    await axe(page, 'notice fr');
    await shot(page, 'portal-14-notice-fr');
    await ctx.close();
    expect(pageErrors).toEqual([]);
  });
});
