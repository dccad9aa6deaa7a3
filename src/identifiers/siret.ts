/**
 * SIREN and SIRET numbers (INSEE, "Système d'identification du répertoire des
 * entreprises / des établissements"). Pure: the generator makes valid ones for the demo
 * data and the API validates what it is given with the same rules.
 *
 * A SIREN is 8 digits plus a Luhn check digit. A SIRET is the SIREN, a 4-digit
 * establishment sequence and a check digit, with the Luhn sum taken over all 14 digits.
 * La Poste (SIREN 356000000) has more establishments than that scheme can number, so
 * INSEE checks its SIRETs (except its head office, 35600000000048, which is Luhn-valid)
 * by a different rule: the sum of the 14 digits is a multiple of 5.
 */

/** A uniform random number in [0, 1), such as `Math.random` or a seeded generator. */
export type Rng = () => number;

/** La Poste's SIREN, whose SIRETs follow their own check rule. */
export const LA_POSTE_SIREN = '356000000';

const DIGITS_RE = /^\d+$/;

/** The Luhn sum (mod 10) of a digit string: 0 for a valid number (SIREN, SIRET, payment cards). */
export function luhnSum(digits: string): number {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    // Every second digit from the right is doubled (and 9 taken off when it exceeds 9).
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10;
}

/** The check digit that makes `payload` followed by it pass the Luhn test. */
export function luhnCheckDigit(payload: string): number {
  // Appending a 0 shifts every payload digit one place left, so the doubling falls right.
  return (10 - luhnSum(`${payload}0`)) % 10;
}

function digitSum(digits: string): number {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) sum += digits.charCodeAt(i) - 48;
  return sum;
}

/** True when `s` is a SIREN: exactly 9 digits (no spaces) with a valid Luhn check digit. */
export function isValidSiren(s: string): boolean {
  return s.length === 9 && DIGITS_RE.test(s) && luhnSum(s) === 0;
}

/** True when `s` is a SIRET: exactly 14 digits (no spaces), Luhn-valid, or La Poste's sum-of-digits rule. */
export function isValidSiret(s: string): boolean {
  if (s.length !== 14 || !DIGITS_RE.test(s)) return false;
  if (luhnSum(s) === 0) return true;
  return s.startsWith(LA_POSTE_SIREN) && digitSum(s) % 5 === 0;
}

/** A random valid SIREN drawn with `rng` (first digit never 0, never La Poste's). */
export function makeSiren(rng: Rng): string {
  for (;;) {
    let payload = String(1 + Math.floor(rng() * 9));
    for (let i = 0; i < 7; i++) payload += String(Math.floor(rng() * 10));
    const siren = `${payload}${luhnCheckDigit(payload)}`;
    if (siren !== LA_POSTE_SIREN) return siren;
  }
}

/**
 * The SIRET of establishment number `nic` (1–9999) of a valid `siren`: the SIREN, the
 * number on 4 digits, then the check digit (La Poste's rule for La Poste's SIREN).
 */
export function makeSiret(siren: string, nic: number): string {
  if (!isValidSiren(siren)) throw new RangeError(`makeSiret: ${JSON.stringify(siren)} is not a valid SIREN`);
  if (!Number.isInteger(nic) || nic < 1 || nic > 9999) throw new RangeError(`makeSiret: establishment number ${nic} is not in 1–9999`);
  const payload = `${siren}${String(nic).padStart(4, '0')}`;
  if (siren === LA_POSTE_SIREN) {
    // The smallest last digit that brings the digit sum to a multiple of 5.
    return `${payload}${(5 - (digitSum(payload) % 5)) % 5}`;
  }
  return `${payload}${luhnCheckDigit(payload)}`;
}
