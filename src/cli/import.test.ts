import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../test/cli.js';

let dir: string;
let dataDir: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'rempart-cli-import-'));
  dataDir = join(dir, 'data');
  // Creating the embedded store is the slow part: once, in the hook.
  expect((await runCli('migrate', '--data-dir', dataDir)).code).toBe(0);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const csv = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

describe('rempart import prospects', () => {
  it('P1.4 R-PROS-9 --json prints imported, merged and rejected rows with row, line, field and reason', async () => {
    const f = csv('salon.csv', 'Nom;Prénom;E-mail;Adresse\nDurand;Anne;anne.durand@exemple.fr;\n;;pas-un-mail;\n;;;\nLeroy;Marc;marc.leroy@exemple.fr;"Bât. A\n2 rue B"\nBlanc;Eve;;\n');
    const r = await runCli('import', 'prospects', f, '--source', 'Salon Lyon', '--json', '--data-dir', dataDir);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.out) as Record<string, unknown>;
    expect(Object.keys(out).slice(0, 3)).toEqual(['imported', 'merged', 'rejected']);
    expect(out).toMatchObject({
      imported: 2,
      merged: 0,
      rejected: [
        { row: 2, line: 3, field: 'email', code: 'no_name_or_email', reason: "Row 2 (line 3), field email: rejected (invalid email: has no '@', and the row has no name)." },
        { row: 5, line: 7, field: 'email', code: 'no_contact_point', reason: 'Row 5 (line 7), field email: rejected (no usable contact point: no valid email, phone or postal address).' },
      ],
    });
    // No company column: both accepted rows are individuals, not eligible for e-mail prospecting (R-PROS-6).
    expect(out).toMatchObject({ review: { count: 0 }, notEligible: [{ row: 1, field: 'company' }, { row: 4, field: 'company' }] });
    expect(out).toMatchObject({ rows: 5, blankRows: 1 });
    for (const x of out.rejected as Record<string, unknown>[]) expect(Object.keys(x).sort()).toEqual(['code', 'field', 'line', 'reason', 'row']);
    // Again: every accepted row merges into the record it made.
    const again = JSON.parse((await runCli('import', 'prospects', f, '--source', 'Salon Lyon', '--json', '--data-dir', dataDir)).out) as Record<string, unknown>;
    expect(again).toMatchObject({ imported: 2, merged: 2 });
    // The same report in French, from the same catalogue (src/i18n).
    const fr = JSON.parse((await runCli('import', 'prospects', f, '--source', 'Salon Lyon', '--json', '--lang', 'fr', '--data-dir', dataDir)).out) as { rejected: { reason: string }[]; notEligible: { reason: string }[] };
    expect(fr.rejected[0]?.reason).toMatch(/^Ligne 2 \(ligne 3 du fichier\), champ email : rejetée/);
    expect(fr.notEligible[0]?.reason).toContain('non prospectable par e-mail');
  }, 120_000);

  it('R-PROS-9 --dry-run writes nothing; the text report names rows, never values', async () => {
    const f = csv('dry.csv', 'nom,email\nSec,sec.dry@exemple.fr\nX,not-an-email\n');
    const dry = await runCli('import', 'prospects', f, '--dry-run', '--data-dir', dataDir);
    expect(dry.code).toBe(0);
    expect(dry.out).toMatch(/dry run \(nothing written\)/);
    expect(dry.out).toMatch(/Row 2 \(line 3\), field email: rejected/);
    expect(dry.out).not.toMatch(/not-an-email|sec\.dry/);
    const real = JSON.parse((await runCli('import', 'prospects', f, '--json', '--data-dir', dataDir)).out) as { imported: number; merged: number };
    expect(real).toMatchObject({ imported: 1, merged: 0 });
  }, 120_000);

  it('P2.1 a role without a create grant on prospecting is refused; a card-number column fails the file with exit 1', async () => {
    const f = csv('roles.csv', 'nom;email\nRole;role@exemple.fr\n');
    const sales = await runCli('import', 'prospects', f, '--as', 'sales', '--data-dir', dataDir);
    expect(sales.code).toBe(1);
    expect(sales.err).toMatch(/may not create prospect import/);
    const marketing = await runCli('import', 'prospects', f, '--as', 'marketing', '--json', '--data-dir', dataDir);
    expect(JSON.parse(marketing.out)).toMatchObject({ imported: 1 });
    const cards = await runCli('import', 'prospects', csv('cards.csv', 'nom;email;CB\nA;a@exemple.fr;5555 5555 5555 4444\n'), '--data-dir', dataDir);
    expect(cards.code).toBe(1);
    expect(cards.err).toMatch(/"CB" holds what look like payment card numbers/);
    expect(cards.err).not.toContain('5555');
  }, 120_000);
});
