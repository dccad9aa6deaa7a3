import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../test/cli.js';
import { testEngines } from '../../test/engines.js';
import { openStore, type Store } from '../db/database.js';
import { newId } from '../db/ids.js';
import { DEFAULT_POLICY_FILE, loadPolicy } from '../policy/index.js';
import { recordConsent } from './index.js';

/**
 * `rempart partners` and `rempart transfer create` through the real entry point, on the
 * embedded store (--data-dir) and, with TEST_DATABASE_URL, on a PostgreSQL database of
 * their own (--database-url).
 */
for (const engine of testEngines()) {
  describe(`rempart partners and transfer [${engine}]`, () => {
    let dir: string;
    let storeFlags: string[];
    let pgName: string | null = null;
    const open = (): Promise<Store> =>
      engine === 'pglite' ? openStore({ dataDir: join(dir, 'data'), command: 'test' }) : openStore({ databaseUrl: storeFlags[1]!, command: 'test' });

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'rempart-consent-cli-'));
      if (engine === 'pglite') {
        storeFlags = ['--data-dir', join(dir, 'data')];
      } else {
        const admin = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
        await admin.connect();
        pgName = `rempart_consent_cli_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
        await admin.query(`create database ${pgName}`);
        await admin.end();
        const u = new URL(process.env.TEST_DATABASE_URL as string);
        u.pathname = `/${pgName}`;
        storeFlags = ['--database-url', u.toString()];
      }
      // On PostgreSQL too: the server key lives under the data dir (the opposition list is keyed by it).
      if (engine === 'postgres') storeFlags.push('--data-dir', join(dir, 'data'));
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

    it('P3.1 partners add refuses a recipient outside the EU/EEA without safeguard (exit 1, reason given) and accepts one with SCC', async () => {
      const refused = await runCli('partners', 'add', '--name', 'Rio Dados', '--kind', 'partner', '--country', 'BR', '--email', 'dpo@rio.test', ...storeFlags);
      expect(refused.code).not.toBe(0);
      expect(refused.err).toMatch(/outside the EU\/EEA/);
      const ok = await runCli('partners', 'add', '--name', 'Rio Dados', '--kind', 'partner', '--country', 'BR', '--safeguard', 'scc', '--email', 'dpo@rio.test', ...storeFlags);
      expect(ok.err).toBe('');
      expect(ok.code).toBe(0);
      expect(ok.out).toMatch(/\tRio Dados\tBR\tscc/);
      const list = await runCli('partners', 'list', '--json', ...storeFlags);
      expect(JSON.parse(list.out)).toEqual([expect.objectContaining({ name: 'Rio Dados', transferGround: 'scc' })]);
    }, 300_000);

    it('P1.6 P3.1 transfer create writes a UTF-8 CSV of consenting people only, and exits non-zero with the reason for a refused recipient', async () => {
      const store = await open();
      const policy = await loadPolicy(DEFAULT_POLICY_FILE);
      const fr = newId();
      const lapsed = newId();
      const yes = newId();
      const no = newId();
      try {
        const now = new Date();
        await store.db.insertInto('partners').values([
          { id: fr, name: 'Groupe FR', kind: 'group_company', country: 'FR', transferGround: 'eu_eea', purposes: '["file_sharing"]', email: 'dpo@groupe.test', createdAt: now },
          // Registered under an adequacy decision that no longer holds (as if withdrawn since).
          { id: lapsed, name: 'Lapsed', kind: 'partner', country: 'BR', transferGround: 'adequacy', purposes: '["file_sharing"]', email: 'dpo@lapsed.test', createdAt: now },
        ]).execute();
        await store.db.insertInto('people').values([
          { id: yes, relation: 'client_contact', lastName: 'Éloïse', firstName: 'Zoé', email: 'eloise@example.test', phones: '[]', postalAddresses: '[]', source: 'test', collectedAt: now },
          { id: no, relation: 'client_contact', lastName: 'Non', firstName: 'Pas', email: 'non@example.test', phones: '[]', postalAddresses: '[]', source: 'test', collectedAt: now },
        ]).execute();
        const deps = { db: store.db, policy, now: () => new Date(Date.now() - 1000), serverKey: Buffer.alloc(32, 1) };
        await recordConsent(deps, { personId: yes, partnerId: fr, state: 'given', channel: 'paper', collector: 'cli:test' });
        await recordConsent(deps, { personId: no, partnerId: fr, state: 'refused', channel: 'paper', collector: 'cli:test' });
      } finally {
        await store.close();
      }
      const out = join(dir, 'groupe.csv');
      const r = await runCli('transfer', 'create', '--recipient', fr, '--out', out, ...storeFlags);
      expect(r.err).toBe('');
      expect(r.code).toBe(0);
      expect(r.out).toMatch(/1 person\(s\)/);
      const csv = readFileSync(out, 'utf8');
      expect(csv.split('\r\n')[0]).toBe('lastName,firstName,email,phone,jobTitle,organisation');
      expect(csv).toContain('Éloïse,Zoé,eloise@example.test');
      expect(csv).not.toContain('non@example.test');

      const refused = await runCli('transfer', 'create', '--recipient', lapsed, '--out', join(dir, 'lapsed.csv'), ...storeFlags);
      expect(refused.code).not.toBe(0);
      expect(refused.err).toMatch(/Transfer refused: .*outside the EU\/EEA/);
      const unknown = await runCli('transfer', 'create', '--recipient', newId(), '--out', join(dir, 'x.csv'), ...storeFlags);
      expect(unknown.code).not.toBe(0);
      expect(unknown.err).toMatch(/not found/);
    }, 300_000);
  });
}
