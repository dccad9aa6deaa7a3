import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { unzipSync, strFromU8 } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../test/cli.js';

const last = (out: string): string => out.trim().split('\n').at(-1) ?? '';

describe('rempart engagement / certificate (issue 19, P1.5, P4.3)', () => {
  let dir: string;
  let dataDir: string;
  let orgA = '';
  let orgB = '';
  let engA = '';
  let engB = '';
  const saved = process.env.REMPART_PUBLIC_URL;

  beforeAll(async () => {
    process.env.REMPART_PUBLIC_URL = 'https://rempart.example';
    dir = mkdtempSync(join(tmpdir(), 'rempart-engagement-cli-'));
    dataDir = join(dir, 'data');
    const a = await runCli('record', 'create', 'organisations', '--data', JSON.stringify({ name: 'Acme Industrie SAS' }), '--data-dir', dataDir);
    expect(a.code, a.err).toBe(0);
    orgA = (JSON.parse(a.out) as { id: string }).id;
    orgB = (JSON.parse((await runCli('record', 'create', 'organisations', '--data', JSON.stringify({ name: 'Beta SARL' }), '--data-dir', dataDir)).out) as { id: string }).id;
    // A prospect of CERTILIENCE with the address a trainee will have.
    expect((await runCli('record', 'create', 'people', '--data', JSON.stringify({ lastName: 'Martin', email: 'claire.martin@acme-industrie.fr', relation: 'prospect' }), '--data-dir', dataDir)).code).toBe(0);
  }, 120_000);
  afterAll(() => {
    if (saved === undefined) delete process.env.REMPART_PUBLIC_URL;
    else process.env.REMPART_PUBLIC_URL = saved;
    rmSync(dir, { recursive: true, force: true });
  });

  it('P1.5 engagement create prints the id last; list --json; bad input names the field', async () => {
    const instructions = join(dir, 'instructions.txt');
    writeFileSync(instructions, 'Trois campagnes de phishing, un module eLearning.');
    const a = await runCli('engagement', 'create', '--client', orgA, '--name', 'Sensibilisation Acme', '--starts', '2026-01-01', '--ends', '2026-06-30', '--instructions-file', instructions, '--data-dir', dataDir);
    expect(a.code, a.err).toBe(0);
    engA = last(a.out);
    expect(engA).toMatch(/^[0-9a-f-]{36}$/);
    const b = await runCli('engagement', 'create', '--client', orgB, '--name', 'Beta', '--starts', '2026-01-01', '--ends', '2030-01-01', '--end-choice', 'destroy', '--data-dir', dataDir);
    engB = last(b.out);
    const list = await runCli('engagement', 'list', '--json', '--data-dir', dataDir);
    const items = JSON.parse(list.out) as { id: string; endChoice: string; instructions: { version: number }[] }[];
    expect(items.map((e) => e.id)).toEqual([engA, engB]);
    expect(items[0]).toMatchObject({ endChoice: 'return_then_destroy', instructions: [{ version: 1 }] });
    const bad = await runCli('engagement', 'create', '--client', orgA, '--name', 'x', '--starts', '2026-13-01', '--ends', '2026-06-30', '--end-choice', 'keep', '--data-dir', dataDir);
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/startsOn/);
    expect(bad.err).toMatch(/endChoice/);
    // Scoped as B's contact, A's engagement is not there.
    const scoped = await runCli('engagement', 'list', '--json', '--as', 'training_client', '--scope', orgB, '--data-dir', dataDir);
    expect((JSON.parse(scoped.out) as { id: string }[]).map((e) => e.id)).toEqual([engB]);
    const denied = await runCli('engagement', 'report', engA, '--as', 'marketing', '--data-dir', dataDir);
    expect(denied.code).toBe(1);
  });

  it('P1.5 trainees import from CSV and XLSX with the prospecting mapping (department too), never merged with the prospect', async () => {
    const csv = join(dir, 'trainees.csv');
    writeFileSync(csv, 'Prénom;Nom;E-mail;Service;Fonction\nClaire;Martin;claire.martin@acme-industrie.fr;Finance;DAF\nPaul;Durand;PAUL.DURAND@acme-industrie.fr;IT;Admin\n;;pas-un-email;IT;\n');
    const run = await runCli('engagement', 'trainees', 'import', engA, csv, '--json', '--data-dir', dataDir);
    expect(run.code, run.err).toBe(0);
    const report = JSON.parse(run.out) as { imported: number; created: number; rejected: { row: number; field: string }[]; columns: Record<string, string>; delimiter: string };
    expect(report).toMatchObject({ imported: 2, created: 2, delimiter: ';' });
    expect(report.rejected).toEqual([expect.objectContaining({ row: 3, field: 'email' })]);
    expect(report.columns).toMatchObject({ 'E-mail': 'email', Service: 'department', Prénom: 'firstName' });
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('Salariés');
    ws.addRow(['Email', 'Nom', 'Département']);
    ws.addRow(['zoe@beta.fr', 'Zoé', 'Ventes']);
    const xlsx = join(dir, 'beta.xlsx');
    await wb.xlsx.writeFile(xlsx);
    const x = await runCli('engagement', 'trainees', 'import', engB, xlsx, '--json', '--data-dir', dataDir);
    expect(x.code, x.err).toBe(0);
    expect(JSON.parse(x.out)).toMatchObject({ imported: 1, encoding: 'xlsx' });
    // The prospect is still one record, untouched; no trainee reached the people table.
    const people = await runCli('record', 'list', 'people', '--data-dir', dataDir);
    expect(people.out.match(/claire\.martin@acme-industrie\.fr/g)?.length).toBe(1);
    expect(people.out).not.toContain('paul.durand');
    expect(people.out).not.toContain('zoe@beta.fr');
  });

  it('P1.5 the controller-side commands never see a trainee, even by exact address: subject export and scan, segment preview, dedupe', async () => {
    // Paul is only a trainee: no person answers to his address.
    const exportTrainee = await runCli('subject', 'export', '--email', 'paul.durand@acme-industrie.fr', '--out', join(dir, 'paul.zip'), '--data-dir', dataDir);
    expect(`${exportTrainee.out}${exportTrainee.err}`).not.toMatch(/Durand|training_/);
    if (exportTrainee.code === 0) expect(JSON.stringify(unzipSync(readFileSync(join(dir, 'paul.zip'))))).not.toContain('Durand');
    // Claire is a prospect and a trainee: her access export is the prospect's only.
    const claire = await runCli('subject', 'export', '--email', 'claire.martin@acme-industrie.fr', '--out', join(dir, 'claire.zip'), '--format', 'json', '--data-dir', dataDir);
    expect(claire.code, claire.err).toBe(0);
    const files = unzipSync(readFileSync(join(dir, 'claire.zip')));
    const text = Object.values(files).map((f) => strFromU8(f)).join('\n');
    expect(text).toContain('claire.martin@acme-industrie.fr');
    expect(text).not.toMatch(/training_|"DAF"|Finance/);
    const scan = await runCli('subject', 'scan', '--email', 'claire.martin@acme-industrie.fr', '--data-dir', dataDir);
    expect(scan.out).toContain('people.');
    expect(scan.out).not.toContain('training_');
    const preview = await runCli('campaigns', 'segment', 'preview', '--json', '--data-dir', dataDir);
    expect(preview.code, preview.err).toBe(0);
    expect(preview.out).not.toMatch(/paul|zoe/i);
    const dedupe = await runCli('prospects', 'dedupe', '--json', '--data-dir', dataDir);
    expect(dedupe.code, dedupe.err).toBe(0);
    const people = await runCli('record', 'list', 'people', '--data-dir', dataDir);
    expect(people.out.match(/claire\.martin@acme-industrie\.fr/g)?.length).toBe(1);
    expect(people.out).not.toMatch(/paul\.durand|zoe@beta\.fr/i);
  }, 60_000);

  it('credentials print the contract JSON; report as JSON and CSV', async () => {
    const c = await runCli('engagement', 'credentials', engA, '--data-dir', dataDir);
    expect(c.code, c.err).toBe(0);
    const creds = JSON.parse(c.out) as { xapi: { endpoint: string; key: string; secret: string }; gophish: { url: string; secret: string } };
    expect(Object.keys(creds).sort()).toEqual(['gophish', 'xapi']);
    expect(creds.xapi.endpoint).toBe(`https://rempart.example/api/v1/engagements/${engA}/xapi/`);
    expect(creds.gophish.url).toBe(`https://rempart.example/api/v1/engagements/${engA}/gophish`);
    expect(creds.xapi.key).toBeTruthy();
    expect(creds.gophish.secret).toBeTruthy();
    const json = await runCli('engagement', 'report', engA, '--data-dir', dataDir);
    expect(JSON.parse(json.out)).toMatchObject({ engagementId: engA, trainees: 2, campaigns: [] });
    const csv = await runCli('engagement', 'report', engA, '--format', 'csv', '--data-dir', dataDir);
    expect(csv.out.startsWith('scope,name,sent,opened,clicked,submitted,reported')).toBe(true);
  });

  it('P4.6 retention plan shows the engagement past its end and not closed; the register lists one line per engagement', async () => {
    const plan = await runCli('retention', 'plan', '--at', '2026-12-07', '--json', '--data-dir', dataDir);
    expect(plan.code, plan.err).toBe(0);
    const due = (JSON.parse(plan.out) as { due: { purpose: string; action: string; count: number }[] }).due;
    expect(due.find((l) => l.purpose === 'training')).toMatchObject({ action: 'delete', count: 1 });
    const register = await runCli('register', 'export', '--format', 'md', '--lang', 'en', '--engagements', '--data-dir', dataDir);
    expect(register.code, register.err).toBe(0);
    expect(register.out).toContain('Acme Industrie SAS: Sensibilisation Acme');
    expect(register.out).toContain('Beta SARL: Beta');
  });

  it('P4.3 engagement close writes the package, prints the certificate path last; certificate verify 0/1; a second close is a no-op', async () => {
    const out = join(dir, 'acme.zip');
    const close = await runCli('engagement', 'close', engA, '--out', out, '--data-dir', dataDir);
    expect(close.code, close.err).toBe(0);
    const certPath = last(close.out);
    expect(certPath).toBe(join(dir, 'acme.certificate.json'));
    const zip = unzipSync(readFileSync(out));
    expect(JSON.parse(strFromU8(zip['trainees.json'] as Uint8Array)).length).toBe(2);
    expect((await runCli('certificate', 'verify', certPath)).code).toBe(0);
    const key = join(dir, 'server.pem');
    writeFileSync(key, (await runCli('certificate', 'key', '--data-dir', dataDir)).out);
    expect((await runCli('certificate', 'verify', certPath, '--key', key)).code).toBe(0);
    const text = readFileSync(certPath, 'utf8');
    const broken = join(dir, 'broken.json');
    writeFileSync(broken, text.replace('"trainees": 2', '"trainees": 1'));
    const v = await runCli('certificate', 'verify', broken);
    expect(v.code).toBe(1);
    expect(v.err).toMatch(/invalid/);
    const again = await runCli('engagement', 'close', engA, '--out', join(dir, 'again.zip'), '--data-dir', dataDir);
    expect(again.code).toBe(0);
    expect(last(again.out)).toBe(certPath);
    expect(readFileSync(certPath, 'utf8')).toBe(text);
    const plan = await runCli('retention', 'plan', '--at', '2026-12-07', '--json', '--data-dir', dataDir);
    expect((JSON.parse(plan.out) as { due: { purpose: string; count: number }[] }).due.find((l) => l.purpose === 'training')?.count).toBe(0);
  });

  it("P4.3 engagement close --upload puts the package to the client's URL before destroying; a refused upload destroys nothing", async () => {
    const c = await runCli('engagement', 'create', '--client', orgA, '--name', 'Upload', '--starts', '2026-01-01', '--ends', '2026-06-30', '--data-dir', dataDir);
    const id = last(c.out);
    const csv = join(dir, 'upload.csv');
    writeFileSync(csv, 'Email;Nom\nines@acme-industrie.fr;Ines\n');
    expect((await runCli('engagement', 'trainees', 'import', id, csv, '--data-dir', dataDir)).code).toBe(0);
    let status = 500;
    const got: { method: string; sha: string }[] = [];
    const server = createServer((req, res) => {
      const h = createHash('sha256');
      req.on('data', (d: Buffer) => h.update(d));
      req.on('end', () => {
        got.push({ method: req.method ?? '', sha: h.digest('hex') });
        res.statusCode = status;
        res.end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/drop/upload.zip`;
    const saved = process.env.REMPART_ALLOW_PRIVATE_URLS;
    process.env.REMPART_ALLOW_PRIVATE_URLS = 'loopback';
    try {
      const out = join(dir, 'upload.zip');
      const refused = await runCli('engagement', 'close', id, '--out', out, '--upload', url, '--data-dir', dataDir);
      expect(refused.code).toBe(1);
      expect(refused.err).toMatch(/HTTP 500.*nothing was destroyed/);
      const report = await runCli('engagement', 'report', id, '--data-dir', dataDir);
      expect((JSON.parse(report.out) as { trainees: number }).trainees).toBe(1);
      status = 201;
      const done = await runCli('engagement', 'close', id, '--out', out, '--upload', url, '--data-dir', dataDir);
      expect(done.code, done.err).toBe(0);
      expect(done.out).toContain(`uploaded to ${url}`);
      const cert = JSON.parse(readFileSync(last(done.out), 'utf8')) as { certificate: { package: { sha256: string }; delivery: { method: string; to: string } } };
      expect(cert.certificate.delivery).toMatchObject({ method: 'upload', to: url });
      expect(got.at(-1)).toEqual({ method: 'PUT', sha: cert.certificate.package.sha256 });
    } finally {
      if (saved === undefined) delete process.env.REMPART_ALLOW_PRIVATE_URLS;
      else process.env.REMPART_ALLOW_PRIVATE_URLS = saved;
      await new Promise<void>((r) => server.close(() => r()));
    }
  }, 60_000);
});
