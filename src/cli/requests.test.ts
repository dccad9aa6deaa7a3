import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../db/database.js';
import { createMailer } from '../mail/index.js';
import { DEFAULT_POLICY_FILE, loadPolicy } from '../policy/index.js';
import { answerDeadline, openRequest, parisDate } from '../rights/requests/index.js';
import { runCli } from '../../test/cli.js';

let dataDir: string;
const ids: string[] = [];
// Received 400 days ago: overdue whatever day the test runs.
const longAgo = new Date(Date.now() - 400 * 86_400_000);

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'rempart-cli-requests-'));
  const store = await openStore({ dataDir, command: 'test' });
  try {
    const deps = {
      db: store.db,
      policy: await loadPolicy(DEFAULT_POLICY_FILE),
      mailer: createMailer({ outboxDir: join(dataDir, 'outbox') }),
      serverKey: Buffer.alloc(32, 1),
    };
    ids.push((await openRequest({ ...deps, now: () => longAgo }, { type: 'erasure', email: 'old.one@example.fr', language: 'fr', channel: 'letter' })).id);
    ids.push((await openRequest({ ...deps, now: () => new Date() }, { type: 'access', email: 'new.one@example.fr', language: 'en', channel: 'portal' })).id);
    // Both are being handled (the CLI lists by deadline those whose clock runs).
    await store.db.updateTable('rightsRequests').set({ state: 'in_progress' }).execute();
  } finally {
    await store.close();
  }
});
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

const run = async (...args: string[]) => {
  const { code, out } = await runCli('requests', 'list', '--data-dir', dataDir, ...args);
  return { code, out };
};

describe('rempart requests list', () => {
  it('P5 lists ids, types, states and due dates, never an email; --overdue keeps the late ones; --json', async () => {
    const [old, recent] = ids as [string, string];
    const all = await run();
    expect(all.code).toBe(0);
    expect(all.out).toContain(old);
    expect(all.out).toContain(recent);
    expect(all.out).toMatch(new RegExp(`erasure\\s+in_progress\\s+${parisDate(longAgo)}\\s+${answerDeadline(longAgo)}`));
    expect(all.out).not.toContain('@');
    const overdue = await run('--overdue');
    expect(overdue.out).toContain(old);
    expect(overdue.out).toContain('OVERDUE');
    expect(overdue.out).not.toContain(recent);
    const json = JSON.parse((await run('--overdue', '--json')).out) as { items: { id: string; type: string; dueAt: string; overdue: boolean }[] };
    expect(json.items).toEqual([expect.objectContaining({ id: old, type: 'erasure', dueAt: answerDeadline(longAgo), overdue: true })]);
    expect(JSON.stringify(json)).not.toContain('@');
  });
});
