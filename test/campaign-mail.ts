/**
 * Test support for the campaign tests that send mail: the default policy, a capturing SMTP
 * server and a mailer to it, opened before a test file's tests and closed after. The
 * bindings are live (each test file runs in a process of its own): import `policy`,
 * `smtp` and `mailer`, and call `useCampaignMail` once at the top of the file.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { createMailer, type Mailer } from '../src/mail/index.js';
import { startSmtpCapture, type SmtpCapture } from './smtp-capture.js';
import { DEFAULT_POLICY_FILE, loadPolicy, type LoadedPolicy } from '../src/policy/index.js';

export let policy: LoadedPolicy;
export let smtp: SmtpCapture;
export let mailer: Mailer;

/** Registers the set-up and tear-down; `outboxPrefix` names the temporary outbox folder. */
export function useCampaignMail(outboxPrefix: string): void {
  const outbox = mkdtempSync(join(tmpdir(), outboxPrefix));
  beforeAll(async () => {
    policy = await loadPolicy(DEFAULT_POLICY_FILE);
    smtp = await startSmtpCapture();
    mailer = createMailer({ smtpUrl: smtp.url, outboxDir: outbox, fromAddress: 'prospection@certilience.example' });
  });
  afterAll(async () => {
    mailer.close();
    await smtp.close();
    rmSync(outbox, { recursive: true, force: true });
  });
}
