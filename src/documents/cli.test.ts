import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { extractText, getDocumentProxy } from 'unpdf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../test/cli.js';
import { DEFAULT_POLICY_FILE } from '../policy/index.js';

let dir: string;
// A data dir that must stay absent: the documents need no database.
let noStore: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rempart-docs-cli-'));
  noStore = join(dir, 'no-store');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('rempart notice and rempart register export, without a database (D1, D2)', () => {
  it('D2 rempart notice --lang fr|en --format md prints the notice', async () => {
    const fr = await runCli('notice', '--lang', 'fr', '--format', 'md', '--policy', DEFAULT_POLICY_FILE, '--data-dir', noStore);
    expect(fr.code, fr.err).toBe(0);
    expect(fr.out).toContain('# Annexe : traitements des données à caractère personnel réalisés par CERTILIENCE');
    expect(fr.out).toContain('8 rue Vivienne');
    const en = await runCli('notice', '--lang', 'en', '--format', 'md');
    expect(en.code, en.err).toBe(0);
    expect(en.out).toContain('Article 5 – The client\'s rights');
    expect(existsSync(noStore)).toBe(false);
    // The default policy has no controller address or email yet: the operator is told, on standard error.
    expect(fr.err).toContain('controller.email');
    expect(fr.out).not.toContain('warning');
  });

  it('D1 rempart register export --format jsonld prints the register', async () => {
    const run = await runCli('register', 'export', '--format', 'jsonld');
    expect(run.code, run.err).toBe(0);
    const doc = JSON.parse(run.out) as { '@context': Record<string, string>; 'dct:hasPart': unknown[] };
    expect(doc['@context'].dpv).toBe('https://w3id.org/dpv#');
    expect(doc['dct:hasPart']).toHaveLength(5);
    const md = await runCli('register', 'export', '--format', 'md', '--lang', 'en', '--policy', DEFAULT_POLICY_FILE);
    expect(md.code, md.err).toBe(0);
    expect(md.out).toContain('Activities as controller (GDPR Art. 30(1))');
  });

  it('D2 writes a PDF with --out', async () => {
    const out = join(dir, 'notice.pdf');
    const run = await runCli('notice', '--format', 'pdf', '--out', out);
    expect(run.code, run.err).toBe(0);
    const { text } = await extractText(await getDocumentProxy(new Uint8Array(await readFile(out))), { mergePages: true });
    expect(text.replace(/\s+/g, ' ')).toContain('Droit de déposer une réclamation');
  });

  it('D2 refuses an unknown language or format, and names a missing policy file', async () => {
    expect((await runCli('notice', '--lang', 'de')).code).not.toBe(0);
    expect((await runCli('register', 'export', '--format', 'xml')).code).not.toBe(0);
    const missing = await runCli('notice', '--policy', join(dir, 'missing.yaml'));
    expect(missing.code).toBe(1);
    expect(missing.err).toContain('missing.yaml');
  });
});

describe('rempart notice publish, versions, --at and diff (D3)', () => {
  it('D3 publishes versions, reads an old one back and says what changed', async () => {
    const data = join(dir, 'data');
    const text = await readFile(DEFAULT_POLICY_FILE, 'utf8');
    const v2File = join(dir, 'v2.yaml');
    await writeFile(v2File, text.replace(/(- id: prospecting\n {4}name:[\s\S]*?active: )P3Y/, '$1P2Y').replace('effectiveDate: "2018-06-20"', 'effectiveDate: "2026-12-01"'));

    const p1 = await runCli('notice', 'publish', '--data-dir', data);
    expect(p1.code, p1.err).toBe(0);
    expect(p1.out).toMatch(/^stored: version [0-9a-f]{12} of 2018-06-20/);
    expect((await runCli('notice', 'publish', '--data-dir', data)).out).toMatch(/^already stored/);
    expect((await runCli('notice', 'publish', '--data-dir', data, '--policy', v2File)).code).toBe(0);

    const list = await runCli('notice', 'versions', '--data-dir', data);
    const lines = list.out.trim().split('\n');
    expect(lines).toHaveLength(2);
    const [old, recent] = lines.map((l) => l.split(/\s+/)[0] ?? '');

    const diff = await runCli('notice', 'diff', old ?? '', recent ?? '', '--data-dir', data);
    expect(diff.code, diff.err).toBe(0);
    expect(diff.out).toContain("- Réalisation d'opérations de prospection commerciale : durée de conservation passée de trois ans à deux ans");
    const diffEn = await runCli('notice', 'diff', DEFAULT_POLICY_FILE, v2File, '--lang', 'en');
    expect(diffEn.out).toContain('- Commercial prospecting: retention period changed from three years to two years');

    const oldNotice = await runCli('notice', '--at', old ?? '', '--data-dir', data);
    expect(oldNotice.code, oldNotice.err).toBe(0);
    expect(oldNotice.out).toContain('Mise à jour du 20 juin 2018');
    const newNotice = await runCli('notice', '--at', recent ?? '', '--data-dir', data);
    expect(newNotice.out).toContain('Mise à jour du 1er décembre 2026');
  });
});
