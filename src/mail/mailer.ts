import { randomBytes } from 'node:crypto';
import { mkdir, readdir, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import type Mail from 'nodemailer/lib/mailer/index.js';
import { RempartError } from '../errors.js';

/** A file attached to a message (an access export, a portability archive…). */
export interface MailAttachment {
  readonly filename: string;
  readonly content: Buffer;
  readonly contentType?: string;
}

/** Who a message is from: the controller's name (policy.controller.name) and, when known, an address. */
export interface MailSender {
  readonly name: string;
  readonly address?: string;
}

/** One message to send. */
export interface MailMessage {
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  readonly html?: string;
  readonly from?: MailSender;
  /** Extra headers (`Content-Language`, `Auto-Submitted`…). */
  readonly headers?: Readonly<Record<string, string>>;
  readonly attachments?: readonly MailAttachment[];
}

/** Sends mail, through SMTP or into the outbox folder. */
export interface Mailer {
  /** Sends one message; resolves once the SMTP server accepted it or the .eml file is written. */
  send(message: MailMessage): Promise<{ readonly messageId: string }>;
  /** One line for the server's start-up output: where messages go (never a password). */
  describe(): string;
  /** Closes SMTP connections. */
  close(): void;
}

/** How to build a mailer. */
export interface MailerOptions {
  /** `smtp://user:pass@host:port` or `smtps://…` (env SMTP_URL); absent: the outbox. */
  readonly smtpUrl?: string;
  /** `<data-dir>/outbox`: where .eml files go when there is no SMTP server. */
  readonly outboxDir: string;
  /** The envelope sender when a message's `from` has no address (default `no-reply@localhost`). */
  readonly fromAddress?: string;
}

const DEFAULT_FROM_ADDRESS = 'no-reply@localhost';

/** The SMTP URL with its password replaced, fit for a log line. */
export function redactSmtpUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password !== '') u.password = '***';
    return u.toString();
  } catch {
    return '(unparsable SMTP_URL)';
  }
}

function toNodemailer(message: MailMessage, fromAddress: string): Mail.Options {
  const name = message.from?.name ?? '';
  const address = message.from?.address !== undefined && message.from.address !== '' ? message.from.address : fromAddress;
  return {
    from: name === '' ? address : { name, address },
    to: message.to,
    subject: message.subject,
    text: message.text,
    ...(message.html === undefined ? {} : { html: message.html }),
    // RFC 3834: an automatic message, so that vacation responders do not answer it.
    headers: { 'Auto-Submitted': 'auto-generated', ...message.headers },
    attachments: (message.attachments ?? []).map((a) => ({
      filename: a.filename,
      content: a.content,
      ...(a.contentType === undefined ? {} : { contentType: a.contentType }),
    })),
  };
}

/**
 * Builds the mailer: SMTP through nodemailer when `smtpUrl` is set, otherwise each
 * message is written as an RFC 5322 `.eml` file into `outboxDir` (mode 0600: the files
 * hold personal data, GDPR Art. 32), where an operator can read or forward them.
 */
export function createMailer(options: MailerOptions): Mailer {
  const fromAddress = options.fromAddress ?? DEFAULT_FROM_ADDRESS;
  const smtpUrl = options.smtpUrl?.trim() ?? '';
  if (smtpUrl !== '') {
    let parsed: URL;
    try {
      parsed = new URL(smtpUrl);
    } catch (e) {
      throw new RempartError('CONFIG_INVALID', 'SMTP_URL is not a URL such as smtp://user:password@host:587.', { cause: e });
    }
    if (parsed.protocol !== 'smtp:' && parsed.protocol !== 'smtps:') {
      throw new RempartError('CONFIG_INVALID', `SMTP_URL must start with smtp:// or smtps://, not ${parsed.protocol}//.`);
    }
    const transport = nodemailer.createTransport(smtpUrl);
    return Object.freeze({
      async send(message: MailMessage) {
        const info = (await transport.sendMail(toNodemailer(message, fromAddress))) as { messageId: string };
        return { messageId: info.messageId };
      },
      describe: () => `mail: sent through SMTP at ${redactSmtpUrl(smtpUrl)}`,
      close: () => transport.close(),
    });
  }

  // CRLF line ends: RFC 5322 §2.1; mail clients open such a file as it is.
  const stream = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'windows' });
  return Object.freeze({
    async send(message: MailMessage) {
      const info = await stream.sendMail(toNodemailer(message, fromAddress));
      const content = info.message;
      if (!Buffer.isBuffer(content)) throw new RempartError('INTERNAL', 'The mail stream transport returned no buffer.');
      await mkdir(options.outboxDir, { recursive: true, mode: 0o700 });
      // Named by time and a random suffix, never by the recipient: no address in a file name.
      const name = `${new Date().toISOString().replace(/[:.]/g, '-')}-${randomBytes(6).toString('hex')}.eml`;
      await writeFile(join(options.outboxDir, name), content, { mode: 0o600, flag: 'wx' });
      return { messageId: info.messageId };
    },
    describe: () => `mail: no SMTP_URL set; messages are written as .eml files into ${options.outboxDir}`,
    close: () => undefined,
  });
}

/**
 * Deletes outbox `.eml` files last written before `before`: the outbox is a file store
 * of personal data with an expiry (OUTBOX_STORE), not an archive (GDPR Art. 5(1)(e)).
 * Returns how many files were deleted.
 */
export async function purgeOutbox(outboxDir: string, before: Date): Promise<number> {
  let names: string[];
  try {
    names = await readdir(outboxDir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw e;
  }
  let deleted = 0;
  for (const name of names) {
    if (!name.endsWith('.eml')) continue;
    const file = join(outboxDir, name);
    if ((await stat(file)).mtime < before) {
      await unlink(file);
      deleted++;
    }
  }
  return deleted;
}
