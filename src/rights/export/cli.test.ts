import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../test/cli.js';
import { openStore } from '../../db/database.js';
import type { AccessExport } from './access-export.js';
import { seedPersonEverywhere, type SeededPerson } from './test-support.js';
import { unpackArchive } from './zip.js';

/** Runs `rempart subject …` on a command tree holding only the subject export command. */
const run = (args: readonly string[]) => runCli('subject', ...args);

describe('rempart subject export (P5.1, P5.5)', () => {
  let dir: string;
  let dataDir: string;
  let seeded: SeededPerson;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'rempart-export-'));
    dataDir = join(dir, 'data');
    const store = await openStore({ dataDir, command: 'test' });
    try {
      seeded = await seedPersonEverywhere(store.db);
    } finally {
      await store.close();
    }
  }, 60_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('P5.1 writes a ZIP with JSON, HTML and PDF carrying the values and the Art. 15 context, and audits it', async () => {
    const out = join(dir, 'access.zip');
    const r = await run(['export', '--email', seeded.email.toLowerCase(), '--out', out, '--format', 'pdf', '--lang', 'en', '--data-dir', dataDir]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(statSync(out).mode & 0o077).toBe(0);
    const files = unpackArchive(readFileSync(out));
    expect(Object.keys(files).sort()).toEqual(['access.html', 'access.json', 'access.pdf', 'manifest.json']);
    const json = JSON.parse(new TextDecoder().decode(files['access.json'])) as AccessExport;
    expect(json.person.ids).toEqual([seeded.personId]);
    expect(json.language).toBe('en');
    const html = new TextDecoder().decode(files['access.html']);
    expect(html).toContain(`Nom-${seeded.tag}`);
    expect(html).toContain('8 rue Vivienne, CS 30223, F-75002 Paris Cedex 02');

    const store = await openStore({ dataDir, command: 'test' });
    try {
      const entries = await store.db.selectFrom('auditEntries').selectAll().where('action', '=', 'export').execute();
      expect(entries).toHaveLength(1);
      expect(entries[0]).toMatchObject({ resource: 'subject', personIds: [seeded.personId] });
      expect(entries[0]?.actor).toMatch(/^cli:/);
      expect(JSON.stringify(entries)).not.toContain(seeded.tag);
    } finally {
      await store.close();
    }
  }, 60_000);

  it('P5.5 --portability writes the JSON + CSV archive', async () => {
    const out = join(dir, 'portability.zip');
    const r = await run(['export', '--email', seeded.email, '--out', out, '--portability', '--data-dir', dataDir]);
    expect(r.code).toBe(0);
    const names = Object.keys(unpackArchive(readFileSync(out)));
    expect(names).toContain('portability.json');
    expect(names).toContain('csv/people.csv');
  }, 60_000);

  it('P5.1 exits 1 with a clear message when no person has the email', async () => {
    const r = await run(['export', '--email', 'nobody@example.test', '--out', join(dir, 'none.zip'), '--data-dir', dataDir]);
    expect(r.code).toBe(1);
    expect(r.err).toContain('no person has the email nobody@example.test');
  }, 60_000);
});
