import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';

/** Overseas départements and collectivities reached with a French national number. */
const OVERSEAS: readonly CountryCode[] = ['RE', 'GP', 'MQ', 'GF', 'YT', 'PM', 'BL', 'MF'];

/** A phone number in E.164 with its type. */
export interface NormalisedPhone {
  /** E.164, e.g. `+33612345678` (R-PROS-1). */
  readonly e164: string;
  /** As the data model types phones (`people.phones[].type`). */
  readonly type: 'mobile' | 'landline' | 'other';
  readonly country: string | null;
}

/**
 * Normalises a phone number (R-PROS-1) with libphonenumber-js's full metadata: E.164
 * and its type. National numbers are read in `region` (France by default, the
 * company's home country); a French mobile stored by a spreadsheet as a number loses
 * its leading 0 (`612345678`), which is read as the national number it was. Null when
 * the number is not a valid number of any plan.
 */
export function normalisePhoneNumber(raw: string | null | undefined, region: CountryCode = 'FR'): NormalisedPhone | null {
  if (raw === null || raw === undefined) return null;
  let text = raw.normalize('NFC').trim();
  if (text === '') return null;
  // "+33 (0)6 12 34 56 78": the bracketed trunk prefix must go before parsing.
  text = text.replace(/^(\+\d{1,3})\s*\(0\)/, '$1');
  if (/^00\d/.test(text)) text = `+${text.slice(2)}`;
  let parsed = parsePhoneNumberFromString(text, { defaultCountry: region, extract: false });
  if ((!parsed || !parsed.isValid()) && region === 'FR' && !text.startsWith('+')) {
    // Overseas départements share France's national plan (0262…, 0590…, 0692…) but have
    // their own country metadata: dialled from France, they are French national numbers.
    for (const overseas of OVERSEAS) {
      const p = parsePhoneNumberFromString(text, { defaultCountry: overseas, extract: false });
      if (p?.isValid()) {
        parsed = p;
        break;
      }
    }
  }
  if (!parsed || !parsed.isValid()) return null;
  const t = parsed.getType();
  const type = t === 'MOBILE' ? 'mobile' : t === 'FIXED_LINE' ? 'landline' : 'other';
  return { e164: parsed.number, type, country: parsed.country ?? null };
}
