import { describe, expect, it } from 'vitest';
import { isValidE164, isValidEmail, isValidVatNumber } from './identifiers.js';

describe('identifiers', () => {
  it.each([
    ['jeanne.dupont@exemple.fr', true],
    ['a+tag@sub.example.co.uk', true],
    ['no-at-sign.example.fr', false],
    ['two@@example.fr', false],
    ['space in@example.fr', false],
    ['nodot@localhost', false],
    ['trailing@example.fr.', false],
  ])('email %s → %s', (email, ok) => {
    expect(isValidEmail(email)).toBe(ok);
  });

  it.each([
    ['+33612345678', true],
    ['+3225123456', true],
    ['0612345678', false],
    ['+0612345678', false],
    ['+33 6 12 34 56 78', false],
  ])('phone %s → %s', (phone, ok) => {
    expect(isValidE164(phone)).toBe(ok);
  });

  it.each([
    // SIREN 732829320 → key (12 + 3 × (732829320 mod 97)) mod 97 = 44
    ['FR44732829320', true],
    ['FR 44 732 829 320', true],
    ['FR45732829320', false],
    ['DE123456789', true],
    ['US123456789', false],
  ])('VAT %s → %s', (vat, ok) => {
    expect(isValidVatNumber(vat)).toBe(ok);
  });
});
