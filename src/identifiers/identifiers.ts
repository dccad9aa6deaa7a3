/**
 * Validators for the identifiers the API accepts. Pure; the SIREN/SIRET check digits
 * live beside them in siret.ts, with the generator the demo data uses. Below http/, crm/, access/ and
 * the import's normalisers, which all check identifiers, so none of them imports another for it.
 */

const EMAIL_RE = /^[^\s@"(),:;<>[\\\]]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;

/** True for a plausible email address (local@domain.tld, no spaces or quotes). */
export function isValidEmail(s: string): boolean {
  return s.length <= 254 && EMAIL_RE.test(s) && (s.split('@')[0]?.length ?? 0) <= 64;
}

/** True for an E.164 phone number: `+`, a country code not starting with 0, 7 to 15 digits in all. */
export function isValidE164(s: string): boolean {
  return /^\+[1-9]\d{6,14}$/.test(s);
}

/**
 * True for an EU VAT number. French numbers (FR + 2-character key + SIREN) are checked
 * with their key: key = (12 + 3 × (SIREN mod 97)) mod 97; others by their shape only.
 */
export function isValidVatNumber(raw: string): boolean {
  const s = raw.replace(/[\s.-]/g, '').toUpperCase();
  const fr = /^FR(\d{2})(\d{9})$/.exec(s);
  if (fr) {
    const key = Number(fr[1]);
    const siren = Number(fr[2]);
    return key === (12 + 3 * (siren % 97)) % 97;
  }
  if (s.startsWith('FR')) return /^FR[A-HJ-NP-Z0-9]{2}\d{9}$/.test(s);
  return /^(AT|BE|BG|CY|CZ|DE|DK|EE|EL|ES|FI|HR|HU|IE|IT|LT|LU|LV|MT|NL|PL|PT|RO|SE|SI|SK|XI)[0-9A-Z+*]{2,12}$/.test(s);
}
