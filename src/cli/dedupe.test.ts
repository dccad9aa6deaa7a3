import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../test/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'rempart-dedupe-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const people = [
  'id,prenom,nom,email,ville',
  '1,Élodie,Lefèvre,e.lefevre@acme.fr,Lyon',
  '2,Elodie,Lefebvre,e.lefevre@acme.fr,Lyon',
  '3,Jean,Martin,jean.martin@x.fr,Paris',
  '4,Marie,Dubois,,Lille',
  '"5,a",Pierre,Durand,p.durand@y.fr,Nantes',
  '6,Jean,Martin,jean.martin@x.fr,Paris',
].join('\n');

describe('rempart dedupe (R-PROS-2)', () => {
  it('R-PROS-2 writes id,cluster with every input id exactly once', async () => {
    // Strangers after the six rows: the model needs enough pairs to learn from.
    const strangers = Array.from({ length: 300 }, (_, i) => `s${i},Prénom${i % 37},Nom${i},p${i}@exemple${i % 11}.fr,Ville${i % 23}`);
    const input = file('people.csv', `\uFEFF${people}\n${strangers.join('\n')}\n`);
    const out = join(dir, 'clusters.csv');
    const run = await runCli('dedupe', input, '--id', 'id', '--field', 'prenom:given_name', '--field', 'nom:surname', '--field', 'email:email', '--field', 'ville:city', '--out', out, '--json');
    expect(run.err).toBe('');
    expect(run.code).toBe(0);
    const summary = JSON.parse(run.out) as { records: number; clusters: number; pairsCompared: number; seconds: number };
    expect(summary.records).toBe(306);
    expect(summary.clusters).toBeLessThan(306);
    expect(summary.seconds).toBeGreaterThanOrEqual(0);
    const rows = parse(readFileSync(out, 'utf8')) as string[][];
    expect(rows[0]).toEqual(['id', 'cluster']);
    const ids = rows.slice(1).map((r) => r[0]);
    expect(ids.length).toBe(306);
    expect(new Set(ids).size).toBe(306);
    expect(ids.slice(0, 6)).toEqual(['1', '2', '3', '4', '5,a', '6']);
    // Each cluster is named by one of its ids; the two spellings of Élodie Lefèvre are one.
    for (const r of rows.slice(1)) expect(ids).toContain(r[1]);
    const cluster = new Map(rows.slice(1).map((r) => [r[0], r[1]]));
    expect(cluster.get('2')).toBe(cluster.get('1'));
    expect(cluster.get('4')).toBe('4');
  });

  it('R-PROS-2 names the missing column', async () => {
    const input = file('missing.csv', `${people}\n`);
    const run = await runCli('dedupe', input, '--id', 'id', '--field', 'telephone:phone', '--out', join(dir, 'x.csv'));
    expect(run.code).toBe(1);
    expect(run.err).toContain('missing.csv');
    expect(run.err).toContain('"telephone"');
  });

  it('R-PROS-2 refuses an unknown kind', async () => {
    const input = file('kind.csv', `${people}\n`);
    const run = await runCli('dedupe', input, '--id', 'id', '--field', 'nom:nickname', '--out', join(dir, 'x.csv'));
    expect(run.code).toBe(1);
    expect(run.err).toContain('unknown kind "nickname"');
  });

  it('R-PROS-2 refuses a duplicate id, with its row and the first row holding it', async () => {
    const input = file('dup.csv', 'id,nom\n1,Martin\n2,Dubois\n1,Durand\n');
    const run = await runCli('dedupe', input, '--id', 'id', '--field', 'nom:surname', '--out', join(dir, 'x.csv'));
    expect(run.code).toBe(1);
    expect(run.err).toContain('dup.csv: row 3 repeats the id of row 1');
    // No personal value in the message.
    expect(run.err).not.toContain('Durand');
  });
});
