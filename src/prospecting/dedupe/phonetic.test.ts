import { describe, expect, it } from 'vitest';
import { fold, foldAddress, foldCity, foldCompany, foldDate, foldEmail, foldName, foldPhone } from './fold.js';
import { frenchPhonetic } from './phonetic.js';

const key = (name: string): string => frenchPhonetic(foldName(name));

describe('French phonetic key (R-PROS-2)', () => {
  it.each([
    ['Lefèvre', 'Lefebvre'],
    ['Lefèvre', 'Lefeuvre'],
    ['Gauthier', 'Gautier'],
    ['Dupont', 'Dupond'],
    ['Philippe', 'Filipe'],
    ['Thomas', 'Tomas'],
    ['Rousseau', 'Roussau'],
    ['Rousseau', 'Rousseaux'],
    ['Françoise', 'Francoise'],
    ['Michel', 'Mishel'],
    ['Hélène', 'Helene'],
    ['Jacques', 'Jacque'],
    ['Mathieu', 'Matthieu'],
    ['Grégoire', 'Gregoir'],
    ['Cécile', 'Secile'],
    ['Laurent', 'Lorent'],
    ['de La Fontaine', 'Fontaine'],
    ['Guillaume', 'Guilaume'],
  ])('R-PROS-2 %s sounds like %s', (a, b) => {
    expect(key(a)).not.toBe('');
    expect(key(a)).toBe(key(b));
  });

  it.each([
    ['Martin', 'Bernard'],
    ['Dubois', 'Durand'],
    ['Petit', 'Robert'],
    ['Moreau', 'Mercier'],
    ['Simon', 'Michel'],
    ['Laurent', 'Lambert'],
  ])('R-PROS-2 %s does not sound like %s', (a, b) => {
    expect(key(a)).not.toBe(key(b));
  });

  it('R-PROS-2 a value without letters has no key', () => {
    expect(frenchPhonetic('')).toBe('');
    expect(frenchPhonetic('1234')).toBe('');
  });
});

describe('comparison-level folding (R-PROS-2)', () => {
  it.each([
    [fold('  Élodie  ŒUVRE-Dupré '), 'elodie oeuvre dupre'],
    [foldName("D'Artagnan"), 'artagnan'],
    [foldName('de La Fontaine'), 'fontaine'],
    [foldName('Le'), 'le'],
    [foldCompany('Acme SAS'), 'acme'],
    [foldCompany('SARL Boulangerie Dupont et Cie'), 'boulangerie dupont'],
    [foldAddress('12 bd  Saint-Michel'), '12 boulevard saint michel'],
    [foldAddress('3 av. Foch'), '3 avenue foch'],
    [foldCity('St-Étienne Cedex 2'), 'saint etienne'],
    [foldCity('Paris 15e'), 'paris'],
    [foldDate('1956-04-09'), '19560409'],
    [foldDate('9/4/1956'), '19560409'],
    [foldDate('19560409'), '19560409'],
    [foldEmail(' Jean.Dupont+crm@Example.FR '), 'jean.dupont@example.fr'],
    [foldPhone('+33 6 12 34 56 78'), '612345678'],
    [foldPhone('06.12.34.56.78'), '612345678'],
    [foldPhone('0033612345678'), '612345678'],
  ])('R-PROS-2 folds to %s', (got, want) => {
    expect(got).toBe(want);
  });
});
