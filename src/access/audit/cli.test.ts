import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { runCli } from '../../../test/cli.js';
import { openStore } from '../../db/database.js';
import { appendInTransaction } from './index.js';
import { auditKeyFile } from './keys.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const run = async (...args: string[]) => {
  const { code, out } = await runCli(...args);
  return { code, out };
};

describe('rempart audit', () => {
  it('P2.5 verify says ok with the count, then exit 1 naming the first bad entry; checkpoint signs', async () => {
    vi.stubEnv('REMPART_AUDIT_SIGNING_KEY', '');
    const dataDir = mkdtempSync(join(tmpdir(), 'rempart-audit-cli-'));
    dirs.push(dataDir);
    expect(await run('audit', 'verify', '--data-dir', dataDir)).toEqual({ code: 0, out: 'ok: 0 entries' });

    const store = await openStore({ dataDir, command: 'test' });
    const at = new Date('2026-11-26T10:00:00Z');
    await appendInTransaction(
      store.db,
      [1, 2, 3, 4].map((i) => ({ at, actor: 'cli:test', role: null, purpose: 'crm', action: 'read' as const, resource: 'people', recordIds: [`r${i}`], personIds: [`p${i}`], fields: ['email'] })),
    );
    await store.close();

    expect(await run('audit', 'verify', '--data-dir', dataDir)).toEqual({ code: 0, out: 'ok: 4 entries' });
    expect(await run('audit', 'checkpoint', '--data-dir', dataDir)).toMatchObject({ code: 0, out: expect.stringMatching(/^checkpoint at entry 4: [0-9a-f]{64}$/) });
    expect(existsSync(auditKeyFile(dataDir))).toBe(true);

    const tamper = await openStore({ dataDir, command: 'test' });
    await tamper.db.transaction().execute(async (tx) => {
      await sql`alter table audit_entries disable trigger user`.execute(tx);
      await sql`update audit_entries set fields = array['email', 'phones'] where seq = 2`.execute(tx);
      await sql`alter table audit_entries enable trigger user`.execute(tx);
    });
    await tamper.close();
    const broken = await run('audit', 'verify', '--data-dir', dataDir);
    expect(broken.code).toBe(1);
    expect(broken.out).toMatch(/^audit chain broken at entry 2: altered /);
    vi.unstubAllEnvs();
  });
});
