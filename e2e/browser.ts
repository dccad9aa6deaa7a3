import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';

/**
 * The browser of the e2e suites: Debian's Chromium (`apt-get install chromium`). The
 * suites never download a browser; without this one they are skipped and say so.
 */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/** Whether the system Chromium is installed. */
export const hasChromium = existsSync(CHROMIUM_PATH);

/** Prints, once per suite file, why a browser suite does not run. */
export function announceBrowserSuite(suite: string): void {
  if (!hasChromium) {
    console.log(`[rempart e2e] ${suite} browser suite: SKIPPED (${CHROMIUM_PATH} not found; install Debian's chromium package to run it)`);
  }
}

/** Starts the system Chromium headless. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
}

/** Waits until the locator's text contains `text`, then returns the first match's text. */
export async function textOf(locator: Locator, text: string): Promise<string> {
  await locator.filter({ hasText: text }).first().waitFor();
  return (await locator.first().textContent()) ?? '';
}

/** Collects the page's script errors into `errors` (a 4xx Chromium logs itself is an answer, not a script error). */
export function collectPageErrors(page: Page, errors: string[]): void {
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) errors.push(m.text());
  });
}

/** Signs in through the back office's French sign-in form (an account without a second factor). */
export async function signInWithPassword(page: Page, email: string, password: string): Promise<void> {
  const form = page.getByRole('form', { name: 'Connexion' });
  await form.getByLabel('E-mail').fill(email);
  await form.getByLabel('Mot de passe').fill(password);
  await form.getByRole('button', { name: 'Se connecter' }).click();
}

/** Where the back office's suites save their screenshots (look at them: a page can pass its asserts and look broken). */
export const SCREENSHOTS_DIR = '/tmp/rempart-screens';
const DOC_SCREENSHOTS = fileURLToPath(new URL('../docs/screenshots', import.meta.url));

/**
 * Screenshots a whole page at 1366 and 390 px wide (issue 16 item 7), as
 * `<name>-1366.png` and `<name>-390.png`; with `REMPART_UPDATE_SCREENSHOTS=1`, a `main`
 * one is also copied to docs/screenshots (shown in README.md) as `backoffice-<name>.png`.
 */
export async function screenshotAtWidths(page: Page, name: string, options: { readonly main?: boolean } = {}): Promise<void> {
  mkdirSync(SCREENSHOTS_DIR, { recursive: true });
  const viewport = page.viewportSize() ?? { width: 1366, height: 900 };
  const wide = join(SCREENSHOTS_DIR, `${name}-1366.png`);
  await page.setViewportSize({ width: 1366, height: viewport.height });
  await page.screenshot({ path: wide, fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: join(SCREENSHOTS_DIR, `${name}-390.png`), fullPage: true });
  await page.setViewportSize(viewport);
  if (options.main && process.env.REMPART_UPDATE_SCREENSHOTS === '1') copyFileSync(wide, join(DOC_SCREENSHOTS, `backoffice-${name}.png`));
}

/** One rule axe-core found broken, with where. */
export interface AxeViolation {
  readonly id: string;
  readonly impact: string | null;
  readonly help: string;
  readonly targets: readonly string[];
}

let axeSource: string | null = null;

/**
 * The serious and critical accessibility violations axe-core finds on the page as it is
 * (WCAG 2.1 A/AA and best practices). The script is evaluated through the DevTools
 * protocol, which the page's CSP (scripts from this origin only) does not govern.
 */
export async function seriousViolations(page: Page): Promise<AxeViolation[]> {
  axeSource ??= readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
  await page.evaluate(axeSource);
  const found = await page.evaluate(async () => {
    const w = window as unknown as { axe: { run: (ctx: Document, o: unknown) => Promise<{ violations: { id: string; impact: string | null; help: string; nodes: { target: string[] }[] }[] }> } };
    const r = await w.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] } });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map((n) => n.target.join(' ')) }));
  });
  return found.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}
