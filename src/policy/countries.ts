/**
 * Where personal data may go without more (GDPR Chapter V). Annex article 3
 * promises processing inside the European Union (P3.1); a store, subcontractor or
 * partner elsewhere needs an adequacy decision (Art. 45) or a declared safeguard
 * (Art. 46: standard contractual clauses; Art. 47: binding corporate rules).
 *
 * Codes are ISO 3166-1 alpha-2, so Greece is GR (not the EU's "EL").
 */
import type { Safeguard } from './types.js';

/** The 27 member states of the European Union. */
export const EU_COUNTRIES: ReadonlySet<string> = new Set([
  'AT', 'BE', 'BG', 'HR', 'CY', 'CZ', 'DK', 'EE', 'FI', 'FR', 'DE', 'GR', 'HU', 'IE',
  'IT', 'LV', 'LT', 'LU', 'MT', 'NL', 'PL', 'PT', 'RO', 'SK', 'SI', 'ES', 'SE',
]);

/** The EU plus Iceland, Liechtenstein and Norway: the GDPR applies there through the EEA Agreement. */
export const EU_EEA_COUNTRIES: ReadonlySet<string> = new Set([...EU_COUNTRIES, 'IS', 'LI', 'NO']);

/**
 * Countries with a European Commission adequacy decision (Art. 45(3)) covering the
 * whole country or its private sector. Canada's covers organisations under PIPEDA,
 * which is where a commercial recipient sits.
 */
export const ADEQUACY_COUNTRIES: ReadonlySet<string> = new Set([
  'AD', 'AR', 'CA', 'FO', 'GG', 'IL', 'IM', 'JP', 'JE', 'NZ', 'KR', 'CH', 'GB', 'UY',
]);

/**
 * Countries whose adequacy decision covers only certified recipients: the United
 * States' covers organisations listed under the EU-US Data Privacy Framework
 * (Implementing Decision (EU) 2023/1795), so it counts only when the recipient
 * declares `safeguard: adequacy`.
 */
export const CERTIFICATION_ADEQUACY_COUNTRIES: ReadonlySet<string> = new Set(['US']);

/** True when `code` (ISO alpha-2, any case) is in the EU or the EEA. */
export function isEuEea(code: string): boolean {
  return EU_EEA_COUNTRIES.has(code.toUpperCase());
}

/** True when the Commission found the whole country (or its private sector) adequate; false for the US. */
export function hasAdequacyDecision(code: string): boolean {
  return ADEQUACY_COUNTRIES.has(code.toUpperCase());
}

/** Why data may go to a recipient: inside the EU/EEA, an adequacy decision, or an Art. 46/47 safeguard. */
export type TransferGround = 'eu_eea' | 'adequacy' | 'scc' | 'bcr';

/**
 * The ground on which personal data may go to a recipient in `country` that declares
 * `safeguard`, or `null` when there is none and the transfer must be refused (P3.1).
 * A declared `adequacy` counts only where a decision exists (for the US, the DPF).
 */
export function transferGround(country: string, safeguard?: Safeguard): TransferGround | null {
  const code = country.toUpperCase();
  if (isEuEea(code)) return 'eu_eea';
  if (hasAdequacyDecision(code)) return 'adequacy';
  if (safeguard === 'adequacy') return CERTIFICATION_ADEQUACY_COUNTRIES.has(code) ? 'adequacy' : null;
  return safeguard ?? null;
}
