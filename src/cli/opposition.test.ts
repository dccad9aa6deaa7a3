import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../test/cli.js';

let dir: string;
let dataDir: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'rempart-cli-opposition-'));
  dataDir = join(dir, 'data');
  expect((await runCli('migrate', '--data-dir', dataDir)).code).toBe(0);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const run = (...args: string[]) => runCli('opposition', ...args, '--data-dir', dataDir);

describe('rempart opposition', () => {
  it('R-PROS-3 P5.6 add, check (yes/no), import a file, and re-import flags the person at prospect import', async () => {
    expect((await run('add', '--email', ' Refus@Exemple.FR ', '--as', 'marketing')).code).toBe(0);
    expect((await run('check', '--email', 'refus@exemple.fr', '--as', 'sales')).out).toBe('yes');
    expect(JSON.parse((await run('check', '--email', 'other@exemple.fr', '--json', '--as', 'sales')).out)).toEqual({ opposed: false });
    const f = join(dir, 'objections.csv');
    writeFileSync(f, 'email;telephone\nstop1@exemple.fr;\n;06 55 55 55 55\nnot-an-email;\n');
    const imp = await run('import', f, '--json');
    expect(JSON.parse(imp.out)).toEqual({ added: 2, rejected: [{ row: 3, line: 4, field: 'email', reason: 'invalid email' }] });
    expect((await run('check', '--phone', '+33 6 55 55 55 55')).out).toBe('yes');
    const p = join(dir, 'prospects.csv');
    writeFileSync(p, 'nom;email\nStop;stop1@exemple.fr\nGo;go@exemple.fr\n');
    const report = JSON.parse((await runCli('import', 'prospects', p, '--json', '--data-dir', dataDir)).out) as { imported: number; flaggedOpposed: number };
    expect(report).toMatchObject({ imported: 2, flaggedOpposed: 1 });
  }, 120_000);

  it('R-PROS-3 marketing and sales never list; removal is the dpo’s, with a reason, audited', async () => {
    for (const role of ['marketing', 'sales']) {
      const r = await run('list', '--as', role);
      expect(r.code).toBe(1);
      expect(r.err).toMatch(/may not list on the opposition list/);
      expect(r.out).toBe('');
    }
    const sales = await run('remove', '--email', 'refus@exemple.fr', '--reason', 'asked', '--as', 'sales');
    expect(sales.code).toBe(1);
    expect((await run('remove', '--email', 'refus@exemple.fr', '--reason', 'asked')).err).toMatch(/Only the dpo removes an entry/);
    expect((await run('check', '--email', 'refus@exemple.fr')).out).toBe('yes');
    const list = JSON.parse((await run('list', '--json', '--as', 'dpo')).out) as { total: number; items: Record<string, unknown>[] };
    expect(list.total).toBe(3);
    expect(JSON.stringify(list)).not.toMatch(/[0-9a-f]{64}/);
    const dpo = await run('remove', '--email', 'refus@exemple.fr', '--reason', 'the person withdrew the objection (request 42)', '--as', 'dpo');
    expect(dpo.out).toBe('removed 1 entry');
    expect((await run('check', '--email', 'refus@exemple.fr')).out).toBe('no');
    const audit = await runCli('audit', 'verify', '--data-dir', dataDir);
    expect(audit.code).toBe(0);
  }, 120_000);
});
