import type { RequestType } from '../../rights/requests/tables.js';
import { RIGHT_NAMES, complaintParagraph, formatLongDate, referenceLine, render, type MailLanguage, type MailPolicy, type RenderedMail } from './common.js';

/** What the extension notice says. */
export interface ExtensionMail {
  readonly policy: MailPolicy;
  readonly language: MailLanguage;
  readonly type: RequestType;
  readonly requestId: string;
  readonly reason: string;
  /** The first deadline, `YYYY-MM-DD`. */
  readonly firstDueOn: string;
  /** The new deadline, `YYYY-MM-DD`. */
  readonly newDueOn: string;
}

/** The notice of an extension, with its reasons, sent within the first month (GDPR Art. 12(3)). */
export function extensionMail(m: ExtensionMail): RenderedMail {
  const right = RIGHT_NAMES[m.type][m.language];
  const first = formatLongDate(m.firstDueOn, m.language);
  const next = formatLongDate(m.newDueOn, m.language);
  return m.language === 'fr'
    ? render(m.policy, 'fr', `${m.policy.controller.name} : le délai de réponse à votre demande est prolongé`, [
        'Bonjour,',
        `Nous ne pourrons pas répondre à votre demande d'exercice du ${right} d'ici le ${first}. ` +
          `Comme le permet l'article 12(3) du RGPD, le délai est prolongé : nous vous répondrons au plus tard le ${next}.`,
        `Motif : ${m.reason}`,
        referenceLine(m.requestId, 'fr'),
        complaintParagraph(m.policy, 'fr'),
      ])
    : render(m.policy, 'en', `${m.policy.controller.name}: the time to answer your request is extended`, [
        'Hello,',
        `We cannot answer your request to exercise the ${right} by ${first}. ` +
          `As Article 12(3) GDPR allows, the period is extended: we will answer by ${next} at the latest.`,
        `Reason: ${m.reason}`,
        referenceLine(m.requestId, 'en'),
        complaintParagraph(m.policy, 'en'),
      ]);
}
