import { readFile } from 'node:fs/promises';
import jsonld from 'jsonld';
import { extractText, getDocumentProxy } from 'unpdf';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkPolicy, DEFAULT_POLICY_FILE, loadPolicy, parsePolicy, type LoadedPolicy } from '../policy/index.js';
import { buildRegister, type Register } from './register.js';
import { registerJsonLd } from './register-jsonld.js';
import { renderRegister } from './render.js';

let policy: LoadedPolicy;
let text: string;
let fr: Register;

beforeAll(async () => {
  policy = await loadPolicy(DEFAULT_POLICY_FILE);
  text = await readFile(DEFAULT_POLICY_FILE, 'utf8');
  fr = buildRegister(policy, { lang: 'fr' });
});

/** The default policy with a US subcontractor under standard contractual clauses serving training and CRM. */
function withTransfer(safeguard: string | null): string {
  const sub = `  subcontractors:\n    - id: us_mailer\n      name: "Mailer Inc."\n      country: US\n${safeguard ? `      safeguard: ${safeguard}\n` : ''}      purposes: [training, crm]\n`;
  return text.replace(/ {2}subcontractors: \[\]\n/, sub);
}

describe('the register as controller (D1, GDPR Art. 30(1))', () => {
  it('D1 has one entry per controller purpose with every Art. 30(1) field', () => {
    const controllerPurposes = policy.purposes.filter((p) => p.role === 'controller');
    expect(fr.asController.map((e) => e.purpose.id)).toEqual(controllerPurposes.map((p) => p.id));
    // (a) controller's name and contact; DPO.
    expect(fr.controller.name).toBe('CERTILIENCE');
    expect(fr.controller).toHaveProperty('dpo');
    for (const e of fr.asController) {
      const p = controllerPurposes.find((x) => x.id === e.purpose.id);
      // (b) purpose; its lawful basis.
      expect(e.description).toBe(p?.description.fr);
      expect(e.legalBases.map((b) => b.id)).toEqual(p?.legalBases);
      expect(e.legalBases.every((b) => /RGPD, art\. 6\.1\.[a-f]/.test(b.label))).toBe(true);
      // (c) categories of people and of data.
      expect(e.dataSubjects.length).toBeGreaterThan(0);
      expect(e.dataSubjects.map((s) => s.id)).toEqual(p?.dataSubjects);
      expect(e.dataCategories.map((s) => s.id)).toEqual(p?.dataCategories);
      expect(e.dataCategories.every((c) => c.label !== c.id)).toBe(true);
      // (d) recipients.
      expect(e.recipients.map((r) => r.id)).toEqual(expect.arrayContaining([...(p?.recipients ?? [])]));
      // (e) transfers: none in the default policy, and the entry says so.
      expect(e.transfers).toEqual([]);
      // (f) time limits for erasure, in words.
      expect(e.retention.active).toBe(p?.retention.active);
      expect(e.retention.text).toMatch(/conservées/);
      expect(e.retention.text).not.toMatch(/\bP\d+[YMD]\b/);
      // (g) security measures.
      expect(e.securityMeasures).toEqual(policy.securityMeasures.map((m) => m.fr));
    }
    const crm = fr.asController.find((e) => e.purpose.id === 'crm');
    expect(crm?.legitimateInterest).toContain('relation client');
    expect(crm?.retention.text).toContain('dix ans');
  });

  it('D1 the Markdown, HTML and PDF forms show every field in French and English', async () => {
    const md = (await renderRegister(policy, { lang: 'fr', format: 'md' })) as string;
    for (const label of [
      'Responsable du traitement', 'Délégué à la protection des données', 'Finalité du traitement', 'Base(s) légale(s)',
      'Catégories de personnes concernées', 'Catégories de données à caractère personnel', 'Catégories de destinataires',
      "Transferts hors de l'UE/EEE et garanties", "Délais prévus pour l'effacement", 'Mesures de sécurité techniques et organisationnelles',
    ]) {
      expect(md.split(`**${label}**`).length - 1, label).toBeGreaterThanOrEqual(label === 'Responsable du traitement' ? 0 : 1);
    }
    expect(md.split('**Finalité du traitement**').length - 1).toBe(fr.asController.length);
    expect(md.split('**Mesures de sécurité techniques et organisationnelles**').length - 1).toBe(fr.asController.length + fr.asProcessor.length);
    expect(md).toContain('(à compléter)');
    const en = (await renderRegister(policy, { lang: 'en', format: 'html' })) as string;
    expect(en).toContain('<html lang="en">');
    expect(en).toContain('Activities as controller (GDPR Art. 30(1))');
    expect(en).toContain('Activities as processor (GDPR Art. 30(2))');
    expect(en).toContain('Time limits for erasure');
    const pdf = (await renderRegister(policy, { lang: 'fr', format: 'pdf' })) as Buffer;
    const { text: t } = await extractText(await getDocumentProxy(new Uint8Array(pdf)), { mergePages: true });
    expect(t.replace(/\s+/g, ' ')).toContain('Registre des activités de traitement');
    expect(t.replace(/\s+/g, ' ')).toContain('Gestion de la relation client');
  });

  it('D1 P3.1 lists each transfer outside the EU/EEA with its safeguard', () => {
    const p = parsePolicy(withTransfer('scc'), 'transfer.yaml');
    const r = buildRegister(p, { lang: 'fr' });
    const crm = r.asController.find((e) => e.purpose.id === 'crm');
    expect(crm?.transfers).toEqual([
      expect.objectContaining({ id: 'us_mailer', country: 'US', ground: 'scc', safeguard: expect.stringContaining('clauses contractuelles types') }),
    ]);
    expect(crm?.recipients.map((x) => x.id)).toContain('us_mailer');
    const training = r.asProcessor.find((e) => e.purpose.id === 'training');
    expect(training?.subProcessors.map((s) => s.id)).toEqual(['us_mailer']);
    expect(training?.transfers[0]?.ground).toBe('scc');
    // Purposes the subcontractor does not serve have no transfer.
    expect(r.asController.find((e) => e.purpose.id === 'prospecting')?.transfers).toEqual([]);
  });

  it('P3.1 policy check fails on the same subcontractor without a safeguard, and passes with one', () => {
    expect(checkPolicy(withTransfer('scc'), 't.yaml')).toEqual([]);
    const problems = checkPolicy(withTransfer(null), 't.yaml');
    expect(problems.map((x) => x.message).join('\n')).toMatch(/subcontractor 'us_mailer' is in US, outside the EU\/EEA/);
  });
});

describe('the register as processor (D1, GDPR Art. 30(2))', () => {
  it('D1 the training entry has its categories, sub-processors and measures, and says per-client lines are not there yet', async () => {
    const [training] = fr.asProcessor;
    expect(fr.asProcessor).toHaveLength(1);
    expect(training?.purpose.id).toBe('training');
    expect(training?.categoriesOfProcessing).toContain('phishing');
    expect(training?.dataSubjects.map((s) => s.id)).toEqual(['trainees']);
    expect(training?.subProcessors).toEqual([]);
    expect(training?.securityMeasures.length).toBe(policy.securityMeasures.length);
    expect(training?.clients).toEqual([]);
    expect(training?.clientsNote).toMatch(/pas encore enregistrées.*une ligne par client/);
    const md = (await renderRegister(policy, { lang: 'fr', format: 'md' })) as string;
    expect(md).toContain('Activités en qualité de sous-traitant (RGPD, art. 30.2)');
    expect(md).toContain('pas encore une ligne par client');
  });

  it('D1 with engagements known, one line per client', () => {
    const r = buildRegister(policy, { lang: 'en', clients: [{ id: 'c1', name: 'ACME SA', purpose: 'training' }] });
    expect(r.asProcessor[0]?.clients).toEqual([{ id: 'c1', name: 'ACME SA' }]);
    expect(r.asProcessor[0]?.clientsNote).toBeNull();
  });
});

describe('the register in JSON-LD with the Data Privacy Vocabulary (D1)', () => {
  const DPV = 'https://w3id.org/dpv#';
  const GDPR = 'https://w3id.org/dpv/legal/eu/gdpr#';
  const PD = 'https://w3id.org/dpv/pd#';

  /** No network in tests: any remote document is refused. */
  const offline = async (url: string): Promise<never> => {
    throw new Error(`no remote document in tests: ${url}`);
  };

  it('D1 parses as JSON-LD offline and uses DPV IRIs for purposes, bases, data, recipients, storage and location', async () => {
    const out = (await renderRegister(policy, { lang: 'fr', format: 'jsonld' })) as string;
    const doc = JSON.parse(out) as object;
    const expanded = await jsonld.expand(doc, { documentLoader: offline });
    const json = JSON.stringify(expanded);
    for (const term of ['hasPurpose', 'hasLegalBasis', 'hasPersonalData', 'hasDataSubject', 'hasRecipient', 'hasStorageCondition', 'hasDuration', 'hasLocation', 'hasTechnicalOrganisationalMeasure', 'hasDataController', 'hasDataProcessor']) {
      expect(json, term).toContain(`"${DPV}${term}"`);
    }
    for (const basis of ['A6-1-a', 'A6-1-b', 'A6-1-c', 'A6-1-f']) expect(json).toContain(`"${GDPR}${basis}"`);
    expect(json).toContain(`"${PD}EmailAddress"`);
    expect(json).toContain(`"${DPV}CustomerRelationshipManagement"`);
    expect(json).toContain('"https://w3id.org/dpv/loc#FR"');
    // Round trip through RDF: the graph holds one process per purpose, each with a purpose.
    const nquads = (await jsonld.toRDF(doc, { format: 'application/n-quads', documentLoader: offline })) as unknown as string;
    const processes = nquads.split('\n').filter((l) => l.includes('<http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://w3id.org/dpv#Process>'));
    expect(processes).toHaveLength(policy.purposes.length);
    const hasPurpose = nquads.split('\n').filter((l) => l.includes('<https://w3id.org/dpv#hasPurpose>'));
    expect(hasPurpose).toHaveLength(policy.purposes.length);
  });

  it('D1 P3.1 a transfer carries its GDPR safeguard IRI and country', async () => {
    const p = parsePolicy(withTransfer('scc'), 'transfer.yaml');
    const expanded = JSON.stringify(await jsonld.expand(registerJsonLd(p, buildRegister(p, { lang: 'en' })) as object, { documentLoader: offline }));
    expect(expanded).toContain(`"${GDPR}A46-2-c"`);
    expect(expanded).toContain('"https://w3id.org/dpv/loc#US"');
  });
});
