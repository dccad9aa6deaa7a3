import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { sql } from 'kysely';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { registerAuditCommands } from '../../cli/audit.js';
import { openStore } from '../../db/database.js';
import { appendInTransaction } from './index.js';
import { auditKeyFile } from './keys.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** Runs `rempart audit …` in-process with only the audit commands registered. */
async function run(...args: string[]): Promise<{ code: number; out: string }> {
  let code = -1;
  const program = new Command('rempart').exitOverride();
  registerAuditCommands(program, (c) => {
    code = c;
  });
  const out: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
  try {
    await program.parseAsync(['node', 'rempart', ...args]);
  } finally {
    log.mockRestore();
  }
  return { code, out: out.join('\n') };
}

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
