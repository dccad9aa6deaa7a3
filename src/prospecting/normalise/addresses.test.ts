import { describe, expect, it } from 'vitest';
import { checkCity, communeKey, communesOfPostcode, normaliseAddress } from './index.js';

describe('R-PROS-1 commune keys', () => {
  const keys: [string, string, number | null, string | null][] = [
    ['Saint-Étienne', 'stetienne', null, null],
    ['ST ETIENNE', 'stetienne', null, null],
    ['st-etienne', 'stetienne', null, null],
    ['Sainte-Foy-lès-Lyon', 'stefoyleslyon', null, null],
    ["L'Haÿ-les-Roses", 'lhaylesroses', null, null],
    ['L HAY LES ROSES', 'lhaylesroses', null, null],
    ['La Ville-aux-Bois', 'lavilleauxbois', null, null],
    ['Paris Cedex 08', 'paris', null, 'CEDEX 08'],
    ['LYON CEDEX', 'lyon', null, 'CEDEX'],
    ['Paris 8e', 'paris', 8, null],
    ['PARIS 08', 'paris', 8, null],
    ['Paris 1er', 'paris', 1, null],
    ['Paris 16ème arrondissement', 'paris', 16, null],
    ['Lyon 3eme arrt', 'lyon', 3, null],
    ['Marseille 2EME', 'marseille', 2, null],
    ['Marseille 1er Arrondissement', 'marseille', 1, null],
    ['  ', '', null, null],
  ];
  it.each(keys)('R-PROS-1 key of %j is %j (arrondissement %j, %j)', (raw, key, arrondissement, cedex) => {
    expect(communeKey(raw)).toEqual({ key, arrondissement, cedex });
  });
});

describe('R-PROS-1 postcodes checked against the commune', () => {
  // [postcode, city as given, status, city written (La Poste form) or reason, INSEE code]
  const cases: [string, string, 'match' | 'filled' | 'mismatch' | 'ambiguous' | 'unknown-postcode', string | null, string | null][] = [
    ['35000', 'Rennes', 'match', 'RENNES', '35238'],
    ['35000', 'RENNES', 'match', 'RENNES', '35238'],
    ['42000', 'Saint-Étienne', 'match', 'ST ETIENNE', '42218'],
    ['42000', 'ST ETIENNE', 'match', 'ST ETIENNE', '42218'],
    ['42000', 'st-etienne cedex 1', 'match', 'ST ETIENNE CEDEX 1', '42218'],
    ['11700', 'La Redorte', 'match', 'LA REDORTE', '11190'],
    ['11700', 'LAREDORTE', 'match', 'LA REDORTE', '11190'],
    // Arrondissements: the postcode carries the number, the city is delivered as PARIS, LYON, MARSEILLE.
    ['75008', 'Paris', 'match', 'PARIS', '75108'],
    ['75008', 'Paris 8e', 'match', 'PARIS', '75108'],
    ['75008', 'PARIS 08', 'match', 'PARIS', '75108'],
    ['75008', 'Paris 8ème arrondissement', 'match', 'PARIS', '75108'],
    ['75008', 'Paris Cedex 08', 'match', 'PARIS CEDEX 08', '75108'],
    ['69003', 'Lyon 3eme', 'match', 'LYON', '69383'],
    ['13001', 'Marseille 1er', 'match', 'MARSEILLE', '13201'],
    // 13016 serves two arrondissements: the city is sure, the commune only when the number says which.
    ['13016', 'Marseille', 'match', 'MARSEILLE', null],
    ['13016', 'Marseille 16e', 'match', 'MARSEILLE', '13216'],
    ['13016', '', 'filled', 'MARSEILLE', null],
    ['75008', 'Paris 16e', 'mismatch', 'the arrondissement does not match the postcode', null],
    ['69003', 'Lyon 7e', 'mismatch', 'the arrondissement does not match the postcode', null],
    // A postcode with several communes, and a commune with two delivery names.
    ['13290', 'Aix-en-Provence', 'match', 'AIX EN PROVENCE', '13001'],
    ['13290', 'Les Milles', 'match', 'LES MILLES', '13001'],
    ['01090', 'Montmerle-sur-Saône', 'match', 'MONTMERLE SUR SAONE', '01263'],
    ['01090', 'Guereins', 'match', 'GUEREINS', '01183'],
    // Typing errors are corrected to the table's spelling.
    ['13001', 'Marseile', 'match', 'MARSEILLE', '13201'],
    ['33000', 'Bordeau', 'match', 'BORDEAUX', '33063'],
    // A former commune merged into a new one is still a delivered address: kept as written.
    ['50100', 'Cherbourg-Octeville', 'match', 'CHERBOURG OCTEVILLE', '50129'],
    // Overseas and Corsica.
    ['97400', 'Saint-Denis', 'match', 'ST DENIS', '97411'],
    ['20000', 'Ajaccio', 'match', 'AJACCIO', '2A004'],
    // Inconsistent: the city is elsewhere.
    ['75008', 'Lyon', 'mismatch', 'the city is not a commune of this postcode', null],
    ['69001', 'Paris', 'mismatch', 'the city is not a commune of this postcode', null],
    ['35000', 'Brest', 'mismatch', 'the city is not a commune of this postcode', null],
    ['93200', 'Saint-Denis', 'match', 'ST DENIS', '93066'],
    ['97400', 'Saint-Ouen', 'mismatch', 'the city is not a commune of this postcode', null],
    ['01090', 'Villeneuve', 'mismatch', 'the city is not a commune of this postcode', null],
    // Missing city: filled when the postcode serves one commune.
    ['75008', '', 'filled', 'PARIS', '75108'],
    ['35000', '', 'filled', 'RENNES', '35238'],
    ['01090', '', 'ambiguous', null, null],
    // Not in the table (CEDEX codes): nothing to check against.
    ['92057', 'Paris La Défense Cedex', 'unknown-postcode', null, null],
    ['75700', 'Paris SP 07', 'unknown-postcode', null, null],
  ];
  it.each(cases)('R-PROS-1 %s %j → %s %j', (postcode, city, status, out, insee) => {
    const r = checkCity(postcode, city);
    expect(r.status).toBe(status);
    if (r.status === 'match' || r.status === 'filled') {
      expect(r.city).toBe(out);
      expect(r.commune?.insee ?? null).toBe(insee);
    }
    if (r.status === 'mismatch') expect(r.reason).toBe(out);
  });

  it('R-PROS-1 the table: every département, arrondissements of Paris, Lyon and Marseille', () => {
    expect(communesOfPostcode('75001').map((c) => c.insee)).toEqual(['75101']);
    expect(communesOfPostcode('75116')[0]?.arrondissement).toBe(16);
    expect(communesOfPostcode('69009')[0]?.arrondissement).toBe(9);
    expect(communesOfPostcode('13016').map((c) => c.arrondissement)).toEqual([15, 16]);
    expect(communesOfPostcode('01090').length).toBeGreaterThan(3);
    expect(communesOfPostcode('99999')).toEqual([]);
  });

  it('R-PROS-1 an address whose city is not its postcode\'s is unusable (field city), never quoting the values', () => {
    const r = normaliseAddress({ line1: '12 rue de la République', postcode: '69001', city: 'Marseille' });
    expect(r).toEqual({ ok: false, field: 'city', reason: 'the city is not a commune of this postcode' });
    expect(JSON.stringify(r)).not.toMatch(/69001|Marseille|République/i);
  });

  it('R-PROS-1 addresses: city written in La Poste form, filled from the postcode, CEDEX kept, commune code given', () => {
    expect(normaliseAddress({ line1: '8 bd Haussmann', postcode: '75 009', city: 'Paris 9e' })).toEqual({
      ok: true,
      address: { line1: '8 BD HAUSSMANN', postcode: '75009', city: 'PARIS', country: 'FR' },
      departement: '75',
      commune: '75109',
    });
    expect(normaliseAddress({ line1: '8 bd Haussmann', postcode: '75009', city: '' })).toMatchObject({ ok: true, address: { city: 'PARIS' }, commune: '75109' });
    expect(normaliseAddress({ line1: '1 place Bellecour', postcode: '1090', city: '' })).toEqual({ ok: false, field: 'city', reason: 'no city, and the postcode serves several communes' });
    expect(normaliseAddress({ line1: '1 parvis de la Défense', postcode: '92057', city: 'Paris La Défense Cedex' })).toMatchObject({
      ok: true,
      address: { postcode: '92057', city: 'PARIS LA DEFENSE CEDEX' },
      commune: null,
    });
    expect(normaliseAddress({ line1: '1 place Bellecour', postcode: '92057', city: '' })).toEqual({ ok: false, field: 'city', reason: 'no city' });
    // Abroad: nothing checked.
    expect(normaliseAddress({ line1: 'Rue Neuve 1', postcode: '1000', city: 'Bruxelles', country: 'BE' })).toMatchObject({ ok: true, commune: null });
  });

  it('R-PROS-1 the table is built once and a look-up is a Map hit (1M rows/min needs it)', () => {
    checkCity('35000', 'Rennes');
    const before = process.memoryUsage().heapUsed;
    // Same answers for the same pair, and the same object: the check is worked out once.
    const a = checkCity('44000', 'Nantes');
    expect(checkCity('44000', 'Nantes')).toBe(a);
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(50 * 1024 * 1024);
  });
});
