/**
 * The normalisers of prospect data (R-PROS-1): pure functions, no I/O, each with its
 * table of cases in normalise.test.ts. Matching compares their folded forms; display
 * keeps the accents.
 */
export { cleanText, fold } from './fold.js';
export { NAME_PARTICLES, normaliseName, splitFullName, type NormalisedName, type SplitName } from './names.js';
export { emailProblem, normaliseEmailAddress, PERSONAL_EMAIL_DOMAINS, type NormalisedEmail } from './emails.js';
export { normalisePhoneNumber, type NormalisedPhone } from './phones.js';
export {
  departementOfPostcode,
  normaliseAddress,
  normaliseCity,
  normalisePostcode,
  normaliseStreetLine,
  STREET_TYPES,
  type AddressInput,
  type AddressResult,
  type PostcodeResult,
} from './addresses.js';
export { checkCity, communeKey, communesOfPostcode, type CityCheck, type CommuneKey, type PostcodeCommune } from './communes.js';
export { isCommonCompanyName, LEGAL_FORMS, normaliseCompanyId, normaliseCompanyName, type CompanyIdResult, type NormalisedCompany } from './companies.js';
export { looksLikeCardNumber } from './cards.js';
