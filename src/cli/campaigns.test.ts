import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../test/cli.js';
import { openStore } from '../db/database.js';
import { parseMail } from '../../test/smtp-capture.js';
import { addPerson } from '../prospecting/campaigns/test-support.js';

describe('rempart campaigns / stats prospecting (R-PROS-4, R-PROS-5, R-PROS-8)', () => {
  let dir: string;
  let dataDir: string;
  const saved = { smtp: process.env.SMTP_URL, url: process.env.REMPART_PUBLIC_URL };

  beforeAll(async () => {
    delete process.env.SMTP_URL;
    delete process.env.REMPART_PUBLIC_URL;
    dir = mkdtempSync(join(tmpdir(), 'rempart-campaigns-cli-'));
    dataDir = join(dir, 'data');
    const store = await openStore({ dataDir, command: 'test' });
    try {
      for (let i = 0; i < 5; i++) await addPerson(store.db, { source: 'Salon CLI', postcode: '35000', email: `p${i}@acme-cli.fr` });
      await addPerson(store.db, { source: 'Salon CLI', email: 'perso@gmail.com' });
    } finally {
      await store.close();
    }
  }, 120_000);
  afterAll(() => {
    if (saved.smtp !== undefined) process.env.SMTP_URL = saved.smtp;
    if (saved.url !== undefined) process.env.REMPART_PUBLIC_URL = saved.url;
    rmSync(dir, { recursive: true, force: true });
  });

  it('R-PROS-4 R-PROS-5 segment create and preview, campaign create, dry run, send with the opt-out headers', async () => {
    const seg = await runCli('campaigns', 'segment', 'create', '--name', 'Salon', '--kind', 'prospecting', '--source', 'Salon CLI', '--region', 'Bretagne', '--json', '--data-dir', dataDir);
    expect(seg.err).toBe('');
    expect(seg.code).toBe(0);
    const segmentId = (JSON.parse(seg.out) as { id: string }).id;
    const preview = await runCli('campaigns', 'segment', 'preview', segmentId, '--json', '--data-dir', dataDir);
    expect(preview.code).toBe(0);
    expect(JSON.parse(preview.out)).toMatchObject({ eligible: 5 });
    const adhoc = await runCli('campaigns', 'segment', 'preview', '--source', 'Salon CLI', '--json', '--data-dir', dataDir);
    expect(JSON.parse(adhoc.out)).toMatchObject({ eligible: 5, excluded: { personal_email_without_consent: 1 } });

    const bodyFile = join(dir, 'body.txt');
    writeFileSync(bodyFile, 'Bonjour {{firstName}},\n\nVoir https://www.certilience.example/offre');
    const created = await runCli('campaigns', 'create', '--name', 'CLI', '--segment', segmentId, '--subject', 'Offre', '--body-file', bodyFile, '--json', '--data-dir', dataDir);
    expect(created.code, created.err).toBe(0);
    const campaignId = (JSON.parse(created.out) as { id: string }).id;

    const dry = await runCli('campaigns', 'send', campaignId, '--dry-run', '--json', '--data-dir', dataDir);
    expect(dry.code, dry.err).toBe(0);
    expect(JSON.parse(dry.out)).toMatchObject({ dryRun: true, sent: 5 });

    const noUrl = await runCli('campaigns', 'send', campaignId, '--data-dir', dataDir);
    expect(noUrl.code).toBe(1);
    expect(noUrl.err).toContain('REMPART_PUBLIC_URL');

    const sent = await runCli('campaigns', 'send', campaignId, '--public-url', 'https://crm.certilience.example', '--json', '--data-dir', dataDir);
    expect(sent.code, sent.err).toBe(0);
    expect(JSON.parse(sent.out)).toMatchObject({ sent: 5, withArt14: 5, failed: 0 });
    const files = readdirSync(join(dataDir, 'outbox')).filter((f) => f.endsWith('.eml'));
    expect(files).toHaveLength(5);
    const mail = parseMail(readFileSync(join(dataDir, 'outbox', files[0] ?? ''), 'utf8'));
    expect(mail.headers['list-unsubscribe']).toMatch(/^<https:\/\/crm\.certilience\.example\/u\/[A-Za-z0-9_-]+>$/);
    expect(mail.headers['list-unsubscribe-post']).toBe('List-Unsubscribe=One-Click');
    expect(mail.text).toContain('RGPD, article 14');
    // No personal data printed.
    expect(sent.out + created.out + preview.out).not.toMatch(/acme-cli|gmail/);
  }, 300_000);

  it('R-PROS-8 rempart stats prospecting prints groups of at least k, as a table or JSON', async () => {
    const json = await runCli('stats', 'prospecting', '--by', 'source,region', '--json', '--data-dir', dataDir);
    expect(json.code, json.err).toBe(0);
    const report = JSON.parse(json.out) as { k: number; groups: { key: Record<string, string>; people: number }[]; suppressed: { people: number } };
    expect(report.k).toBe(5);
    expect(report.groups).toEqual([expect.objectContaining({ key: { source: 'Salon CLI', region: 'FR-BRE' }, people: 5 })]);
    expect(report.suppressed.people).toBe(1);
    const table = await runCli('stats', 'prospecting', '--by', 'source', '--data-dir', dataDir);
    expect(table.out).toContain('Salon CLI\t6');
    const bad = await runCli('stats', 'prospecting', '--by', 'colour', '--data-dir', dataDir);
    expect(bad.code).toBe(1);
    expect(bad.err).toContain('colour');
  }, 300_000);
});
