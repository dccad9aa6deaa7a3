import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_POLICY_FILE, parsePolicy, type LoadedPolicy } from '../policy/index.js';
import { diffPolicies } from './diff.js';
import { loadPolicyRef } from './policy-ref.js';
import { findVersion, listVersions, noticeVersion, readVersion, recordVersion } from './versions.js';

let dir: string;
let text: string;
let v1: LoadedPolicy;

/** The default policy with prospecting kept two years instead of three, from a new date. */
function twoYears(source: string): string {
  const out = source
    .replace(/(- id: prospecting\n {4}name:[\s\S]*?active: )P3Y/, '$1P2Y')
    .replace(/effectiveDate: "2018-06-20"/, 'effectiveDate: "2026-12-01"');
  expect(out).not.toBe(source);
  return out;
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rempart-versions-'));
  text = await readFile(DEFAULT_POLICY_FILE, 'utf8');
  v1 = parsePolicy(text, DEFAULT_POLICY_FILE);
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('versions of the notice and the register (D3)', () => {
  it('D3 the notice version is the policy hash and effective date, as requests record it', () => {
    const v = noticeVersion(v1);
    expect(v.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(v.hash).toBe(v1.version.hash);
    expect(v.shortHash).toBe(v.hash.slice(0, 12));
    expect(v.effectiveDate).toBe('2018-06-20');
    // Any change of the text is a new version.
    expect(noticeVersion(parsePolicy(`${text}\n`, 'x.yaml')).hash).not.toBe(v.hash);
  });

  it('D3 each distinct version is stored once and stays readable', async () => {
    const first = await recordVersion(dir, v1, text);
    expect(first.created).toBe(true);
    expect((await recordVersion(dir, v1, text)).created).toBe(false);
    const newer = twoYears(text);
    const v2 = parsePolicy(newer, 'v2.yaml');
    await recordVersion(dir, v2, newer);
    const listed = await listVersions(dir);
    expect(listed.map((v) => [v.effectiveDate, v.hash])).toEqual([
      ['2018-06-20', v1.version.hash],
      ['2026-12-01', v2.version.hash],
    ]);
    const back = await readVersion(await findVersion(dir, v1.version.hash.slice(0, 8)));
    expect(back.version.hash).toBe(v1.version.hash);
    expect(back.purposes.find((p) => p.id === 'prospecting')?.retention.active).toBe('P3Y');
  });

  it('D3 refuses text that is not the loaded policy, an altered snapshot, and an unknown or ambiguous prefix', async () => {
    await expect(recordVersion(dir, v1, `${text}# edited\n`)).rejects.toThrow(/changed on disk/);
    const { version } = await recordVersion(dir, v1, text);
    await writeFile(version.file, text.replace('CERTILIENCE', 'CERTILIENCE2'));
    await expect(readVersion(version)).rejects.toThrow(/altered/);
    await expect(findVersion(dir, 'ffffffff')).rejects.toThrow(/no stored policy version/);
    await expect(findVersion(dir, 'xyz')).rejects.toThrow(/neither a policy file nor a version hash prefix/);
  });

  it('D3 a file path or a stored hash prefix names a version', async () => {
    await recordVersion(dir, v1, text);
    expect((await loadPolicyRef(DEFAULT_POLICY_FILE, dir)).version.hash).toBe(v1.version.hash);
    expect((await loadPolicyRef(v1.version.shortHash, dir)).version.hash).toBe(v1.version.hash);
  });
});

describe('what changed between two versions, in words (D3)', () => {
  it('D3 says the retention period and the date changed', () => {
    const v2 = parsePolicy(twoYears(text), 'v2.yaml');
    const fr = diffPolicies(v1, v2, 'fr');
    expect(fr).toContain("Réalisation d'opérations de prospection commerciale : durée de conservation passée de trois ans à deux ans");
    expect(fr).toContain('Date de la version : du 20 juin 2018 au 1er décembre 2026');
    expect(fr).toHaveLength(2);
    const en = diffPolicies(v1, v2, 'en');
    expect(en).toContain('Commercial prospecting: retention period changed from three years to two years');
  });

  it('D3 names added recipients, new places and a changed legal basis', () => {
    const changed = text
      .replace(/(- id: connection_logs\n[\s\S]*?recipients: \[it, dpo)\]/, '$1, manager]')
      .replace(/ {2}partners: \[\]\n/, '  partners:\n    - id: partner_de\n      name: "Partenaire GmbH"\n      country: DE\n      purposes: [file_sharing]\n')
      .replace(/(- id: file_sharing\n[\s\S]*?legalBases: )\[consent\]/, '$1[consent, legitimate_interest]\n    legitimateInterest: { fr: "Valoriser le fichier.", en: "Making use of the file." }');
    const v2 = parsePolicy(changed, 'v2.yaml');
    const fr = diffPolicies(v1, v2, 'fr');
    expect(fr).toContain('Conservation des journaux de connexion et d\'identification : destinataires ajoutés : Responsables hiérarchiques');
    expect(fr).toContain('Nouveau lieu ou destinataire : Partenaire GmbH (Allemagne)');
    expect(fr.some((l) => l.startsWith('Cession, location ou échange de fichier client : bases légales passées de consentement'))).toBe(true);
  });

  it('D3 says so when the documents did not change', () => {
    const v2 = parsePolicy(`${text}\n# a comment only\n`, 'v2.yaml');
    expect(v2.version.hash).not.toBe(v1.version.hash);
    expect(diffPolicies(v1, v2, 'fr')).toEqual(['Aucun changement du contenu de la notice ni du registre.']);
  });
});
