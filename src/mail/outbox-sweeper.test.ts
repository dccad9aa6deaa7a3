import { mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config.js';
import { startOutboxSweeper } from './outbox-sweeper.js';
import { createMailer } from './mailer.js';

const dir = mkdtempSync(join(tmpdir(), 'rempart-outbox-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('outbox sweeper', () => {
  it('P5.3 outbox files (codes, exports) are deleted once older than the configured bound, the fresh kept', async () => {
    const mailer = createMailer({ outboxDir: dir });
    await mailer.send({ to: 'sweep@example.fr', subject: 'Votre code', text: 'code 123456' });
    await mailer.send({ to: 'sweep@example.fr', subject: 'Votre copie', text: 'export' });
    const [old, fresh] = readdirSync(dir).sort();
    expect(fresh).toBeDefined();
    const now = new Date();
    const twoDaysAgo = new Date(now.getTime() - 48 * 3600_000);
    utimesSync(join(dir, old ?? ''), twoDaysAgo, twoDaysAgo);
    writeFileSync(join(dir, 'note.txt'), 'not mail'); // not an .eml: left alone
    const stop = startOutboxSweeper({ outboxDir: dir, keepMs: 24 * 3600_000, now: () => now, intervalMs: 60_000 });
    await expect.poll(() => readdirSync(dir).sort()).toEqual([fresh, 'note.txt'].sort());
    stop();
  });

  it('P5.3 the bound is REMPART_OUTBOX_KEEP_HOURS, default 24, checked at start', () => {
    expect(loadConfig({}, {}).outboxKeepHours).toBe(24);
    expect(loadConfig({}, { REMPART_OUTBOX_KEEP_HOURS: '2' }).outboxKeepHours).toBe(2);
    for (const bad of ['0', '721', 'day', '-1']) expect(() => loadConfig({}, { REMPART_OUTBOX_KEEP_HOURS: bad })).toThrow(/problem/);
  });
});
