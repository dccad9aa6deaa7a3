import type { LoadedPolicy } from '../../policy/index.js';
import { complaintParagraph, escapeHtml, type MailLanguage } from '../../mail/templates/common.js';
import { durationInWords, LEGAL_BASIS_LABELS, RETENTION_START_LABELS, RIGHTS } from '../../rights/export/texts.js';

/**
 * Composing a campaign message (pure): the sender's identity and a one-click opt-out in
 * every message (R-PROS-5, RFC 8058 headers), tracked links through the redirect, an
 * open pixel only when the person consented (R-PROS-10), and the GDPR Art. 14
 * information when the message is the first to a person whose data came from elsewhere
 * (R-PROS-11).
 */

/** What a message to one person is made of. */
export interface MessageInput {
  readonly policy: LoadedPolicy;
  readonly language: MailLanguage;
  readonly subject: string;
  /** The body as plain text; `{{firstName}}` and `{{lastName}}` are replaced. */
  readonly body: string;
  /** The URLs of the body, in the order of `extractLinks`. */
  readonly links: readonly string[];
  readonly person: { readonly firstName: string | null; readonly lastName: string | null; readonly source: string; readonly collectedAt: Date };
  /** The one-click opt-out URL (https in production). */
  readonly optOutUrl: string;
  /** An address that takes unsubscribe requests by mail, when there is one. */
  readonly optOutMailto: string | null;
  /** The redirect URL of link `i`. */
  readonly clickUrl: (i: number) => string;
  /** The pixel URL, or null: only for a person who consented to open tracking (R-PROS-10). */
  readonly pixelUrl: string | null;
  /** The privacy portal, where the person sees, downloads, corrects or erases their data and manages consents. */
  readonly portalUrl?: string;
  readonly includeArt14: boolean;
}

/** A composed message: what the mailer sends, without the recipient. */
export interface ComposedMessage {
  readonly subject: string;
  readonly text: string;
  readonly html: string;
  readonly headers: Readonly<Record<string, string>>;
}

const URL_RE = /https?:\/\/[^\s<>"']+[^\s<>"'.,;:!?)\]]/g;

/** The distinct http(s) URLs of a body, in order of first appearance. */
export function extractLinks(body: string): string[] {
  return [...new Set(body.match(URL_RE) ?? [])];
}

const T = {
  fr: {
    sender: (name: string) => `Ce message vous est adressé par ${name}.`,
    optOut: (url: string) => `Pour ne plus recevoir de sollicitations de notre part, en un clic : ${url}`,
    portal: (url: string) => `Vos données et vos droits (les voir, les télécharger, les corriger, les effacer, vos consentements) : ${url}`,
    art14Title: 'Informations sur vos données personnelles (RGPD, article 14)',
    controller: (name: string, contact: string) => `${name} est responsable du traitement de vos données${contact}.`,
    dpo: (c: string) => `Délégué à la protection des données : ${c}.`,
    source: (source: string, date: string) => `Origine de vos données : ${source} (collectées le ${date}) ; elles ne proviennent pas de vous.`,
    categories: (c: string) => `Catégories de données traitées : ${c}.`,
    purpose: (name: string, desc: string) => `Finalité : ${name}. ${desc}`,
    basis: (b: string, li: string) => `Base légale : ${b}${li === '' ? '' : ` — ${li}`}.`,
    recipients: (r: string) => `Destinataires : ${r}.`,
    retention: (d: string, start: string) => `Durée de conservation : ${d} ${start}.`,
    rights: (r: string) => `Vos droits : ${r}.`,
    exercise: (c: string) => `Pour les exercer, écrivez à ${c}.`,
    object: 'Vous pouvez vous opposer à tout moment, sans frais et sans motif, à la prospection commerciale, par le lien de désinscription ci-dessus (RGPD art. 21(2)).',
  },
  en: {
    sender: (name: string) => `This message is sent to you by ${name}.`,
    optOut: (url: string) => `To stop receiving our solicitations, in one click: ${url}`,
    portal: (url: string) => `Your data and your rights (see, download, correct or erase them, your consents): ${url}`,
    art14Title: 'Information about your personal data (GDPR Article 14)',
    controller: (name: string, contact: string) => `${name} is the controller of your data${contact}.`,
    dpo: (c: string) => `Data protection officer: ${c}.`,
    source: (source: string, date: string) => `Where your data comes from: ${source} (collected on ${date}); it was not obtained from you.`,
    categories: (c: string) => `Categories of data processed: ${c}.`,
    purpose: (name: string, desc: string) => `Purpose: ${name}. ${desc}`,
    basis: (b: string, li: string) => `Legal basis: ${b}${li === '' ? '' : ` — ${li}`}.`,
    recipients: (r: string) => `Recipients: ${r}.`,
    retention: (d: string, start: string) => `Retention: ${d} ${start}.`,
    rights: (r: string) => `Your rights: ${r}.`,
    exercise: (c: string) => `To exercise them, write to ${c}.`,
    object: 'You may object at any time, free of charge and without giving reasons, to commercial prospecting, through the unsubscribe link above (GDPR Art. 21(2)).',
  },
} as const;

const DATE = {
  fr: new Intl.DateTimeFormat('fr-FR', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'Europe/Paris' }),
  en: new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'Europe/Paris' }),
};

/**
 * The GDPR Art. 14(1)–(2) information on prospecting data, from the policy: controller
 * and DPO, source (14(2)(f)), categories (14(1)(d)), purpose and basis (14(1)(c)),
 * legitimate interest (14(2)(b)), recipients (14(1)(e)), retention (14(2)(a)), rights
 * (14(2)(c)), the right to object (Art. 21(4): explicitly and apart), and the complaint
 * to the supervisory authority (14(2)(e)).
 */
export function art14Paragraphs(policy: LoadedPolicy, language: MailLanguage, person: { readonly source: string; readonly collectedAt: Date }): string[] {
  const t = T[language];
  const purpose = policy.purposes.find((p) => p.id === 'prospecting');
  const c = policy.controller;
  const address = [c.address.street, c.address.postalCode, c.address.city].filter((x) => x !== '').join(' ');
  const contact = [address, c.email].filter((x) => x !== '').join(', ');
  const out: string[] = [t.art14Title, t.controller(c.name, contact === '' ? '' : ` (${contact})`)];
  const dpo = [c.dpo.name, c.dpo.email].filter((x) => x !== '').join(', ');
  if (dpo !== '') out.push(t.dpo(dpo));
  out.push(t.source(person.source, DATE[language].format(person.collectedAt)));
  if (purpose) {
    const categories = purpose.dataCategories.map((id) => policy.dataCategories.find((d) => d.id === id)?.label[language] ?? id);
    out.push(t.categories(categories.join(' ; ')));
    out.push(t.purpose(purpose.name[language], purpose.description[language]));
    out.push(t.basis(purpose.legalBases.map((b) => LEGAL_BASIS_LABELS[b][language]).join(', '), purpose.legitimateInterest?.[language] ?? ''));
    const recipients = purpose.recipients.map((id) => policy.roles.find((r) => r.id === id)?.label[language] ?? id);
    out.push(t.recipients(recipients.join(' ; ')));
    out.push(t.retention(durationInWords(purpose.retention.active, language), RETENTION_START_LABELS[purpose.retention.start][language]));
  }
  // Portability (Art. 20) does not apply to processing based on legitimate interest.
  const rights = RIGHTS.filter((r) => ['access', 'rectification', 'erasure', 'restriction', 'objection'].includes(r.id));
  out.push(t.rights(rights.map((r) => `${r.label[language]} (${r.article})`).join(', ')));
  const reach = [c.dpo.email, c.email].find((x) => x !== '');
  if (reach !== undefined) out.push(t.exercise(reach));
  out.push(t.object);
  out.push(complaintParagraph(policy, language));
  return out;
}

function personalise(text: string, person: MessageInput['person']): string {
  return text.replace(/\{\{\s*firstName\s*\}\}/g, person.firstName ?? '').replace(/\{\{\s*lastName\s*\}\}/g, person.lastName ?? '');
}

function linkify(escaped: string): string {
  return escaped.replace(/https?:\/\/[^\s<>"']+/g, (u) => `<a href="${u}">${u}</a>`);
}

/** Composes one person's message: bodies in text and HTML, and the RFC 8058 headers. */
export function composeMessage(input: MessageInput): ComposedMessage {
  const t = T[input.language];
  let body = personalise(input.body, input.person);
  // Longest first, so a URL that prefixes another is not replaced inside it.
  const order = input.links.map((u, i) => ({ u, i })).sort((a, b) => b.u.length - a.u.length);
  // Private-use characters mark each link while the others are replaced.
  const marks = order.map(({ u, i }) => ({ u, mark: `\uE000${i}\uE001` }));
  for (const { u, mark } of marks) body = body.split(u).join(mark);
  body = body.replace(/\uE000(\d+)\uE001/g, (_m, i: string) => input.clickUrl(Number(i)));
  const footer = [t.sender(input.policy.controller.name), t.optOut(input.optOutUrl), ...(input.portalUrl === undefined ? [] : [t.portal(input.portalUrl)])];
  const art14 = input.includeArt14 ? art14Paragraphs(input.policy, input.language, input.person) : [];
  const paragraphs = [...body.split(/\n{2,}/), ...footer, ...art14];
  const text = `${body}\n\n-- \n${footer.join('\n')}\n${art14.length > 0 ? `\n${art14.join('\n\n')}\n` : ''}`;
  const pixel = input.pixelUrl === null ? '' : `<img src="${escapeHtml(input.pixelUrl)}" width="1" height="1" alt="">`;
  const html =
    `<!doctype html><html lang="${input.language}"><head><meta charset="utf-8"><title>${escapeHtml(input.subject)}</title></head><body>` +
    paragraphs.map((p) => `<p>${linkify(escapeHtml(p)).replace(/\n/g, '<br>')}</p>`).join('') +
    pixel +
    '</body></html>';
  const unsubscribe = [`<${input.optOutUrl}>`, ...(input.optOutMailto ? [`<mailto:${input.optOutMailto}?subject=unsubscribe>`] : [])].join(', ');
  return {
    subject: input.subject,
    text,
    html,
    headers: {
      // RFC 8058: the https URI receives a POST "List-Unsubscribe=One-Click".
      'List-Unsubscribe': unsubscribe,
      'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
      'Content-Language': input.language,
    },
  };
}
