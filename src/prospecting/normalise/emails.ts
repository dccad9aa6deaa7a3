import { cleanText } from './fold.js';

/**
 * Domains of mailbox providers for individuals. An address there is a personal
 * address: R-PROS-6 (CNIL, CPCE art. L34-5) allows B2B prospecting without consent only
 * to professional addresses, so selection needs to know.
 */
export const PERSONAL_EMAIL_DOMAINS: ReadonlySet<string> = new Set([
  'gmail.com', 'googlemail.com', 'orange.fr', 'wanadoo.fr', 'free.fr', 'laposte.net', 'hotmail.com', 'hotmail.fr',
  'live.fr', 'live.com', 'msn.com', 'outlook.com', 'outlook.fr', 'yahoo.com', 'yahoo.fr', 'ymail.com', 'sfr.fr',
  'neuf.fr', 'aol.com', 'aol.fr', 'icloud.com', 'me.com', 'mac.com', 'gmx.fr', 'gmx.com', 'gmx.net', 'bbox.fr',
  'numericable.fr', 'club-internet.fr', 'aliceadsl.fr', 'alice.fr', 'noos.fr', 'cegetel.net', '9online.fr', 'voila.fr',
  'tiscali.fr', 'protonmail.com', 'proton.me', 'pm.me', 'mail.com', 'yandex.com', 'yandex.ru', 'libertysurf.fr',
  'caramail.com', 'netcourrier.com', 'zoho.com', 'tutanota.com', 'hotmail.be', 'skynet.be', 'bluewin.ch', 'web.de',
]);

/** A normalised email address. */
export interface NormalisedEmail {
  /** Trimmed, lower case (R-PROS-1). */
  readonly email: string;
  readonly domain: string;
  /** At a mailbox provider for individuals (R-PROS-6). */
  readonly personal: boolean;
}

// RFC 5321/5322 without quoted local parts or address literals, which no prospect file holds.
const LOCAL = /^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/** Why an email is refused, or null when it is fine. */
export function emailProblem(raw: string): string | null {
  return normaliseEmailAddress(raw) === null ? explain(prepare(raw)) : null;
}

function prepare(raw: string): string {
  return cleanText(raw)
    .replace(/^mailto:/i, '')
    .replace(/^<(.*)>$/, '$1')
    .trim()
    .toLowerCase();
}

function explain(e: string): string {
  if (e === '') return 'empty';
  if (/\s/.test(e)) return 'contains spaces';
  const at = e.lastIndexOf('@');
  if (at < 0) return "has no '@'";
  if (e.indexOf('@') !== at) return "has more than one '@'";
  if (at === 0) return "nothing before the '@'";
  if (!e.slice(at + 1).includes('.')) return 'the domain has no dot';
  return 'is not a valid email address';
}

/**
 * Normalises an email address (R-PROS-1): trimmed, `mailto:` and angle brackets
 * removed, lower case, syntax checked. Null when it is not an address.
 */
export function normaliseEmailAddress(raw: string | null | undefined): NormalisedEmail | null {
  if (raw === null || raw === undefined) return null;
  const e = prepare(raw);
  if (e.length > 254) return null;
  const at = e.lastIndexOf('@');
  if (at <= 0 || e.indexOf('@') !== at) return null;
  const local = e.slice(0, at);
  const domain = e.slice(at + 1).replace(/\.$/, '');
  if (local.length > 64 || !LOCAL.test(local)) return null;
  const labels = domain.split('.');
  if (labels.length < 2 || !labels.every((l) => LABEL.test(l)) || !/^[a-z]{2,63}$/.test(labels[labels.length - 1] ?? '')) return null;
  return { email: `${local}@${domain}`, domain, personal: PERSONAL_EMAIL_DOMAINS.has(domain) };
}
