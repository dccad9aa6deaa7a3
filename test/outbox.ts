import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseMail, type CapturedMail } from './smtp-capture.js';

/** Every message of a demo outbox (`<data dir>/outbox/*.eml`) sent to `address`, oldest first. */
export function outboxMailsTo(outboxDir: string, address: string): CapturedMail[] {
  if (!existsSync(outboxDir)) return [];
  return readdirSync(outboxDir)
    .filter((f) => f.endsWith('.eml'))
    .map((f) => ({ path: join(outboxDir, f), at: statSync(join(outboxDir, f)).mtimeMs }))
    .sort((a, b) => a.at - b.at || a.path.localeCompare(b.path))
    .map((f) => parseMail(readFileSync(f.path, 'utf8')))
    .filter((m) => (m.headers.to ?? '').toLowerCase().includes(address.toLowerCase()));
}

/**
 * The one-time code of the newest identity-code message to `address` (a line of six
 * digits in the text, as a person reads it), waiting up to `timeoutMs` for it to arrive.
 */
export async function codeFromOutbox(outboxDir: string, address: string, options: { readonly after?: number; readonly timeoutMs?: number } = {}): Promise<string> {
  const deadline = Date.now() + (options.timeoutMs ?? 5000);
  for (;;) {
    const mails = outboxMailsTo(outboxDir, address).slice(options.after ?? 0);
    const codes = mails.map((m) => /^\s*(\d{6})\s*$/m.exec(m.text)?.[1]).filter((c): c is string => c !== undefined);
    if (codes.length > 0) return codes[codes.length - 1]!;
    if (Date.now() > deadline) throw new Error(`no code mailed to the test address in ${outboxDir}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
