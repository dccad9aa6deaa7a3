import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command, CommanderError } from 'commander';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { verifyPassword } from '../access/auth/password.js';
import { hashEnrolmentCode } from '../access/auth/enrolment-codes.js';
import { sha256Hex } from '../access/auth/secrets.js';
import { formatProblems } from '../config.js';
import { openStore } from '../db/database.js';
import { isRempartError } from '../errors.js';
import { parseExpiry, registerTokenCommands } from './tokens.js';
import { registerUserCommands } from './users.js';

/** What `--password-stdin` reads: standard input (fd 0) is replaced, every other read goes through. */
const stdin = vi.hoisted(() => ({ text: '' }));
vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs')>();
  const readFileSync = ((file: Parameters<typeof fs.readFileSync>[0], options?: Parameters<typeof fs.readFileSync>[1]) =>
    file === 0 ? stdin.text : fs.readFileSync(file, options)) as typeof fs.readFileSync;
  return { ...fs, readFileSync, default: { ...fs, readFileSync } };
});

const dir = mkdtempSync(join(tmpdir(), 'rempart-users-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs `rempart user|token …` in-process (the commands main.ts will mount) and captures stdout and stderr. */
async function run(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let code = 0;
  const program = new Command('rempart').exitOverride();
  registerUserCommands(program, (c) => (code = c));
  registerTokenCommands(program, (c) => (code = c));
  const out: string[] = [];
  const err: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
  const error = vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void err.push(a.join(' ')));
  try {
    await program.parseAsync(['node', 'rempart', ...args, '--data-dir', dir]);
  } catch (e) {
    if (e instanceof CommanderError) code = e.exitCode;
    else if (isRempartError(e)) {
      err.push(formatProblems(e));
      code = 1;
    } else throw e;
  } finally {
    log.mockRestore();
    error.mockRestore();
  }
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('rempart user and token commands', () => {
  it('P2.1 user add prints a generated password once, on the last line; user list shows no secret; duplicates and bad roles fail', async () => {
    const added = await run('user', 'add', '--email', 'dpo@example.fr', '--role', 'dpo');
    expect(added.code, added.err).toBe(0);
    const lines = added.out.trim().split('\n');
    const password = lines.at(-1) ?? '';
    expect(password).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(lines[0]).toMatch(/^account [0-9a-f-]{36} created for dpo@example\.fr, role dpo$/);
    const enrolmentCode = /TOTP enrolment code .*: ([a-z2-7]{5}(?:-[a-z2-7]{5}){3})$/.exec(lines[1] ?? '')?.[1] ?? '';
    expect(enrolmentCode, lines[1]).not.toBe('');

    const again = await run('user', 'add', '--email', 'DPO@example.fr', '--role', 'dpo');
    expect(again.code).toBe(1);
    expect(again.err).toMatch(/already exists/);
    const badRole = await run('user', 'add', '--email', 'x@example.fr', '--role', 'wizard');
    expect(badRole.code).toBe(1);
    expect(badRole.err).toMatch(/role: must be one of: .*dpo/);
    const unscoped = await run('user', 'add', '--email', 'y@example.fr', '--role', 'subcontractor');
    expect(unscoped.code).toBe(1);
    expect(unscoped.err).toMatch(/scopeOrganisationId: is required/);

    const listed = await run('user', 'list');
    expect(listed.code).toBe(0);
    const accounts = JSON.parse(listed.out) as Array<{ id: string; email: string; role: string }>;
    expect(accounts).toHaveLength(1);
    expect(accounts[0]).toMatchObject({ email: 'dpo@example.fr', role: 'dpo', totpEnabled: false });
    expect(listed.out).not.toMatch(/argon2|password/i);

    const store = await openStore({ dataDir: dir, command: 'test' });
    try {
      const row = await store.db.selectFrom('accounts').select(['passwordHash', 'enrolmentCodeHash', 'enrolmentCodeExpiresAt']).executeTakeFirstOrThrow();
      expect(row.passwordHash).toMatch(/^\$argon2id\$/);
      expect(await verifyPassword(row.passwordHash, password)).toBe(true);
      // Only the digest of the enrolment code is kept, and it expires.
      expect(row.enrolmentCodeHash).toBe(hashEnrolmentCode(enrolmentCode));
      expect(row.enrolmentCodeExpiresAt?.getTime()).toBeGreaterThan(Date.now());
    } finally {
      await store.close();
    }

    // An administrator issues a new code; it replaces the first.
    const reissued = await run('user', 'enrolment-code', accounts[0]?.id ?? '');
    expect(reissued.code, reissued.err).toBe(0);
    const newCode = /: ([a-z2-7-]{23})$/.exec(reissued.out.trim())?.[1] ?? '';
    expect(newCode).not.toBe(enrolmentCode);
    const check = await openStore({ dataDir: dir, command: 'test' });
    try {
      const row = await check.db.selectFrom('accounts').select('enrolmentCodeHash').executeTakeFirstOrThrow();
      expect(row.enrolmentCodeHash).toBe(hashEnrolmentCode(newCode));
    } finally {
      await check.close();
    }
    expect((await run('user', 'enrolment-code', '00000000-0000-7000-8000-000000000000')).code).toBe(1);

    const disabled = await run('user', 'disable', accounts[0]?.id ?? '');
    expect(disabled.out).toMatch(/disabled/);
    const afterDisable = await run('user', 'enrolment-code', accounts[0]?.id ?? '');
    expect(afterDisable.code).toBe(1);
    expect(afterDisable.err).toMatch(/disabled/);
  }, 60_000);

  it('P2.1 user add --password-stdin takes the password from standard input, prints none, and refuses a short one', async () => {
    stdin.text = 'short\n';
    const short = await run('user', 'add', '--email', 'it@example.fr', '--role', 'it', '--password-stdin');
    expect(short.code).toBe(1);
    expect(short.err).toMatch(/at least 12 characters/);
    stdin.text = 'a long enough passphrase\n';
    const added = await run('user', 'add', '--email', 'it@example.fr', '--role', 'it', '--password-stdin');
    expect(added.code, added.err).toBe(0);
    // The account line and the enrolment code; no password.
    expect(added.out.trim().split('\n')).toHaveLength(2);
    expect(added.out).toMatch(/TOTP enrolment code/);
    const store = await openStore({ dataDir: dir, command: 'test' });
    try {
      const row = await store.db.selectFrom('accounts').select('passwordHash').where('email', '=', 'it@example.fr').executeTakeFirstOrThrow();
      expect(await verifyPassword(row.passwordHash, 'a long enough passphrase')).toBe(true);
    } finally {
      await store.close();
    }
  }, 60_000);

  it('P2.2 token create prints the token alone on its last line; list never shows it; revoke ends it', async () => {
    const created = await run('token', 'create', '--role', 'sales', '--name', 'ERP sync', '--expires', '2099-01-31');
    expect(created.code, created.err).toBe(0);
    const token = created.out.trim().split('\n').at(-1) ?? '';
    expect(token).toMatch(/^rmp_[A-Za-z0-9_-]{43}$/);
    expect(created.out).toMatch(/expires 2099-01-31T00:00:00\.000Z/);

    const listed = await run('token', 'list');
    const tokens = JSON.parse(listed.out) as Array<{ id: string; name: string; revokedAt: string | null }>;
    expect(tokens).toHaveLength(1);
    expect(tokens[0]).toMatchObject({ name: 'ERP sync', role: 'sales', revokedAt: null });
    expect(listed.out).not.toContain(token);
    expect(listed.out).not.toContain(sha256Hex(token));

    const revoked = await run('token', 'revoke', tokens[0]?.id ?? '');
    expect(revoked.code).toBe(0);
    expect(JSON.parse((await run('token', 'list')).out)[0].revokedAt).not.toBeNull();
    expect((await run('token', 'revoke', '00000000-0000-7000-8000-000000000000')).code).toBe(1);

    const past = await run('token', 'create', '--role', 'sales', '--name', 'old', '--expires', '2001-01-01');
    expect(past.code).toBe(1);
    expect(past.err).toMatch(/future/);
  }, 60_000);

  it('--expires takes a date or a date and time with its offset, nothing vaguer', () => {
    expect(parseExpiry('2027-01-31').toISOString()).toBe('2027-01-31T00:00:00.000Z');
    expect(parseExpiry('2027-01-31T18:00:00+01:00').toISOString()).toBe('2027-01-31T17:00:00.000Z');
    expect(() => parseExpiry('tomorrow')).toThrow(/not a date/);
    expect(() => parseExpiry('2027-01-31T18:00:00')).toThrow();
    expect(() => parseExpiry('2027-02-31')).toThrow();
  });
});
