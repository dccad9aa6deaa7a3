import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../test/cli.js';
import { testEngines } from '../../test/engines.js';
import { openStore, type Store } from '../db/database.js';
import { newId } from '../db/ids.js';

/**
 * `rempart consent record|withdraw|show` (consent to the controller's own email
 * prospecting and open tracking) through the real entry point, on the embedded store and,
 * with TEST_DATABASE_URL, on a PostgreSQL database of its own.
 */
for (const engine of testEngines()) {
  describe(`rempart consent [${engine}]`, () => {
    let dir: string;
    let storeFlags: string[];
    let pgName: string | null = null;
    const open = (): Promise<Store> =>
      engine === 'pglite' ? openStore({ dataDir: join(dir, 'data'), command: 'test' }) : openStore({ databaseUrl: storeFlags[1]!, command: 'test' });

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'rempart-consent-scope-cli-'));
      if (engine === 'pglite') {
        storeFlags = ['--data-dir', join(dir, 'data')];
      } else {
        const admin = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
        await admin.connect();
        pgName = `rempart_consent_scope_cli_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
        await admin.query(`create database ${pgName}`);
        await admin.end();
        const u = new URL(process.env.TEST_DATABASE_URL as string);
        u.pathname = `/${pgName}`;
        storeFlags = ['--database-url', u.toString(), '--data-dir', join(dir, 'data')];
      }
    }, 300_000);
    afterAll(async () => {
      rmSync(dir, { recursive: true, force: true });
      if (pgName !== null) {
        const admin = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
        await admin.connect();
        await admin.query(`drop database if exists ${pgName} with (force)`);
        await admin.end();
      }
    });

    it('R-PROS-6 R-PROS-10 consent record with its proof source, show, and withdraw in one step', async () => {
      expect((await runCli('migrate', ...storeFlags)).code).toBe(0);
      const id = newId();
      const store = await open();
      try {
        await store.db.insertInto('people').values({ id, relation: 'prospect', purpose: 'prospecting', lastName: 'Papier', firstName: 'Léa', email: 'lea.papier@gmail.com', phones: '[]', postalAddresses: '[]', source: 'salon', collectedAt: new Date() }).execute();
      } finally {
        await store.close();
      }
      const noProof = await runCli('consent', 'record', '--person', id, '--scope', 'email_prospecting', '--channel', 'import', ...storeFlags);
      expect(noProof.code).not.toBe(0);
      expect(noProof.err).toMatch(/proof/);
      const at = '2026-10-17T09:30:00.000Z';
      const ok = await runCli('consent', 'record', '--person', id, '--scope', 'email_prospecting', '--channel', 'import', '--at', at, '--evidence', 'salon.csv row 3, column optin: stand form', ...storeFlags);
      expect(ok.err).toBe('');
      expect(ok.code).toBe(0);
      expect(ok.out).toMatch(new RegExp(`\\temail_prospecting\\tgiven\\t${at.replace(/\./g, '\\.')}`));
      const shown = JSON.parse((await runCli('consent', 'show', '--person', id, '--json', ...storeFlags)).out) as { active: Record<string, boolean>; history: { channel: string; evidence: string | null }[] };
      expect(shown.active).toEqual({ email_prospecting: true, open_tracking: false });
      expect(shown.history).toEqual([expect.objectContaining({ channel: 'import', evidence: 'salon.csv row 3, column optin: stand form' })]);
      const w = await runCli('consent', 'withdraw', '--person', id, '--scope', 'email_prospecting', '--channel', 'phone', ...storeFlags);
      expect(w.code).toBe(0);
      const after = JSON.parse((await runCli('consent', 'show', '--person', id, '--json', ...storeFlags)).out) as { active: Record<string, boolean>; history: { state: string; channel: string }[] };
      expect(after.active.email_prospecting).toBe(false);
      expect(after.history.map((e) => [e.state, e.channel])).toEqual([
        ['given', 'import'],
        ['withdrawn', 'phone'],
      ]);
    }, 300_000);
  });
}
