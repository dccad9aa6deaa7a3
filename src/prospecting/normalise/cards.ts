import { luhnSum } from '../../identifiers/siret.js';

/**
 * Payment card numbers (PAN): Rempart stores none (PCI DSS; "Beyond the annex"), so an
 * import refuses a column that holds them. A PAN is 13–19 digits, passes the Luhn
 * check and starts with a card network's prefix (2, 3, 4, 5 or 6).
 */

/** True when `value` holds a run of 13–19 digits (spaces or dashes allowed between them) that looks like a card number. */
export function looksLikeCardNumber(value: string): boolean {
  const runs = value.match(/\d(?:[ -]?\d){12,22}/g);
  if (!runs) return false;
  return runs.some((run) => {
    const digits = run.replace(/[ -]/g, '');
    if (digits.length < 13 || digits.length > 19 || !/^[2-6]/.test(digits) || luhnSum(digits) !== 0) return false;
    // 14 digits is also a SIRET (Luhn-checked too): only Diners Club cards (30, 36, 38) are that long.
    return digits.length !== 14 || /^3[068]/.test(digits);
  });
}
