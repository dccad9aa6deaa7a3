import { describe, expect, it } from 'vitest';
import {
  departementOfPostcode,
  fold,
  looksLikeCardNumber,
  normaliseAddress,
  normaliseCity,
  normaliseCompanyId,
  normaliseCompanyName,
  normaliseEmailAddress,
  normaliseName,
  normalisePhoneNumber,
  normalisePostcode,
  normaliseStreetLine,
  splitFullName,
  emailProblem,
} from './index.js';

describe('R-PROS-1 names', () => {
  const cases: [string, string | null, string | null][] = [
    ['DUPONT', 'Dupont', 'dupont'],
    ['dupont', 'Dupont', 'dupont'],
    ['  jean-pierre ', 'Jean-Pierre', 'jean pierre'],
    ['JEAN - PIERRE', 'Jean-Pierre', 'jean pierre'],
    ['MARIE-HÉLÈNE', 'Marie-Hélène', 'marie helene'],
    ['éloïse', 'Éloïse', 'eloise'],
    ['DE LA FONTAINE', 'de La Fontaine', 'de la fontaine'],
    ['de gaulle', 'de Gaulle', 'de gaulle'],
    ["D'ALEMBERT", "d'Alembert", 'd alembert'],
    ['d’Artagnan', "d'Artagnan", 'd artagnan'],
    ["O'BRIEN", "O'Brien", 'o brien'],
    ['LE GOFF', 'Le Goff', 'le goff'],
    ['VAN DER BERG', 'van der Berg', 'van der berg'],
    ['Van Damme', 'Van Damme', 'van damme'],
    ['McDonald', 'McDonald', 'mcdonald'],
    ['DU PONT DE NEMOURS', 'du Pont de Nemours', 'du pont de nemours'],
    ['ŒUVRAY', 'Œuvray', 'oeuvray'],
    // NFD input (e + combining acute) comes out NFC.
    ['Ame\u0301lie', 'Amélie', 'amelie'],
    ['   ', null, null],
    ['--', null, null],
    ['123', null, null],
  ];
  it.each(cases)('R-PROS-1 name %j → %j', (raw, display, folded) => {
    const n = normaliseName(raw);
    expect(n?.display ?? null).toBe(display);
    expect(n?.folded ?? null).toBe(folded);
    if (n) expect(n.display).toBe(n.display.normalize('NFC'));
  });

  it('R-PROS-1 full names split with the surname in capitals or last', () => {
    expect(splitFullName('DUPONT Jean')).toEqual({ firstName: 'Jean', lastName: 'DUPONT' });
    expect(splitFullName('Jean DUPONT')).toEqual({ firstName: 'Jean', lastName: 'DUPONT' });
    expect(splitFullName('Jean-Pierre de LA FONTAINE')).toEqual({ firstName: 'Jean-Pierre', lastName: 'de LA FONTAINE' });
    expect(splitFullName('Marie Curie')).toEqual({ firstName: 'Marie', lastName: 'Curie' });
    expect(splitFullName('Jean de La Fontaine')).toEqual({ firstName: 'Jean', lastName: 'de La Fontaine' });
    expect(splitFullName('Cher')).toEqual({ firstName: null, lastName: 'Cher' });
  });

  it('R-PROS-1 fold removes accents, ligatures and case for matching', () => {
    expect(fold('Æsop Œuvre Straße ÉLODIE')).toBe('aesop oeuvre strasse elodie');
    expect(fold("L'Haÿ-les-Roses")).toBe('l hay les roses');
  });
});

describe('R-PROS-1 emails', () => {
  const ok: [string, string, boolean][] = [
    ['  Jean.Dupont@Example.FR ', 'jean.dupont@example.fr', false],
    ['<marie@acme.fr>', 'marie@acme.fr', false],
    ['mailto:Paul@Acme.fr', 'paul@acme.fr', false],
    ['someone@gmail.com', 'someone@gmail.com', true],
    ['x@ORANGE.fr', 'x@orange.fr', true],
    ['x@free.fr', 'x@free.fr', true],
    ['x@wanadoo.fr', 'x@wanadoo.fr', true],
    ['x@laposte.net', 'x@laposte.net', true],
    ['x@hotmail.com', 'x@hotmail.com', true],
    ['x@yahoo.fr', 'x@yahoo.fr', true],
    ['x@outlook.fr', 'x@outlook.fr', true],
    ['x@sfr.fr', 'x@sfr.fr', true],
    ['prenom.nom+salon@sous.domaine.example.com', 'prenom.nom+salon@sous.domaine.example.com', false],
  ];
  it.each(ok)('R-PROS-1 email %j → %j (personal %j)', (raw, email, personal) => {
    expect(normaliseEmailAddress(raw)).toEqual({ email, domain: email.split('@')[1], personal });
  });
  const bad: [string, string][] = [
    ['', 'empty'],
    ['jean dupont@acme.fr', 'contains spaces'],
    ['jean.dupont.acme.fr', "has no '@'"],
    ['a@b@acme.fr', "has more than one '@'"],
    ['@acme.fr', "nothing before the '@'"],
    ['jean@acme', 'the domain has no dot'],
    ['jean..dupont@acme.fr', 'is not a valid email address'],
    ['jean@-acme.fr', 'is not a valid email address'],
    ['jean@acme.f', 'is not a valid email address'],
  ];
  it.each(bad)('R-PROS-1 email %j is refused: %s', (raw, reason) => {
    expect(normaliseEmailAddress(raw)).toBeNull();
    expect(emailProblem(raw)).toBe(reason);
  });
});

describe('R-PROS-1 phones', () => {
  const cases: [string, string | null, string | null][] = [
    ['06 12 34 56 78', '+33612345678', 'mobile'],
    ['06.12.34.56.78', '+33612345678', 'mobile'],
    ['612345678', '+33612345678', 'mobile'],
    ['+33 (0)6 12 34 56 78', '+33612345678', 'mobile'],
    ['0033 6 12 34 56 78', '+33612345678', 'mobile'],
    ['07 81 23 45 67', '+33781234567', 'mobile'],
    ['01 42 68 53 00', '+33142685300', 'landline'],
    ['04-72-00-00-00', '+33472000000', 'landline'],
    ['0262 21 12 34', '+262262211234', 'landline'],
    ['0692 12 34 56', '+262692123456', 'mobile'],
    ['0590 12 34 56', '+590590123456', 'landline'],
    ['+44 20 7946 0958', '+442079460958', 'landline'],
    ['+32 470 12 34 56', '+32470123456', 'mobile'],
    ['0809 10 20 30', '+33809102030', 'other'],
    ['06 12 34', null, null],
    ['n/a', null, null],
    ['', null, null],
    ['00 00 00 00 00', null, null],
  ];
  it.each(cases)('R-PROS-1 phone %j → %j (%s)', (raw, e164, type) => {
    const p = normalisePhoneNumber(raw);
    expect(p?.e164 ?? null).toBe(e164);
    expect(p?.type ?? null).toBe(type);
  });
});

describe('R-PROS-1 postal addresses', () => {
  const streets: [string, string][] = [
    ['12 avenue des Champs-Élysées', '12 AV DES CHAMPS ELYSEES'],
    ['12, Av. des Champs Elysées', '12 AV DES CHAMPS ELYSEES'],
    ['12 bis boulevard Voltaire', '12 BIS BD VOLTAIRE'],
    ['12B bd Voltaire', '12 BIS BD VOLTAIRE'],
    ['3 r. Saint-Jean', '3 RUE ST JEAN'],
    ['3 rue Sainte-Catherine', '3 RUE STE CATHERINE'],
    ['5 place de la République', '5 PL DE LA REPUBLIQUE'],
    ['5 pl. de la République', '5 PL DE LA REPUBLIQUE'],
    ['8 chemin des Vignes', '8 CHE DES VIGNES'],
    ['8 chem. des Vignes', '8 CHE DES VIGNES'],
    ['1 impasse du Moulin', '1 IMP DU MOULIN'],
    ['2 allée des Tilleuls', '2 ALL DES TILLEULS'],
    ['40 route de Lyon', '40 RTE DE LYON'],
    ['10 faubourg Saint-Honoré', '10 FG ST HONORE'],
    ['10 Fbg St Honoré', '10 FG ST HONORE'],
    ['7 cours Mirabeau', '7 CRS MIRABEAU'],
    ['7 quai des Orfèvres', '7 QUAI DES ORFEVRES'],
    ['7 qu. des Orfèvres', '7 QUAI DES ORFEVRES'],
    ['9 rond-point des Arts', '9 RPT DES ARTS'],
    ['Lieu-dit Les Granges', 'LD LES GRANGES'],
    ['rue de la Paix', 'RUE DE LA PAIX'],
    ['14 ter, rue Nationale', '14 TER RUE NATIONALE'],
  ];
  it.each(streets)('R-PROS-1 street %j → %j', (raw, normal) => {
    expect(normaliseStreetLine(raw)).toBe(normal);
  });

  const postcodes: [string, string | null, string | null][] = [
    ['75002', '75002', '75'],
    ['75 002', '75002', '75'],
    ['1000', '01000', '01'],
    ['20000', '20000', '2A'],
    ['20200', '20200', '2B'],
    ['97400', '97400', '974'],
    ['97600', '97600', '976'],
    ['98000', null, null],
    ['00100', null, null],
    ['7500', '07500', '07'],
    ['750021', null, null],
    ['ABCDE', null, null],
  ];
  it.each(postcodes)('R-PROS-1 postcode %j → %j (département %j)', (raw, postcode, dep) => {
    const r = normalisePostcode(raw);
    expect(r.ok ? r.postcode : null).toBe(postcode);
    expect(r.ok ? r.departement : null).toBe(dep);
  });

  it('R-PROS-1 a postcode is checked against the département of its commune when known', () => {
    expect(normalisePostcode('69001', '69').ok).toBe(true);
    expect(normalisePostcode('69001', '75')).toEqual({ ok: false, reason: 'the postcode is not in département 75' });
    expect(normalisePostcode('20090', '2A').ok).toBe(true);
    expect(normalisePostcode('20090', '2B').ok).toBe(false);
    expect(departementOfPostcode('20600')).toBe('2B');
    expect(departementOfPostcode('97100')).toBe('971');
  });

  it('R-PROS-1 cities and whole addresses', () => {
    expect(normaliseCity('Saint-Étienne')).toBe('ST ETIENNE');
    expect(normaliseCity('Paris Cedex 08')).toBe('PARIS CEDEX 08');
    expect(normaliseAddress({ line1: '12 av. Foch', postcode: '75 016', city: 'Paris' })).toEqual({
      ok: true,
      address: { line1: '12 AV FOCH', postcode: '75016', city: 'PARIS', country: 'FR' },
      departement: '75',
      commune: '75116',
    });
    expect(normaliseAddress({ line1: '12 av. Foch', postcode: '7501', city: 'Paris' })).toMatchObject({ ok: true, address: { postcode: '07501' } });
    expect(normaliseAddress({ line1: '12 av. Foch', postcode: 'PARIS', city: 'Paris' })).toEqual({ ok: false, field: 'postcode', reason: 'a French postcode has 5 digits' });
    expect(normaliseAddress({ line1: '', postcode: '75016', city: 'Paris' })).toMatchObject({ ok: false, field: 'address' });
    expect(normaliseAddress({ line1: '12 av. Foch', postcode: '01090', city: '' })).toMatchObject({ ok: false, field: 'city' });
    expect(normaliseAddress({ line1: 'Rue Neuve 1', postcode: '1000', city: 'Bruxelles', country: 'BE' })).toMatchObject({ ok: true, address: { postcode: '1000', country: 'BE' } });
  });
});

describe('R-PROS-1 companies', () => {
  const names: [string, string, string | null, string][] = [
    ['ACME SAS', 'ACME SAS', 'SAS', 'acme'],
    ['Acme s.a.s.', 'Acme SAS', 'SAS', 'acme'],
    ['SARL Boulangerie Dupont', 'Boulangerie Dupont SARL', 'SARL', 'boulangerie dupont'],
    ['Société Générale SA', 'Société Générale SA', 'SA', 'generale'],
    ['Dupont & Cie', 'Dupont & Cie', null, 'dupont'],
    ['Les Éditions du Midi EURL', 'Les Éditions du Midi EURL', 'EURL', 'les editions du midi'],
    ['SCI Les Tilleuls', 'Les Tilleuls SCI', 'SCI', 'les tilleuls'],
    ['Coop Ouvrière SCOP', 'Coop Ouvrière SCOP', 'SCOP', 'coop ouvriere'],
    ['Martin SNC', 'Martin SNC', 'SNC', 'martin'],
    ['Solo SASU', 'Solo SASU', 'SASU', 'solo'],
    ['SAS', 'SAS', null, 'sas'],
  ];
  it.each(names)('R-PROS-1 company %j → %j (%j, key %j)', (raw, display, legalForm, key) => {
    expect(normaliseCompanyName(raw)).toEqual({ display, legalForm, key });
  });

  it('R-PROS-1 SIREN and SIRET with their check digit, La Poste by its own rule', () => {
    expect(normaliseCompanyId('732 829 320 00074')).toEqual({ ok: true, siren: '732829320', siret: '73282932000074' });
    expect(normaliseCompanyId('732.829.320')).toEqual({ ok: true, siren: '732829320', siret: null });
    expect(normaliseCompanyId('73282932000075')).toEqual({ ok: false, reason: 'the SIRET check digit is wrong' });
    expect(normaliseCompanyId('732829321')).toEqual({ ok: false, reason: 'the SIREN check digit is wrong' });
    expect(normaliseCompanyId('35600000000048').ok).toBe(true);
    // La Poste establishment: digit sum a multiple of 5 (not Luhn-valid).
    expect(normaliseCompanyId('35600000049837').ok).toBe(true);
    expect(normaliseCompanyId('1234')).toEqual({ ok: false, reason: 'a SIREN has 9 digits and a SIRET 14' });
    expect(normaliseCompanyId('ABC')).toEqual({ ok: false, reason: 'a SIREN or SIRET has only digits' });
  });
});

describe('card numbers', () => {
  it('Rempart stores no card data: Luhn-valid 13–19 digit numbers with a card prefix are spotted', () => {
    expect(looksLikeCardNumber('4111 1111 1111 1111')).toBe(true);
    expect(looksLikeCardNumber('5555-5555-5555-4444')).toBe(true);
    expect(looksLikeCardNumber('CB 378282246310005 exp 12/28')).toBe(true);
    expect(looksLikeCardNumber('4111 1111 1111 1112')).toBe(false);
    expect(looksLikeCardNumber('06 12 34 56 78')).toBe(false);
    expect(looksLikeCardNumber('73282932000074')).toBe(false);
    expect(looksLikeCardNumber('30569309025904')).toBe(true);
    expect(looksLikeCardNumber('')).toBe(false);
  });
});

