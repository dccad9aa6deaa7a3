import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fieldOfHeader, loadMappingFile, resolveColumns, type ProspectField } from './mapping.js';
import { normaliseProspectRow, parseConsentAnswer, type RowValues } from './prospect-row.js';
import type { ImportProblemCode } from './tables.js';

/**
 * Opt-in columns of prospect files (R-PROS-6: a personal-domain address may be solicited
 * only with consent): recognised, read, and turned into a consent only when the file can
 * demonstrate it (GDPR Art. 7(1)). The database side is in consents.test.ts.
 */
const now = new Date('2026-11-26T10:00:00Z');
const where = { row: 1, line: 2 };
const base: RowValues = { firstName: ['Élodie'], lastName: ['Martin'], email: ['elodie.martin@gmail.com'] };
const row = (extra: RowValues) => normaliseProspectRow({ ...base, ...extra }, where, now);

describe('R-PROS-6 opt-in columns', () => {
  it('R-PROS-6 French and English opt-in headers map whatever their case, accents, spacing and punctuation', () => {
    const cases: [string, ProspectField][] = [
      ['Consentement', 'consentEmail'],
      ['OPT-IN', 'consentEmail'],
      ['optin', 'consentEmail'],
      ['Opt_in e-mail', 'consentEmail'],
      ['accepte_newsletter', 'consentEmail'],
      ['Accepte les offres', 'consentEmail'],
      ['Opt-in partenaires', 'consentEmail'],
      ['consent', 'consentEmail'],
      ['Marketing consent', 'consentEmail'],
      ['consent_date', 'consentAt'],
      ['Date du consentement', 'consentAt'],
      ['Date opt-in', 'consentAt'],
      ['Consented at', 'consentAt'],
      ['Preuve', 'consentEvidence'],
      ['preuve_consentement', 'consentEvidence'],
      ['Evidence', 'consentEvidence'],
      ['Proof of consent', 'consentEvidence'],
      ['URL formulaire', 'consentEvidence'],
    ];
    for (const [header, field] of cases) expect([header, fieldOfHeader(header)]).toEqual([header, field]);
    // The source column keeps its meaning beside a consent source column.
    expect(resolveColumns(['Email', 'Source', 'Source du consentement', 'Optin', 'Date optin']).fields).toEqual(['email', 'source', 'consentEvidence', 'consentEmail', 'consentAt']);
    // Two opt-in columns: the import cannot guess which one is right.
    expect(() => resolveColumns(['Email', 'Optin', 'Consentement'])).toThrow(/both map to consentEmail/);
  });

  it('R-PROS-6 a mapping file may name the consent fields', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rempart-consent-map-'));
    const path = join(dir, 'mapping.yaml');
    writeFileSync(path, 'columns:\n  "RGPD OK": consentEmail\n  "Quand": consentAt\n  "Formulaire source": consentEvidence\n');
    const mapping = await loadMappingFile(path);
    expect(resolveColumns(['Mail', 'RGPD OK', 'Quand', 'Formulaire source'], mapping).fields).toEqual(['email', 'consentEmail', 'consentAt', 'consentEvidence']);
  });

  it('R-PROS-6 opt-in values: only an unambiguous yes is a yes', () => {
    const table: [string, 'yes' | 'no' | null][] = [
      ['oui', 'yes'], ['OUI', 'yes'], ['Oui.', 'yes'], ['O', 'yes'], ['yes', 'yes'], ['Y', 'yes'], ['true', 'yes'], ['TRUE', 'yes'], ['vrai', 'yes'],
      ['1', 'yes'], ['x', 'yes'], ['X', 'yes'], ['✓', 'yes'], ['☑', 'yes'], ['opt-in', 'yes'], ['Opt in', 'yes'], ['optin', 'yes'], ['accepté', 'yes'], ["J'accepte", 'yes'],
      ['non', 'no'], ['NON', 'no'], ['N', 'no'], ['no', 'no'], ['false', 'no'], ['faux', 'no'], ['0', 'no'], ['opt-out', 'no'], ['refusé', 'no'], ['-', 'no'], ['', 'no'], ['  ', 'no'],
      ['peut-être', null], ['?', null], ['oui sauf SMS', null], ['2', null], ['yes please', null], ['ok', null], ['01/02/2026', null], ['si', null],
    ];
    for (const [raw, expected] of table) expect([raw, parseConsentAnswer(raw)]).toEqual([raw, expected]);
  });

  it('R-PROS-6 a yes with its date and proof becomes a consent to email prospecting, dated when the person gave it', () => {
    const r = row({ consentEmail: ['Oui'], consentAt: ['14/03/2026'], consentEvidence: ['https://partenaire.example/jeu-concours'], collectedAt: ['2026-03-20'] });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.warnings).toEqual([]);
    expect(r.candidate.consent).toEqual({ scope: 'email_prospecting', givenAt: new Date('2026-03-14T00:00:00Z'), evidence: 'https://partenaire.example/jeu-concours' });
  });

  it("R-PROS-6 without a consent date the row's own collection date dates it; never the import date", () => {
    const dated = row({ consentEmail: ['yes'], consentEvidence: ['campagne 2026-03 #42'], collectedAt: ['2026-03-20'] });
    expect(dated.ok && dated.candidate.consent?.givenAt).toEqual(new Date('2026-03-20T00:00:00Z'));
    expect(dated.warnings).toEqual([]);
    const undated = row({ consentEmail: ['yes'], consentEvidence: ['campagne 2026-03 #42'] });
    expect(undated.ok && undated.candidate.consent).toBeNull();
    expect(undated.warnings).toEqual([{ field: 'consentAt', code: 'consent_undated', reason: expect.stringMatching(/cannot be dated.*Art\. 7\(1\)/) }]);
  });

  it('R-PROS-6 no proof of collection, no consent (GDPR Art. 7(1)); the row is still imported', () => {
    const r = row({ consentEmail: ['oui'], consentAt: ['2026-03-14'] });
    expect(r.ok).toBe(true);
    expect(r.ok && r.candidate.consent).toBeNull();
    expect(r.warnings).toEqual([{ field: 'consentEvidence', code: 'consent_no_proof', reason: expect.stringMatching(/no proof.*no consent recorded/) }]);
  });

  it('R-PROS-6 unreadable, future, too old or undatable consents are warnings on their field, the row stays valid, and no warning quotes the value', () => {
    const proof = { consentEvidence: ['https://partenaire.example/f'] };
    const cases: [RowValues, string, ImportProblemCode, RegExp][] = [
      [{ consentEmail: ['peut-être'], ...proof }, 'consentEmail', 'consent_unclear', /not a clear yes or no/],
      [{ consentEmail: ['oui'], consentAt: ['le 3 mars'], ...proof }, 'consentAt', 'consent_date_invalid', /not a date/],
      [{ consentEmail: ['oui'], consentAt: ['31/02/2026'], ...proof }, 'consentAt', 'consent_date_invalid', /not a date/],
      [{ consentEmail: ['oui'], consentAt: ['2026-12-01'], ...proof }, 'consentAt', 'consent_date_future', /in the future/],
      [{ consentEmail: ['oui'], consentAt: ['2022-01-10'], collectedAt: ['2025-06-01'], ...proof }, 'consentAt', 'consent_date_too_old', /more than 3 years before the collection date/],
      [{ consentEmail: ['oui'], consentAt: ['2026-03-01'], email: ['elodie.martin@'], phone: ['06 12 34 56 78'], ...proof }, 'consentEmail', 'consent_without_email', /no valid email/],
    ];
    for (const [values, field, code, reason] of cases) {
      const r = row(values);
      expect(r.ok).toBe(true);
      expect(r.ok && r.candidate.consent).toBeNull();
      const w = r.warnings.filter((x) => x.field.startsWith('consent'));
      expect(w).toEqual([{ field, code, reason: expect.stringMatching(reason) }]);
      for (const v of Object.values(values).flat()) if (v.length > 3) expect(JSON.stringify(r.warnings)).not.toContain(v);
    }
    // Just under the limit: a list that dates its rows by their last update still counts.
    const older = row({ consentEmail: ['oui'], consentAt: ['2022-06-02'], collectedAt: ['2025-06-01'], ...proof });
    expect(older.ok && older.candidate.consent?.givenAt).toEqual(new Date('2022-06-02T00:00:00Z'));
  });

  it('R-PROS-6 a "no", an empty cell or no opt-in column records nothing and warns of nothing; a date without a yes is a warning', () => {
    for (const extra of [{ consentEmail: ['non'], consentAt: ['2026-03-14'], consentEvidence: ['f'] }, { consentEmail: [''] }, {}] as RowValues[]) {
      const r = row(extra);
      expect(r.ok && r.candidate.consent).toBeNull();
      expect(r.warnings).toEqual([]);
    }
    const dateOnly = row({ consentAt: ['2026-03-14'], consentEvidence: ['https://partenaire.example/f'] });
    expect(dateOnly.ok && dateOnly.candidate.consent).toBeNull();
    expect(dateOnly.warnings).toEqual([{ field: 'consentAt', code: 'consent_date_without_yes', reason: expect.stringMatching(/without a yes/) }]);
  });
});
