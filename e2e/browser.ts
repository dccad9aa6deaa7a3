import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

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
