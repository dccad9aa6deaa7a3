import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../test/cli.js';
import { createToken } from '../access/auth/index.js';
import { openStore } from '../db/database.js';
import { loadPolicy } from '../policy/index.js';

/*
 * Issue 16, item 8: the operating commands beside a running `rempart serve` on the
 * embedded database, which holds it alone (docs/adr/0002). A real server process is
 * started on a data dir; the commands run in this process against the same dir.
 * PGlite only: a PostgreSQL database is shared and never locked.
 */
describe('the command line beside a running server (issue 16 item 8)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rempart-beside-'));
  let server: ChildProcess | undefined;
  let url = '';
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    // Tokens are made while the server is stopped: it then holds the store.
    const policy = await loadPolicy('policies/certilience.yaml');
    const store = await openStore({ dataDir: dir, command: 'test setup' });
    try {
      for (const role of ['dpo', 'sales']) tokens[role] = (await createToken(store.db, policy, { role, name: `cli ${role}` })).token;
    } finally {
      await store.close();
    }
    const code = "const { main } = await import('./src/cli/main.ts'); process.exitCode = await main(process.argv);";
    server = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code, 'rempart', 'serve', '--data-dir', dir, '--port', '0'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, LOG_LEVEL: 'silent', REMPART_AUDIT_SIGNING_KEY: undefined, SMTP_URL: undefined },
    });
    let err = '';
    server.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    url = await new Promise<string>((resolve, reject) => {
      createInterface({ input: server!.stdout! }).on('line', (l) => {
        const m = /^Rempart is running at (\S+)$/.exec(l);
        if (m?.[1]) resolve(m[1].replace(/\/$/, ''));
      });
      server!.on('exit', (c) => reject(new Error(`the server exited (${c}): ${err.slice(0, 2000)}`)));
    });
  }, 120_000);

  afterAll(async () => {
    if (server && server.exitCode === null) {
      const exited = new Promise((r) => server!.once('exit', r));
      server.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  }, 30_000);

  it('a command that needs the store says in one sentence what to do instead, naming the server, its URL and --api', async () => {
    const r = await runCli('requests', 'list', '--data-dir', dir);
    expect(r.code).toBe(1);
    const line = r.err.trim();
    expect(line.split('\n')).toHaveLength(1);
    expect(line).toContain(`The server (rempart serve, pid ${server!.pid}) holds the embedded database in ${dir}: stop it and run \`rempart requests list\` again`);
    expect(line).toContain(`--api ${url} --token rmp_…`);
    // A command with no API form says where to do it instead.
    const scan = await runCli('subject', 'scan', '--email', 'nobody@example.fr', '--data-dir', dir);
    expect(scan.code).toBe(1);
    expect(scan.err).toContain('holds the embedded database');
    expect(scan.err).toContain('or do it in the back office or through the HTTP API');
    expect(scan.err).not.toContain('nobody@example.fr');
  });

  it('requests list, retention plan and audit verify run through the running server with a token', async () => {
    const list = await runCli('requests', 'list', '--api', url, '--token', tokens.dpo!, '--json');
    expect(list.err).toBe('');
    expect(list.code).toBe(0);
    expect(JSON.parse(list.out)).toEqual({ items: [] });
    const plan = await runCli('retention', 'plan', '--at', '2027-01-31', '--api', url, '--token', tokens.dpo!, '--json');
    expect(plan.code).toBe(0);
    expect(JSON.parse(plan.out)).toMatchObject({ at: '2027-01-31', due: expect.any(Array), upcoming: { '30': expect.any(Array) } });
    // The dpo's grants reach the connection logs, so it may verify the chain; the outcome is recorded by the server.
    const verify = await runCli('audit', 'verify', '--api', url, '--token', tokens.dpo!);
    expect(verify.code).toBe(0);
    expect(verify.out).toMatch(/^ok: \d+ entries$/);
  });

  it("through the API the token role's grants apply, and a bad token or address is one clear line", async () => {
    const sales = await runCli('requests', 'list', '--api', url, '--token', tokens.sales!);
    expect(sales.code).toBe(1);
    expect(sales.err).toMatch(/FORBIDDEN|does not handle requests/);
    const bad = await runCli('audit', 'verify', '--api', url, '--token', 'rmp_nottoken');
    expect(bad.code).toBe(1);
    expect(bad.err).toContain(url);
    const noToken = await runCli('retention', 'plan', '--api', url);
    expect(noToken.code).toBe(1);
    expect(noToken.err).toContain('--api needs --token');
    const nobody = await runCli('requests', 'list', '--api', 'http://127.0.0.1:9', '--token', tokens.dpo!);
    expect(nobody.code).toBe(1);
    expect(nobody.err).toContain('No server answers at http://127.0.0.1:9');
  });
});
