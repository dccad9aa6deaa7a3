import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../test/cli.js';

let dir: string;
let dataDir: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'rempart-cli-dedupe-base-'));
  dataDir = join(dir, 'data');
  expect((await runCli('migrate', '--data-dir', dataDir)).code).toBe(0);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('rempart prospects dedupe', () => {
  it('R-PROS-2 runs the whole-base pass and prints its report; the file form of rempart dedupe still works', async () => {
    const f = join(dir, 'p.csv');
    writeFileSync(f, 'Nom;Prénom;E-mail\nDurand;Anne;anne.durand@exemple.fr\nLeroy;Marc;marc.leroy@exemple.fr\n');
    expect((await runCli('import', 'prospects', f, '--json', '--data-dir', dataDir)).code).toBe(0);
    const r = await runCli('prospects', 'dedupe', '--json', '--data-dir', dataDir);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ prospects: 2, merged: 0 });
    expect((await runCli('prospects', 'dedupe', '--as', 'logistics', '--data-dir', dataDir)).code).not.toBe(0);

    const csv = join(dir, 'any.csv');
    writeFileSync(csv, 'id,name\n1,Anne Durand\n2,Marc Leroy\n');
    const out = join(dir, 'clusters.csv');
    const file = await runCli('dedupe', csv, '--id', 'id', '--field', 'name:full_name', '--out', out, '--json');
    expect(file.code).toBe(0);
    expect(JSON.parse(file.out)).toMatchObject({ records: 2 });
  });
});
