import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { openStore } from '../db/database.js';
import { runCli } from '../../test/cli.js';

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'rempart-cli-'));
  dirs.push(d);
  return d;
}
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const run = runCli;

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('rempart CLI', () => {
  it('every command has --help', async () => {
    for (const cmd of [[], ['serve'], ['migrate'], ['policy', 'check'], ['demo', 'seed']]) {
      const r = await run(...cmd, '--help');
      expect(r.code, cmd.join(' ')).toBe(0);
      expect(r.out, cmd.join(' ')).toMatch(/Usage: rempart/);
    }
  });

  it('configuration: every problem is printed at once, exit non-zero, and no password is shown', async () => {
    const file = join(tempDir(), 'not-a-dir');
    writeFileSync(file, 'x');
    const r = await run('migrate', '--data-dir', file, '--database-url', 'mysql://root:s3cret@db/x', '--policy', '/nonexistent/policy.yaml');
    expect(r.code).toBe(1);
    expect(r.err).toContain('3 problem(s)');
    expect(r.err).toContain('--data-dir');
    expect(r.err).toContain('--database-url');
    expect(r.err).toContain('--policy');
    expect(r.err).not.toContain('s3cret');
  });

  it('configuration: a bad PORT from the environment is named', async () => {
    vi.stubEnv('PORT', 'eighty');
    const r = await run('serve', '--data-dir', tempDir());
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/PORT: must be an integer/);
  });

  it('migrate creates a new data dir, then finds nothing to do', async () => {
    const dir = tempDir();
    const first = await run('migrate', '--data-dir', dir);
    expect(first.code).toBe(0);
    expect(first.out).toMatch(/applied 20261126T1000-client-relationship/);
    const second = await run('migrate', '--data-dir', dir);
    expect(second.out).toMatch(/schema up to date/);
  }, 60_000);

  it('demo seed is deterministic and refuses a data dir held by another process', async () => {
    const dir = tempDir();
    const r = await run('demo', 'seed', '--data-dir', dir, '--people', '20', '--seed', '7');
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/seeded 20 people/);
    const held = await openStore({ dataDir: dir, command: 'rempart serve' });
    try {
      const again = await run('demo', 'seed', '--data-dir', dir, '--people', '5');
      expect(again.code).toBe(1);
      expect(again.err).toMatch(/in use by "rempart serve"|already open/);
    } finally {
      await held.close();
    }
    const bad = await run('demo', 'seed', '--data-dir', dir, '--people', 'many');
    expect(bad.code).toBe(1);
    expect(bad.err).toContain('--people');
  }, 60_000);
});

describe('rempart policy check', () => {
  const original = readFileSync('policies/certilience.yaml', 'utf8');
  const variant = (edit: (text: string) => string): string => {
    const f = join(tempDir(), 'policy.yaml');
    const edited = edit(original);
    expect(edited, 'the edit must change the policy').not.toBe(original);
    writeFileSync(f, edited);
    return f;
  };

  it('passes on the default policy', async () => {
    const r = await run('policy', 'check', 'policies/certilience.yaml');
    expect(r.code).toBe(0);
    expect(r.out).toContain('ok');
  });

  it('D2 warns, without failing, for each empty contact the notice and the portal need, naming its path and line', async () => {
    const r = await run('policy', 'check', 'policies/certilience.yaml');
    expect(r.code).toBe(0);
    expect(r.out).toContain('ok (5 warnings)');
    for (const path of ['controller.address.street', 'controller.address.postalCode', 'controller.address.city', 'controller.email', 'controller.dpo.email']) {
      expect(r.err).toMatch(new RegExp(`certilience\\.yaml:\\d+: warning: ${path.replace(/\./g, '\\.')}: empty`));
    }
    const filled = variant((t) =>
      t
        .replace('street: ""', 'street: "1 rue de la Paix"')
        .replace('postalCode: ""', 'postalCode: "75002"')
        .replace('city: ""', 'city: Paris')
        .replace(/(\n {2}email: )""/, '$1contact@certilience.example')
        .replace(/(\n {4}email: )""/, '$1dpo@certilience.example'),
    );
    const clean = await run('policy', 'check', filled);
    expect(clean.code).toBe(0);
    expect(clean.err).not.toContain('warning');
    expect(clean.out).toMatch(/: ok\n?$/);
  });

  it('P1.1 fails on a controller purpose without a legal basis, naming path and line', async () => {
    const f = variant((t) => t.replace('legalBases: [contract, legitimate_interest]', 'legalBases: []'));
    const r = await run('policy', 'check', f);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/policy\.yaml:\d+: purposes\[0\]\.legalBases/);
  });

  it('P4.1 fails on a purpose without a retention rule', async () => {
    const f = variant((t) => t.replace(/\n {4}retention:\n {6}start: entry_time\n(?: {6}.*\n){3}/, '\n'));
    const r = await run('policy', 'check', f);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/purposes\[4\].*retention/);
  });

  it('P2.1 fails on a recipient granted an unknown purpose', async () => {
    const f = variant((t) => t.replace(/purposes: \[crm\]/, 'purposes: [crm, astrology]'));
    const r = await run('policy', 'check', f);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/roles\[\d+\]\.grants\[\d+\]\.purposes\[1\].*astrology|astrology/);
  });

  it('P3.1 fails on a location outside the EU/EEA with neither adequacy nor safeguard, and passes with one', async () => {
    const noSafeguard = variant((t) => t.replace(/subcontractors: \[\]/, 'subcontractors:\n    - { id: us_mailer, name: US Mailer, country: US }'));
    const r = await run('policy', 'check', noSafeguard);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/locations\.subcontractors\[0\].*(EU|EEA)/);
    const withScc = variant((t) => t.replace(/subcontractors: \[\]/, 'subcontractors:\n    - { id: us_mailer, name: US Mailer, country: US, safeguard: scc }'));
    expect((await run('policy', 'check', withScc)).code).toBe(0);
  });

  it('reports a YAML syntax error with its line', async () => {
    const f = variant((t) => t.replace('controller:\n', 'controller:\n  name: [unclosed\n'));
    const r = await run('policy', 'check', f);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/policy\.yaml:\d+:/);
  });
});

describe('rempart record', () => {
  it('P1.3 creates, reads, lists, updates and deletes records through the same commands as the API', async () => {
    const dir = tempDir();
    const org = await run('record', 'create', 'organisations', '--data-dir', dir, '--data', JSON.stringify({ name: 'CLI SAS', siret: '73282932000074' }));
    expect(org.code, org.err).toBe(0);
    const orgId = (JSON.parse(org.out) as { id: string }).id;
    const person = await run('record', 'create', 'people', '--data-dir', dir, '--data', JSON.stringify({ lastName: 'Ligne', firstName: 'Commande', email: 'cl@cli.fr', organisationId: orgId }));
    expect(person.code, person.err).toBe(0);
    const personId = (JSON.parse(person.out) as { id: string }).id;
    const list = await run('record', 'list', 'people', '--data-dir', dir, '--filter', `organisationId=${orgId}`);
    expect((JSON.parse(list.out) as { items: { id: string }[] }).items.map((i) => i.id)).toEqual([personId]);
    const upd = await run('record', 'update', 'people', personId, '--data-dir', dir, '--data', '{"jobTitle":"DSI"}');
    expect((JSON.parse(upd.out) as { jobTitle: string }).jobTitle).toBe('DSI');
    expect((await run('record', 'delete', 'people', personId, '--data-dir', dir)).code).toBe(0);
    const gone = await run('record', 'get', 'people', personId, '--data-dir', dir);
    expect(gone.code).toBe(1);
    expect(gone.err).toContain(`No person with id ${personId}`);
  }, 60_000);

  it('P1.2 a contract without the mandatory fields is refused from the CLI too, listing every missing field', async () => {
    const dir = tempDir();
    const org = await run('record', 'create', 'organisations', '--data-dir', dir, '--data', '{"name":"Mandat SA"}');
    const orgId = (JSON.parse(org.out) as { id: string }).id;
    const p = await run('record', 'create', 'people', '--data-dir', dir, '--data', '{"lastName":"Sans","email":"s@mandat.fr"}');
    const pid = (JSON.parse(p.out) as { id: string }).id;
    const r = await run('record', 'create', 'contracts', '--data-dir', dir, '--data', JSON.stringify({ organisationId: orgId, contactIds: [pid] }));
    expect(r.code).toBe(1);
    for (const field of ['contacts[0].firstName', 'offer', 'startDate']) expect(r.err).toContain(field);
    expect(r.err).not.toContain('s@mandat.fr');
  }, 60_000);

  it('refuses bad JSON, unknown fields, unknown types and bad filters, naming them', async () => {
    const dir = tempDir();
    expect((await run('record', 'create', 'people', '--data-dir', dir, '--data', '{nope')).err).toContain('not valid JSON');
    expect((await run('record', 'create', 'people', '--data-dir', dir, '--data', '{"shoeSize":42}')).err).toContain('shoeSize: is not a known field');
    expect((await run('record', 'create', 'spaceships', '--data-dir', dir, '--data', '{}')).err).toContain('Unknown record type');
    expect((await run('record', 'list', 'invoices', '--data-dir', dir, '--filter', 'status=lost')).err).toContain('status');
  }, 60_000);
});

describe('P2.1 the CLI goes through the gate', () => {
  it('P2.1 record commands run as the operator by default and as a role with --as, forbidden roles get an error and no data', async () => {
    const dir = tempDir();
    const org = JSON.parse((await run('record', 'create', 'organisations', '--data-dir', dir, '--data', '{"name":"Gate SA"}')).out) as { id: string };
    await run('record', 'create', 'people', '--data-dir', dir, '--data', JSON.stringify({ lastName: 'Portail', email: 'portail@gate.fr', jobTitle: 'DSI', organisationId: org.id }));
    await run('record', 'create', 'invoices', '--data-dir', dir, '--data', JSON.stringify({ organisationId: org.id, number: 'G-1', issueDate: '2026-01-01', dueDate: '2026-02-01', amount: 5 }));
    const expectations: [string, string, boolean][] = [
      ['marketing', 'invoices', false],
      ['logistics', 'invoices', false],
      ['administration', 'invoices', true],
      ['logistics', 'people', true],
      ['subcontractor', 'people', false],
    ];
    for (const [role, type, allowed] of expectations) {
      const r = await run('record', 'list', type, '--data-dir', dir, '--as', role);
      expect(r.code, `${role} ${type}: ${r.err}`).toBe(allowed ? 0 : 1);
      if (!allowed) {
        expect(r.err).toContain('may not read');
        expect(r.out).not.toContain('portail@gate.fr');
      }
    }
    // Field-level: logistics sees the email but not the job title.
    const logistics = await run('record', 'list', 'people', '--data-dir', dir, '--as', 'logistics');
    expect(logistics.out).toContain('portail@gate.fr');
    expect(logistics.out).not.toContain('DSI');
    expect((await run('record', 'list', 'people', '--data-dir', dir, '--as', 'astronaut')).err).toContain('Unknown role');
    // Every one of these accesses is in the audit trail, the CLI ones as cli:<user>.
    const verify = await run('audit', 'verify', '--data-dir', dir);
    expect(verify.code, verify.err).toBe(0);
    expect(verify.out).toMatch(/^ok: \d+ entries/m);
  }, 90_000);

  it('P2.2 token create prints the token alone on its last line', async () => {
    const dir = tempDir();
    const created = await run('token', 'create', '--role', 'sales', '--name', 'crm sync', '--data-dir', dir);
    expect(created.code, created.err).toBe(0);
    const lines = created.out.trim().split('\n');
    expect(lines[lines.length - 1]).toMatch(/^rmp_[A-Za-z0-9_-]{20,}$/);
  }, 60_000);
});

describe('rempart subject', () => {
  it('P5.2 P5.1 P5.3 rectify, export, erase and scan a person from the command line', async () => {
    const dir = tempDir();
    await run('record', 'create', 'people', '--data-dir', dir, '--data', JSON.stringify({ lastName: 'Ancien-Nom', firstName: 'Rémi', email: 'remi.cli@client.fr', phones: [{ number: '+33677889900' }] }));
    const rect = await run('subject', 'rectify', '--email', 'remi.cli@client.fr', '--data', '{"lastName":"Nouveau-Nom"}', '--data-dir', dir);
    expect(rect.code, rect.err).toBe(0);
    const zip = join(dir, 'export.zip');
    const exp = await run('subject', 'export', '--email', 'remi.cli@client.fr', '--out', zip, '--data-dir', dir);
    expect(exp.code, exp.err).toBe(0);
    const { unzipSync, strFromU8 } = await import('fflate');
    const files = unzipSync(readFileSync(zip));
    expect(Object.keys(files)).toEqual(expect.arrayContaining(['access.json', 'access.html', 'manifest.json']));
    const json = strFromU8(files['access.json']!);
    expect(json).toContain('Nouveau-Nom');
    // The old value is the person's own history, part of what they get (Art. 15).
    expect(json).toContain('Ancien-Nom');
    expect(strFromU8(files['access.html']!)).toContain('8 rue Vivienne');
    expect((await run('subject', 'scan', '--email', 'remi.cli@client.fr', '--data-dir', dir)).code).toBe(1);
    const erase = await run('subject', 'erase', '--email', 'remi.cli@client.fr', '--reason', 'request 42', '--data-dir', dir);
    expect(erase.code, erase.err).toBe(0);
    const scan = await run('subject', 'scan', '--email', 'remi.cli@client.fr', '--data-dir', dir);
    expect(scan.code, scan.out + scan.err).toBe(0);
    expect((await run('audit', 'verify', '--data-dir', dir)).code).toBe(0);
  }, 120_000);
});
