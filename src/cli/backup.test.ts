import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../test/cli.js';
import { testEngines } from '../../test/engines.js';

const dirs: string[] = [];
const databases: string[] = [];
afterAll(async () => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  const url = process.env.TEST_DATABASE_URL;
  if (!url) return;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  for (const name of databases) await admin.query(`drop database if exists ${name} with (force)`);
  await admin.end();
});

/** The flags that point the CLI at a fresh store on the engine. */
async function freshTarget(engine: string, dir: string): Promise<string[]> {
  if (engine === 'pglite') return ['--data-dir', dir];
  const url = process.env.TEST_DATABASE_URL!;
  const name = `rempart_bk_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  databases.push(name);
  const u = new URL(url);
  u.pathname = `/${name}`;
  // The data dir still holds the server key and the journal's copy.
  return ['--database-url', u.toString(), '--data-dir', dir];
}

for (const engine of testEngines()) {
  describe(`rempart backup | restore [${engine}]`, () => {
    it('P5.3 after a restore, `subject scan` is clean for a person erased after the backup was taken', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'rempart-cli-backup-'));
      dirs.push(dir);
      const target = await freshTarget(engine, dir);
      const email = 'bruno.sauvegarde@client.fr';
      const other = 'claire.restauree@client.fr';
      for (const [lastName, e] of [['Sauvegarde', email], ['Restaurée', other]] as const) {
        const created = await runCli('record', 'create', 'people', ...target, '--data', JSON.stringify({ lastName, firstName: 'Test', email: e }));
        expect(created.code, created.err).toBe(0);
      }
      const file = join(dir, 'backup.rmpbak');
      const backup = await runCli('backup', '--out', file, ...target);
      expect(backup.code, backup.err).toBe(0);
      expect(backup.out.trim().split('\n').at(-1)).toBe(file);
      expect(backup.out).not.toContain(email);

      const erased = await runCli('subject', 'erase', '--email', email, '--reason', 'request R-1', ...target);
      expect(erased.code, erased.err).toBe(0);
      const restored = await runCli('restore', file, ...target);
      expect(restored.code, restored.err).toBe(0);
      expect(restored.out).toMatch(/replayed\s+1 erasure\(s\).*1 person record\(s\) erased again/);

      const scan = await runCli('subject', 'scan', '--email', email, ...target);
      expect(scan.code, scan.out).toBe(0);
      const back = await runCli('subject', 'scan', '--email', other, ...target);
      expect(back.code, 'the other person came back with the backup').toBe(1);
      const verify = await runCli('audit', 'verify', ...target);
      expect(verify.code, verify.out + verify.err).toBe(0);
    }, 120_000);

    it('a restore without the server key the backup was made with says so and touches nothing', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'rempart-cli-backup-'));
      const empty = mkdtempSync(join(tmpdir(), 'rempart-cli-backup-'));
      dirs.push(dir, empty);
      const target = await freshTarget(engine, dir);
      expect((await runCli('record', 'create', 'people', ...target, '--data', JSON.stringify({ lastName: 'Clé' }))).code).toBe(0);
      const file = join(dir, 'b.rmpbak');
      expect((await runCli('backup', '--out', file, ...target)).code).toBe(0);
      const other = await freshTarget(engine, empty);
      const res = await runCli('restore', file, ...other);
      expect(res.code).not.toBe(0);
      expect(res.err).toMatch(/needs the server key/);
    }, 120_000);
  });
}
