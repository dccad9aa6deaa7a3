import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { analysePolicy, checkPolicy } from './check-policy.js';
import { DEFAULT_POLICY_FILE } from './load-policy.js';

const FILE = 'policies/certilience.yaml';
const TEXT = readFileSync(DEFAULT_POLICY_FILE, 'utf8');

/** Index of `needle` after `anchor` (both must exist). */
function indexAfter(text: string, anchor: string, needle: string): number {
  const start = text.indexOf(anchor);
  if (start < 0) throw new Error(`anchor not found: ${anchor}`);
  const at = text.indexOf(needle, start);
  if (at < 0) throw new Error(`"${needle}" not found after "${anchor}"`);
  return at;
}

/** Replaces the first `from` after `anchor`, so that edits target one place of the file. */
function edit(text: string, anchor: string, from: string, to: string): string {
  const at = indexAfter(text, anchor, from);
  return text.slice(0, at) + to + text.slice(at + from.length);
}

/** Removes from `from` (inclusive) to `until` (exclusive), both found after `anchor`. */
function cut(text: string, anchor: string, from: string, until: string): string {
  const start = indexAfter(text, anchor, from);
  const end = text.indexOf(until, start);
  if (end < 0) throw new Error(`"${until}" not found`);
  return text.slice(0, start) + text.slice(end);
}

/** The 1-based line of the first `needle` after `anchor`. */
function line(text: string, anchor: string, needle = anchor): number {
  return text.slice(0, indexAfter(text, anchor, needle)).split('\n').length;
}

const CRM = '  - id: crm\n';
const PROSPECTING = '  - id: prospecting\n    name:';
const TRAINING = '  - id: training\n';
const FILE_SHARING = '  - id: file_sharing\n';
const CONNECTION_LOGS = '  - id: connection_logs\n';

describe('checkPolicy: the default policy', () => {
  it('P1.1 P2.1 P3.1 P4.1 the default policy checks clean', () => {
    expect(checkPolicy(TEXT, FILE)).toEqual([]);
  });
});

describe('checkPolicy: purposes', () => {
  it('P1.3 a controller purpose without a legal basis is refused (GDPR Art. 6(1))', () => {
    const text = edit(TEXT, CRM, 'legalBases: [contract, legitimate_interest]', 'legalBases: []');
    expect(checkPolicy(text, FILE)).toEqual([
      {
        file: FILE,
        path: 'purposes[0].legalBases',
        line: line(text, CRM, 'legalBases: []'),
        message: "controller purpose 'crm' has no legal basis (GDPR Art. 6(1))",
      },
    ]);
  });

  it('P4.1 a purpose without a retention rule is refused, at the line of the purpose', () => {
    const text = cut(TEXT, FILE_SHARING, '    retention:\n', '    location:');
    expect(checkPolicy(text, FILE)).toEqual([
      {
        file: FILE,
        path: 'purposes[3].retention',
        line: line(text, FILE_SHARING),
        message: "required key 'retention' is missing",
      },
    ]);
  });

  it('P1.5 a processor purpose whose basis is not processor_instructions is refused (GDPR Art. 28(3)(a))', () => {
    const text = edit(TEXT, TRAINING, 'legalBases: [processor_instructions]', 'legalBases: [consent]');
    expect(checkPolicy(text, FILE)).toEqual([
      {
        file: FILE,
        path: 'purposes[2].legalBases',
        line: line(text, TRAINING, 'legalBases: [consent]'),
        message: "processor purpose 'training' must have processor_instructions as its only basis (GDPR Art. 28(3)(a)), got [consent]",
      },
    ]);
  });

  it('P1.7 a controller purpose cannot rest on processor_instructions', () => {
    const text = edit(TEXT, CONNECTION_LOGS, 'legalBases: [legal_obligation]', 'legalBases: [legal_obligation, processor_instructions]');
    const [problem, ...rest] = checkPolicy(text, FILE);
    expect(rest).toEqual([]);
    expect(problem?.path).toBe('purposes[4].legalBases[1]');
    expect(problem?.line).toBe(line(text, CONNECTION_LOGS, 'legalBases:'));
    expect(problem?.message).toMatch(/^processor_instructions is a basis only for processor purposes/);
  });

  it('P1.4 a legitimate-interest purpose must state the interest (GDPR Art. 13(1)(d))', () => {
    const text = cut(TEXT, PROSPECTING, '    legitimateInterest:\n', '    dataCategories:');
    expect(checkPolicy(text, FILE)).toEqual([
      {
        file: FILE,
        path: 'purposes[1].legitimateInterest',
        line: line(text, PROSPECTING),
        message: "purpose 'prospecting' relies on legitimate_interest but does not state the interest pursued (GDPR Art. 13(1)(d))",
      },
    ]);
  });

  it('P2.1 a purpose listing an unknown recipient role is refused', () => {
    const text = edit(TEXT, CRM, 'dpo, archive_reader]', 'dpo, archive_reader, auditors]');
    expect(checkPolicy(text, FILE)).toEqual([
      {
        file: FILE,
        path: 'purposes[0].recipients[10]',
        line: line(text, CRM, 'recipients:'),
        message: "unknown recipient role 'auditors'",
      },
    ]);
  });

  it('P2.1 a role granted a purpose must be among its recipients (GDPR Art. 13(1)(e))', () => {
    const text = edit(TEXT, CRM, 'administration, logistics, manager', 'administration, manager');
    expect(checkPolicy(text, FILE)).toEqual([
      {
        file: FILE,
        path: 'purposes[0].recipients',
        line: line(text, CRM, 'recipients:'),
        message: "role 'logistics' is granted access to purpose 'crm' but is not listed among its recipients (GDPR Art. 13(1)(e))",
      },
    ]);
  });

  it('P1.1 a purpose using an undeclared data category, category of people or location is refused', () => {
    let text = edit(TEXT, CONNECTION_LOGS, 'dataCategories: [identity, connection]', 'dataCategories: [identity, connection, biometrics]');
    text = edit(text, CONNECTION_LOGS, 'dataSubjects: [client_contacts, trainees]', 'dataSubjects: [client_contacts, visitors]');
    text = edit(text, CONNECTION_LOGS, 'location: [primary_database, backups]', 'location: [primary_database, cloud]');
    expect(checkPolicy(text, FILE)).toEqual([
      { file: FILE, path: 'purposes[4].dataCategories[2]', line: line(text, CONNECTION_LOGS, 'dataCategories:'), message: "unknown data category 'biometrics'" },
      { file: FILE, path: 'purposes[4].dataSubjects[1]', line: line(text, CONNECTION_LOGS, 'dataSubjects:'), message: "unknown category of people 'visitors'" },
      {
        file: FILE,
        path: 'purposes[4].location[1]',
        line: line(text, CONNECTION_LOGS, 'location:'),
        message: "unknown location 'cloud' (declare it under locations)",
      },
    ]);
  });

  it('ids declared twice are refused', () => {
    const text = edit(TEXT, '  - id: sales\n', '  - id: sales\n', '  - id: marketing\n');
    const problems = checkPolicy(text, FILE);
    expect(problems).toContainEqual({
      file: FILE,
      path: 'roles[1].id',
      line: line(text, '  - id: marketing\n    label: { fr: "Service commercial"'),
      message: "role 'marketing' is declared twice",
    });
  });
});

describe('checkPolicy: roles', () => {
  const LOGISTICS = '  - id: logistics\n';
  const MARKETING = '  - id: marketing\n';

  it('P2.1 a role granted a purpose the policy does not declare is refused', () => {
    const text = cut(TEXT, CONNECTION_LOGS, CONNECTION_LOGS, '# Accountability');
    expect(checkPolicy(text, FILE)).toEqual([
      {
        file: FILE,
        path: 'roles[6].grants[0].purposes[0]',
        line: line(text, '  - id: it\n', 'purposes: [connection_logs]'),
        message: "role 'it' is granted purpose 'connection_logs', which the policy does not declare",
      },
      {
        file: FILE,
        path: 'roles[11].grants[4].purposes[0]',
        line: line(text, '  - id: dpo\n', 'purposes: [connection_logs]'),
        message: "role 'dpo' is granted purpose 'connection_logs', which the policy does not declare",
      },
    ]);
  });

  it('P2.1 a role granted an unknown data category is refused', () => {
    const text = edit(TEXT, LOGISTICS, 'categories: [identity, contact, order, delivery]', 'categories: [identity, contact, order, delivery, adress]');
    expect(checkPolicy(text, FILE)).toEqual([
      {
        file: FILE,
        path: 'roles[5].grants[0].categories[4]',
        line: line(text, LOGISTICS, 'categories:'),
        message: "role 'logistics' is granted unknown data category 'adress'",
      },
    ]);
  });

  it('P2.1 a grant cannot reach a category none of its purposes processes (GDPR Art. 5(1)(b))', () => {
    const text = edit(TEXT, MARKETING, 'categories: [identity, contact, professional, provenance, survey]', 'categories: [identity, contact, professional, provenance, survey, connection]');
    expect(checkPolicy(text, FILE)).toEqual([
      {
        file: FILE,
        path: 'roles[0].grants[1].categories[5]',
        line: line(text, MARKETING, 'categories: [identity, contact, professional, provenance, survey'),
        message: "role 'marketing' is granted category 'connection', which none of its purposes [crm] processes",
      },
    ]);
  });

  it('P2.1 a role including an unknown role is refused', () => {
    const text = edit(TEXT, '  - id: manager\n', 'administration, logistics]', 'administration, logistics, directors]');
    expect(checkPolicy(text, FILE)).toEqual([
      {
        file: FILE,
        path: 'roles[7].includes[6]',
        line: line(text, '  - id: manager\n', 'includes:'),
        message: "includes unknown role 'directors'",
      },
    ]);
  });

  it('P2.1 roles including each other in a cycle are refused', () => {
    const text = edit(TEXT, MARKETING, 'kind: staff\n', 'kind: staff\n    includes: [manager]\n');
    expect(checkPolicy(text, FILE)).toEqual([
      {
        file: FILE,
        path: 'roles[0].includes',
        line: line(text, MARKETING, 'includes: [manager]'),
        message: 'roles include each other in a cycle: marketing → manager → marketing',
      },
    ]);
  });

  it('P4.5 an archive grant may only read', () => {
    const anchor = '  - id: archive_reader\n';
    const text = edit(TEXT, anchor, 'operations: [read]', 'operations: [read, delete]');
    expect(checkPolicy(text, FILE)).toEqual([
      {
        file: FILE,
        path: 'roles[12].grants[0].operations[1]',
        line: line(text, anchor, 'operations:'),
        message: 'an archive grant may only read, not delete',
      },
    ]);
  });
});

describe('checkPolicy: locations (P3.1)', () => {
  const BACKUPS = '    - id: backups\n';
  const withBackupsIn = (country: string, safeguard?: string): string =>
    edit(TEXT, BACKUPS, 'country: FR', safeguard === undefined ? `country: ${country}` : `country: ${country}\n      safeguard: ${safeguard}`);

  it('P3.1 policy check fails on a store outside the EU without safeguard', () => {
    const text = withBackupsIn('US');
    expect(checkPolicy(text, FILE)).toEqual([
      {
        file: FILE,
        path: 'locations.stores[1].country',
        line: line(text, BACKUPS, 'country: US'),
        message: "store 'backups' is in US, outside the EU/EEA, with neither an adequacy decision nor a declared safeguard (scc, bcr) (GDPR Art. 44-46)",
      },
    ]);
  });

  it('P3.1 policy check fails on a partner or subcontractor outside the EU without safeguard', () => {
    let text = edit(TEXT, '  partners: []', '  partners: []', '  partners:\n    - id: acme\n      name: Acme\n      country: BR\n      purposes: [file_sharing]');
    text = edit(text, '  subcontractors: []', '  subcontractors: []', '  subcontractors:\n    - id: mailer\n      name: Mailer\n      country: IN');
    expect(checkPolicy(text, FILE)).toEqual([
      {
        file: FILE,
        path: 'locations.subcontractors[0].country',
        line: line(text, '    - id: mailer', 'country: IN'),
        message: "subcontractor 'mailer' is in IN, outside the EU/EEA, with neither an adequacy decision nor a declared safeguard (scc, bcr) (GDPR Art. 44-46)",
      },
      {
        file: FILE,
        path: 'locations.partners[0].country',
        line: line(text, '    - id: acme', 'country: BR'),
        message: "partner 'acme' is in BR, outside the EU/EEA, with neither an adequacy decision nor a declared safeguard (scc, bcr) (GDPR Art. 44-46)",
      },
    ]);
  });

  it('P3.1 policy check fails when an adequacy decision is claimed where there is none', () => {
    const text = withBackupsIn('CN', 'adequacy');
    expect(checkPolicy(text, FILE)).toEqual([
      {
        file: FILE,
        path: 'locations.stores[1].safeguard',
        line: line(text, BACKUPS, 'safeguard: adequacy'),
        message: "store 'backups' declares an adequacy decision, but the European Commission has none for CN (GDPR Art. 45)",
      },
    ]);
  });

  it('P3.1 EEA, adequacy countries, a declared safeguard and DPF-certified US recipients pass', () => {
    expect(checkPolicy(withBackupsIn('NO'), FILE)).toEqual([]);
    expect(checkPolicy(withBackupsIn('CH'), FILE)).toEqual([]);
    expect(checkPolicy(withBackupsIn('GB'), FILE)).toEqual([]);
    expect(checkPolicy(withBackupsIn('CN', 'scc'), FILE)).toEqual([]);
    expect(checkPolicy(withBackupsIn('IN', 'bcr'), FILE)).toEqual([]);
    expect(checkPolicy(withBackupsIn('US', 'adequacy'), FILE)).toEqual([]);
  });
});

describe('checkPolicy: schema', () => {
  it('an unknown key is refused with a suggestion, and the key it replaced is reported missing', () => {
    const text = edit(TEXT, CRM, '    retention:\n', '    retension:\n');
    expect(checkPolicy(text, FILE)).toEqual([
      { file: FILE, path: 'purposes[0].retention', line: line(text, CRM), message: "required key 'retention' is missing" },
      {
        file: FILE,
        path: 'purposes[0].retension',
        line: line(text, CRM, 'retension:'),
        message: "unknown key 'retension' (did you mean 'retention'?)",
      },
    ]);
  });

  it('a value outside a closed set is refused with the allowed values', () => {
    const text = edit(TEXT, '  - id: sales\n', 'purposes: [crm]', 'purposes: [crmm]');
    expect(checkPolicy(text, FILE)).toEqual([
      {
        file: FILE,
        path: 'roles[1].grants[0].purposes[0]',
        line: line(text, '  - id: sales\n', 'purposes: [crmm]'),
        message: `must be one of: crm, prospecting, training, file_sharing, connection_logs; got "crmm" (did you mean 'crm'?)`,
      },
    ]);
  });

  it('P4.1 a retention period that is not an ISO-8601 duration is refused', () => {
    const text = edit(TEXT, CRM, 'active: P3Y', 'active: 3 years');
    expect(checkPolicy(text, FILE)).toEqual([
      {
        file: FILE,
        path: 'purposes[0].retention.active',
        line: line(text, CRM, 'active: 3 years'),
        message: 'must be an ISO-8601 duration of the form PnYnMnD such as P3Y or P0D, got "3 years"',
      },
    ]);
  });

  it('every schema problem is reported at once, in file order', () => {
    let text = edit(TEXT, 'version:', 'effectiveDate: "2018-06-20"', 'effectiveDate: "2018-02-30"');
    text = edit(text, 'supervisoryAuthority:', 'website: "http://www.cnil.fr/"', 'website: www.cnil.fr');
    text = edit(text, TRAINING, 'role: processor', 'role: procesor');
    text = edit(text, '  - id: it\n', 'mfa: true', 'mfa: yes please');
    const problems = checkPolicy(text, FILE);
    expect(problems.map((p) => p.path)).toEqual([
      'version.effectiveDate',
      'supervisoryAuthority.website',
      'purposes[2].role',
      'roles[6].mfa',
    ]);
    expect(problems.map((p) => p.line)).toEqual([
      line(text, 'effectiveDate:'),
      line(text, 'website:'),
      line(text, TRAINING, 'role: procesor'),
      line(text, '  - id: it\n', 'mfa:'),
    ]);
    expect(problems[0]?.message).toBe('must be a calendar date YYYY-MM-DD, got "2018-02-30"');
    expect(problems[2]?.message).toContain("(did you mean 'processor'?)");
    expect(problems[3]?.message).toBe('must be true or false, got "yes please"');
  });

  it('a missing top-level section is reported at the root', () => {
    const text = TEXT.slice(0, TEXT.indexOf('securityMeasures:'));
    expect(checkPolicy(text, FILE)).toEqual([
      { file: FILE, path: 'securityMeasures', line: line(text, 'version:'), message: "required key 'securityMeasures' is missing" },
    ]);
  });

  it('YAML syntax errors are reported with their line', () => {
    const text = edit(TEXT, CRM, '    role: controller\n', '    role: controller\n    role: processor\n');
    const problems = checkPolicy(text, FILE);
    expect(problems).toHaveLength(1);
    expect(problems[0]?.path).toBe('');
    expect(problems[0]?.line).toBe(line(text, CRM, '    role: processor'));
    expect(problems[0]?.message).toMatch(/^YAML: Map keys must be unique/);
  });

  it('an empty file is refused', () => {
    expect(checkPolicy('', FILE)).toEqual([{ file: FILE, path: '', line: 1, message: 'must be a mapping, got nothing' }]);
  });
});

describe('analysePolicy: warnings on who to write to (issue 15, item 5)', () => {
  const CONTACTS = ['controller.address.street', 'controller.address.postalCode', 'controller.address.city', 'controller.email', 'controller.dpo.email'];

  it('D2 each empty contact of the shipped policy is a warning naming its path and line, not a problem', () => {
    const { problems, warnings, policy } = analysePolicy(TEXT, FILE);
    expect(problems).toEqual([]);
    expect(policy).toBeDefined();
    expect(warnings.map((w) => w.path)).toEqual(CONTACTS);
    expect(warnings.find((w) => w.path === 'controller.email')?.line).toBe(line(TEXT, 'controller:', '  email: ""'));
    expect(warnings.find((w) => w.path === 'controller.dpo.email')?.line).toBe(line(TEXT, '  dpo:', 'email: ""'));
    for (const w of warnings) expect(w.message).toMatch(/^empty: .*GDPR Art\. 13\(1\)\((a|b)\)/);
  });

  it('D2 no warning once they are filled; one for the one left empty', () => {
    const filled = TEXT.replace('street: ""', 'street: "1 rue de la Paix"')
      .replace('postalCode: ""', 'postalCode: "75002"')
      .replace('city: ""', 'city: Paris')
      .replace(/(\n {2}email: )""/, '$1contact@certilience.example')
      .replace(/(\n {4}email: )""/, '$1dpo@certilience.example');
    expect(filled).not.toBe(TEXT);
    expect(analysePolicy(filled, FILE).warnings).toEqual([]);
    const noDpo = filled.replace('dpo@certilience.example', '""');
    expect(analysePolicy(noDpo, FILE).warnings.map((w) => w.path)).toEqual(['controller.dpo.email']);
  });

  it('a policy with problems gives its problems only', () => {
    const broken = TEXT.replace('legalBases: [contract, legitimate_interest]', 'legalBases: []');
    const { problems, warnings } = analysePolicy(broken, FILE);
    expect(problems.length).toBeGreaterThan(0);
    expect(warnings).toEqual([]);
  });
});
