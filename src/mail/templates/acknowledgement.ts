import type { RequestType } from '../../rights/requests/tables.js';
import { RIGHT_NAMES, complaintParagraph, formatLongDate, referenceLine, render, type MailLanguage, type MailPolicy, type RenderedMail } from './common.js';

/** What the acknowledgement says. */
export interface AcknowledgementMail {
  readonly policy: MailPolicy;
  readonly language: MailLanguage;
  readonly type: RequestType;
  readonly requestId: string;
  /** The day the request was received (Paris), `YYYY-MM-DD`. */
  readonly receivedOn: string;
  /** The last day to answer, `YYYY-MM-DD`. */
  readonly dueOn: string;
}

/** The acknowledgement once identity is verified, with the date by which we answer (GDPR Art. 12(3)). */
export function acknowledgementMail(m: AcknowledgementMail): RenderedMail {
  const right = RIGHT_NAMES[m.type][m.language];
  const received = formatLongDate(m.receivedOn, m.language);
  const due = formatLongDate(m.dueOn, m.language);
  return m.language === 'fr'
    ? render(m.policy, 'fr', `${m.policy.controller.name} : nous avons bien reçu votre demande`, [
        'Bonjour,',
        `Votre adresse est vérifiée. Nous avons bien reçu le ${received} votre demande d'exercice du ${right}.`,
        `Nous vous répondrons au plus tard le ${due} (un mois à compter de la réception, RGPD art. 12(3)).`,
        referenceLine(m.requestId, 'fr'),
        complaintParagraph(m.policy, 'fr'),
      ])
    : render(m.policy, 'en', `${m.policy.controller.name}: we have received your request`, [
        'Hello,',
        `Your address is verified. We received your request to exercise the ${right} on ${received}.`,
        `We will answer by ${due} at the latest (one month from receipt, GDPR Art. 12(3)).`,
        referenceLine(m.requestId, 'en'),
        complaintParagraph(m.policy, 'en'),
      ]);
}
