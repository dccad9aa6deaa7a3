import type { LoadedPolicy } from '../../policy/index.js';
import type { RequestType } from '../../rights/requests/tables.js';

/** The languages messages are written in. */
export type MailLanguage = 'fr' | 'en';

/** What the templates read from the policy: the sender and the authority to complain to (P5.7). */
export type MailPolicy = Pick<LoadedPolicy, 'controller' | 'supervisoryAuthority'>;

/** A message ready for the mailer. */
export interface RenderedMail {
  readonly subject: string;
  readonly text: string;
  readonly html: string;
  readonly language: MailLanguage;
}

/** The name of each right, as the person would say it. */
export const RIGHT_NAMES: Readonly<Record<RequestType, Readonly<Record<MailLanguage, string>>>> = Object.freeze({
  access: { fr: "droit d'accès (RGPD art. 15)", en: 'right of access (GDPR Art. 15)' },
  rectification: { fr: 'droit de rectification (RGPD art. 16)', en: 'right to rectification (GDPR Art. 16)' },
  erasure: { fr: "droit à l'effacement (RGPD art. 17)", en: 'right to erasure (GDPR Art. 17)' },
  restriction: { fr: 'droit à la limitation du traitement (RGPD art. 18)', en: 'right to restriction of processing (GDPR Art. 18)' },
  portability: { fr: 'droit à la portabilité (RGPD art. 20)', en: 'right to data portability (GDPR Art. 20)' },
  objection: { fr: "droit d'opposition (RGPD art. 21)", en: 'right to object (GDPR Art. 21)' },
});

const LONG_DATE: Readonly<Record<MailLanguage, Intl.DateTimeFormat>> = {
  fr: new Intl.DateTimeFormat('fr-FR', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' }),
  en: new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' }),
};

/** A calendar date `YYYY-MM-DD` in words: `26 décembre 2026`, `1er janvier 2027`, `26 December 2026`. */
export function formatLongDate(date: string, language: MailLanguage): string {
  const text = LONG_DATE[language].format(new Date(`${date}T00:00:00Z`));
  // French writes the first of the month as an ordinal: « 1er janvier ».
  return language === 'fr' ? text.replace(/^1 /, '1er ') : text;
}

/** Escapes text for HTML. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}

/**
 * The right to complain to the supervisory authority, with its full address, phone and
 * website from the policy (GDPR Art. 12(4), 77; P5.7: in every answer to a request).
 */
export function complaintParagraph(policy: MailPolicy, language: MailLanguage): string {
  const a = policy.supervisoryAuthority;
  const full = a.fullName === undefined || a.fullName === '' ? a.name : `${a.name} (${a.fullName})`;
  const website = a.website.replace(/^https?:\/\//, '').replace(/\/$/, '');
  return language === 'fr'
    ? `Vous avez le droit d'introduire une réclamation auprès de la ${full}, ${a.address}, téléphone ${a.phone}, ${website}, ` +
        'et de former un recours juridictionnel.'
    : `You have the right to lodge a complaint with the ${full}, ${a.address}, telephone ${a.phone}, ${website}, ` +
        'and to seek a judicial remedy.';
}

/** The closing line: the controller's name from the policy. */
function signature(policy: MailPolicy, language: MailLanguage): string {
  return language === 'fr'
    ? `${policy.controller.name}, protection des données personnelles`
    : `${policy.controller.name}, personal data protection`;
}

/** Builds the text and HTML bodies from paragraphs, with the signature. */
export function render(policy: MailPolicy, language: MailLanguage, subject: string, paragraphs: readonly string[]): RenderedMail {
  const all = [...paragraphs, signature(policy, language)];
  const text = `${all.join('\n\n')}\n`;
  const html =
    `<!doctype html><html lang="${language}"><head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head><body>` +
    all.map((p) => `<p>${escapeHtml(p).replace(/\n/g, '<br>')}</p>`).join('') +
    '</body></html>';
  return Object.freeze({ subject, text, html, language });
}

/** The request reference shown to the person, so they can quote it. */
export function referenceLine(requestId: string, language: MailLanguage): string {
  return language === 'fr' ? `Référence de votre demande : ${requestId}` : `Your request reference: ${requestId}`;
}
