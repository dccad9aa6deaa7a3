import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_POLICY_FILE, loadPolicy, type LoadedPolicy } from '../policy/index.js';
import {
  acknowledgementMail,
  answerMail,
  createMailer,
  extensionMail,
  formatLongDate,
  identityCodeMail,
  purgeOutbox,
  redactSmtpUrl,
  refusalMail,
} from './index.js';
import { parseMail, startSmtpCapture, type SmtpCapture } from '../../test/smtp-capture.js';

const CNIL = ['8 rue Vivienne, CS 30223, F-75002 Paris Cedex 02', '+33 1 53 73 22 22', 'www.cnil.fr'];

let policy: LoadedPolicy;
let smtp: SmtpCapture;
const dirs: string[] = [];
const tempDir = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'rempart-mail-'));
  dirs.push(d);
  return d;
};

beforeAll(async () => {
  policy = await loadPolicy(DEFAULT_POLICY_FILE);
  smtp = await startSmtpCapture();
});
afterAll(async () => {
  await smtp.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('mail', () => {
  it('P5 dates in words: 26 décembre 2026 / 26 December 2026, and French ordinal for the first', () => {
    expect(formatLongDate('2026-12-26', 'fr')).toBe('26 décembre 2026');
    expect(formatLongDate('2026-12-26', 'en')).toBe('26 December 2026');
    expect(formatLongDate('2027-01-01', 'fr')).toBe('1er janvier 2027');
    expect(formatLongDate('2027-01-01', 'en')).toBe('1 January 2027');
  });

  it('P5 outbox mode: without SMTP_URL each message is an RFC 5322 .eml file (CRLF, mode 0600), no address in its name', async () => {
    const outbox = join(tempDir(), 'outbox');
    const mailer = createMailer({ outboxDir: outbox });
    expect(mailer.describe()).toContain(outbox);
    expect(mailer.describe()).toMatch(/no SMTP_URL/);
    const mail = acknowledgementMail({ policy, language: 'fr', type: 'access', requestId: 'r-1', receivedOn: '2026-11-26', dueOn: '2026-12-28' });
    const sent = await mailer.send({
      to: 'jeanne.martin@example.fr',
      from: { name: policy.controller.name },
      subject: mail.subject,
      text: mail.text,
      html: mail.html,
      headers: { 'Content-Language': 'fr' },
      attachments: [{ filename: 'export.json', content: Buffer.from('{"a":1}') }],
    });
    expect(sent.messageId).toMatch(/^<.+@.+>$/);
    const files = readdirSync(outbox);
    expect(files).toHaveLength(1);
    const [file] = files as [string];
    expect(file).toMatch(/^[0-9TZ-]+-[0-9a-f]{12}\.eml$/);
    expect(file).not.toContain('jeanne');
    if (process.platform !== 'win32') expect(statSync(join(outbox, file)).mode & 0o777).toBe(0o600);
    const raw = readFileSync(join(outbox, file), 'utf8');
    expect(raw).toMatch(/\r\n/);
    expect(raw.replace(/\r\n/g, '')).not.toMatch(/\n/);
    const parsed = parseMail(raw);
    expect(parsed.headers.to).toBe('jeanne.martin@example.fr');
    expect(parsed.headers.from).toContain('CERTILIENCE');
    expect(parsed.headers['message-id']).toBe(sent.messageId);
    expect(parsed.headers['content-language']).toBe('fr');
    expect(parsed.headers['auto-submitted']).toBe('auto-generated');
    expect(parsed.subject).toBe('CERTILIENCE : nous avons bien reçu votre demande');
    expect(parsed.text).toContain('au plus tard le 28 décembre 2026');
    expect(parsed.html).toContain('28 décembre 2026');
    expect(parsed.attachments.map((a) => a.filename)).toEqual(['export.json']);
  });

  it('P5 outbox purge deletes .eml files older than the cut-off (the outbox expires)', async () => {
    const outbox = join(tempDir(), 'outbox');
    const mailer = createMailer({ outboxDir: outbox });
    await mailer.send({ to: 'a@example.fr', subject: 'old', text: 'old' });
    const [old] = readdirSync(outbox) as [string];
    utimesSync(join(outbox, old), new Date('2026-01-01T00:00:00Z'), new Date('2026-01-01T00:00:00Z'));
    await mailer.send({ to: 'b@example.fr', subject: 'new', text: 'new' });
    expect(await purgeOutbox(outbox, new Date(Date.now() - 60_000))).toBe(1);
    expect(readdirSync(outbox)).toHaveLength(1);
    expect(await purgeOutbox(join(outbox, 'missing'), new Date())).toBe(0);
  });

  it('P5 SMTP mode: a real SMTP server receives the message; the start-up line hides the password', async () => {
    const mailer = createMailer({ smtpUrl: smtp.url, outboxDir: join(tempDir(), 'outbox') });
    expect(mailer.describe()).toContain('127.0.0.1');
    expect(redactSmtpUrl('smtp://mailer:s3cret@mail.example.fr:587')).toBe('smtp://mailer:***@mail.example.fr:587');
    expect(createMailer({ smtpUrl: 'smtp://mailer:s3cret@mail.example.fr:587', outboxDir: '/tmp/x' }).describe()).not.toContain('s3cret');
    const before = smtp.messages.length;
    const mail = refusalMail({ policy, language: 'en', type: 'erasure', requestId: 'r-2', reason: 'Invoices must be kept for 10 years.' });
    await mailer.send({ to: 'john.smith@example.com', from: { name: policy.controller.name }, subject: mail.subject, text: mail.text, html: mail.html });
    await smtp.waitFor(before + 1);
    const got = smtp.messages[before];
    expect(got?.envelopeTo).toEqual(['john.smith@example.com']);
    expect(got?.subject).toBe('CERTILIENCE: we cannot act on your request');
    for (const fact of CNIL) expect(got?.text).toContain(fact);
    mailer.close();
  });

  it('P5 a bad SMTP_URL fails fast with CONFIG_INVALID', () => {
    expect(() => createMailer({ smtpUrl: 'http://mail.example.fr', outboxDir: '/tmp/x' })).toThrow(/smtp:\/\//);
    expect(() => createMailer({ smtpUrl: 'not a url', outboxDir: '/tmp/x' })).toThrow(/SMTP_URL/);
  });

  it('P5.7 every answer-type template, in French and English, carries the CNIL address, phone and website', () => {
    for (const language of ['fr', 'en'] as const) {
      const rendered = [
        acknowledgementMail({ policy, language, type: 'access', requestId: 'r', receivedOn: '2026-11-26', dueOn: '2026-12-28' }),
        extensionMail({ policy, language, type: 'access', requestId: 'r', reason: 'many systems', firstDueOn: '2026-12-28', newDueOn: '2027-02-26' }),
        answerMail({ policy, language, type: 'access', requestId: 'r', summary: 'Your data is attached.', attachmentNames: ['export.zip'] }),
        refusalMail({ policy, language, type: 'access', requestId: 'r', reason: 'manifestly unfounded' }),
      ];
      for (const m of rendered) {
        for (const fact of CNIL) {
          expect(m.text, `${language} ${m.subject}`).toContain(fact);
          expect(m.html).toContain(fact);
        }
        expect(m.text).toContain('CERTILIENCE');
      }
    }
    const code = identityCodeMail({ policy, language: 'en', type: 'portability', code: '012345', validMinutes: 30 });
    expect(code.text).toContain('012345');
    expect(code.text).toContain('30 minutes');
    expect(code.text).toContain('right to data portability');
  });

  it('P5 HTML bodies escape what they quote', () => {
    const m = refusalMail({ policy, language: 'fr', type: 'access', requestId: 'r', reason: '<script>alert(1)</script>' });
    expect(m.html).not.toContain('<script>');
    expect(m.html).toContain('&lt;script&gt;');
  });
});
