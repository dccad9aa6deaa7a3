import { Metadata, parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';
import { remembered } from './memo.js';

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
  if (region !== 'FR') return parseWithLibrary(raw, region);
  const fast = frenchFastPath(raw);
  return fast !== undefined ? fast : parseFrench(raw);
}

// The same switchboard or mobile in many rows, and the numbers the fast path leaves to the library.
const parseFrench = remembered((raw: string) => parseWithLibrary(raw, 'FR'), 20_000);

function parseWithLibrary(raw: string, region: CountryCode): NormalisedPhone | null {
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
  return result(parsed.number, parsed.getType(), parsed.country ?? null);
}

function result(e164: string, t: string | undefined, country: string | null): NormalisedPhone {
  const type = t === 'MOBILE' ? 'mobile' : t === 'FIXED_LINE' ? 'landline' : 'other';
  return { e164, type, country };
}

/*
 * The fast path. Most numbers of a French file are French numbers written in digits with
 * single spaces, dots or dashes between them ("06 12 34 56 78", "01.42.68.53.00",
 * "+33 6 12 34 56 78", "612345678"); parsing them with libphonenumber-js costs tens of
 * microseconds (options copied, metadata wrapped and regular expressions compiled on every
 * call, then the overseas plans tried in turn when France's says no). For such a number the
 * library's answer is known without parsing: the national significant number is its 9 digits
 * (the trunk 0 removed, or after +33, the one country of calling code 33), and its validity and
 * type are libphonenumber-js's isValidNumber and getNumberType on France's plan, replayed here
 * with the same metadata and its regular expressions compiled once. A +33 number France's plan
 * refuses is null (the library reads no other plan after +33); a national number it refuses
 * goes through the overseas loop replayed the same way (overseasAnswer). Anything else (other
 * shapes, other regions) goes to the library, the same code as before.
 */

/** The parts of a numbering plan read here (libphonenumber-js's Metadata does not type them). */
interface NumberingPlan {
  nationalNumberPattern(): string;
  hasTypes(): boolean;
  type(type: string): { pattern(): string; possibleLengths(): number[] | undefined } | undefined;
}

interface CompiledType {
  readonly name: string;
  readonly pattern: RegExp;
  readonly lengths: readonly number[] | undefined;
}

/** A numbering plan with its regular expressions compiled once. */
interface CompiledPlan {
  readonly national: RegExp;
  readonly hasTypes: boolean;
  readonly fixedLine: CompiledType | null;
  /** getNumberType answers FIXED_LINE_OR_MOBILE for a fixed line when the plan's mobile pattern is missing or empty. */
  readonly mobileMissing: boolean;
  readonly mobile: CompiledType | null;
  readonly others: readonly CompiledType[];
}

const whole = (pattern: string) => new RegExp(`^(?:${pattern})$`);

/** getNumberType's order: fixed line first, then these. */
const NON_FIXED_LINE_TYPES = ['MOBILE', 'PREMIUM_RATE', 'TOLL_FREE', 'SHARED_COST', 'VOIP', 'PERSONAL_NUMBER', 'PAGER', 'UAN', 'VOICEMAIL'];

function compilePlan(country: string): CompiledPlan {
  const metadata = new Metadata();
  metadata.selectNumberingPlan(country as CountryCode);
  const plan = metadata.numberingPlan as unknown as NumberingPlan;
  const compile = (name: string): CompiledType | null => {
    const t = plan.type(name);
    // As isNumberTypeEqualTo: a type without a pattern never matches.
    if (!t || !t.pattern()) return null;
    return { name, pattern: whole(t.pattern()), lengths: t.possibleLengths() };
  };
  const mobile = plan.type('MOBILE');
  return {
    national: whole(plan.nationalNumberPattern()),
    hasTypes: plan.hasTypes(),
    fixedLine: compile('FIXED_LINE'),
    mobileMissing: !mobile || mobile.pattern() === '',
    mobile: compile('MOBILE'),
    others: NON_FIXED_LINE_TYPES.map(compile).filter((t): t is CompiledType => t !== null),
  };
}

const matchesType = (nsn: string, t: CompiledType | null) => t !== null && (!t.lengths || t.lengths.includes(nsn.length)) && t.pattern.test(nsn);

/** libphonenumber-js's getNumberType (helpers/getNumberType.js) on a plan. */
function numberType(plan: CompiledPlan, nsn: string): string | undefined {
  if (!plan.national.test(nsn)) return undefined;
  if (matchesType(nsn, plan.fixedLine)) {
    if (plan.mobileMissing || matchesType(nsn, plan.mobile)) return 'FIXED_LINE_OR_MOBILE';
    return 'FIXED_LINE';
  }
  for (const t of plan.others) if (matchesType(nsn, t)) return t.name;
  return undefined;
}

/** libphonenumber-js's isValidNumber (isValid.js) on a plan: by type when the plan has types, else by its national pattern. */
const isValidIn = (plan: CompiledPlan, nsn: string) => (plan.hasTypes ? numberType(plan, nsn) !== undefined : plan.national.test(nsn));

const FRANCE = compilePlan('FR');

/** What the overseas loop needs of a region: its calling code and the countries sharing it, in the library's order. */
interface OverseasRegion {
  readonly country: CountryCode;
  readonly callingCode: string;
  readonly family: readonly { readonly country: string; readonly leadingDigits: string | undefined; readonly plan: CompiledPlan }[];
}

const OVERSEAS_REGIONS: readonly OverseasRegion[] = (() => {
  const metadata = new Metadata() as unknown as {
    getCountryCodesForCallingCode(code: string): string[] | undefined;
    selectNumberingPlan(c: string): void;
    leadingDigits(): string | undefined;
    numberingPlan: { callingCode(): string };
  };
  const plans = new Map<string, CompiledPlan>();
  const planOf = (c: string) => plans.get(c) ?? plans.set(c, compilePlan(c)).get(c)!;
  return OVERSEAS.map((country) => {
    metadata.selectNumberingPlan(country);
    const callingCode = metadata.numberingPlan.callingCode();
    const family = (metadata.getCountryCodesForCallingCode(callingCode) ?? []).map((c) => {
      metadata.selectNumberingPlan(c);
      return { country: c, leadingDigits: metadata.leadingDigits() || undefined, plan: planOf(c) };
    });
    return { country, callingCode, family };
  });
})();

/**
 * The overseas loop of parseWithLibrary for a national number whose 9 digits France's plan
 * refuses: in each region in turn the library reads the same 9 digits (every overseas plan
 * drops the trunk 0, and none has a 10-digit number starting with 0), settles on the country
 * of the calling code the number belongs to (getCountryByCallingCode: the only one, else the
 * first whose leading digits match or, without leading digits, whose plan types the number;
 * else the region itself), and keeps the number if that country's plan declares it valid.
 */
function overseasAnswer(nsn: string): NormalisedPhone | null {
  for (const region of OVERSEAS_REGIONS) {
    let country: string = region.country;
    let plan: CompiledPlan | undefined = region.family.find((f) => f.country === region.country)?.plan;
    if (region.family.length === 1) {
      country = region.family[0]!.country;
      plan = region.family[0]!.plan;
    } else {
      for (const f of region.family) {
        if (f.leadingDigits !== undefined ? nsn.search(f.leadingDigits) === 0 : numberType(f.plan, nsn) !== undefined) {
          country = f.country;
          plan = f.plan;
          break;
        }
      }
    }
    if (plan !== undefined && isValidIn(plan, nsn)) return result(`+${region.callingCode}${nsn}`, numberType(plan, nsn), country);
  }
  return null;
}

/** Digits with at most one space, dot or dash between two of them; an optional + first. */
const PLAIN = /^\+?\d(?:[ .-]?\d)*$/;
const SEPARATORS = /[ .-]/g;

/** The answer for a plain French number, or undefined when the library must be asked. */
function frenchFastPath(raw: string): NormalisedPhone | null | undefined {
  const text = raw.trim();
  if (!PLAIN.test(text)) return undefined;
  const digits = text.replace(SEPARATORS, '');
  let nsn: string;
  let national = false;
  let international = false;
  if (digits.startsWith('+')) {
    if (digits.length !== 12 || !digits.startsWith('+33') || digits[3] === '0') return undefined;
    nsn = digits.slice(3);
    international = true;
  } else if (digits.length === 10 && digits[0] === '0' && digits[1] !== '0') {
    nsn = digits.slice(1);
    national = true;
  } else if (digits.length === 9 && digits[0] !== '0') {
    nsn = digits;
  } else {
    return undefined;
  }
  if (isValidIn(FRANCE, nsn)) return result(`+33${nsn}`, numberType(FRANCE, nsn), 'FR');
  // After +33 the library reads France's plan only (no overseas loop for an international number): invalid there is null.
  if (international) return null;
  if (national) return overseasAnswer(nsn);
  return undefined;
}
