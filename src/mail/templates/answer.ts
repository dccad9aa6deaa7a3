import type { RequestType } from '../../rights/requests/tables.js';
import { RIGHT_NAMES, complaintParagraph, referenceLine, render, type MailLanguage, type MailPolicy, type RenderedMail } from './common.js';

/** What the answer says. */
export interface AnswerMail {
  readonly policy: MailPolicy;
  readonly language: MailLanguage;
  readonly type: RequestType;
  readonly requestId: string;
  /** What was done, from the handler of the right (the export attached, what was erased and what was kept, why). */
  readonly summary: string;
  readonly attachmentNames: readonly string[];
}

/** The answer to a request (GDPR Art. 12(3)), with the right to complain (P5.7). */
export function answerMail(m: AnswerMail): RenderedMail {
  const right = RIGHT_NAMES[m.type][m.language];
  const files = m.attachmentNames.join(', ');
  return m.language === 'fr'
    ? render(m.policy, 'fr', `${m.policy.controller.name} : réponse à votre demande`, [
        'Bonjour,',
        `Voici notre réponse à votre demande d'exercice du ${right}.`,
        m.summary,
        ...(files === '' ? [] : [`Pièces jointes : ${files}`]),
        referenceLine(m.requestId, 'fr'),
        complaintParagraph(m.policy, 'fr'),
      ])
    : render(m.policy, 'en', `${m.policy.controller.name}: our answer to your request`, [
        'Hello,',
        `Here is our answer to your request to exercise the ${right}.`,
        m.summary,
        ...(files === '' ? [] : [`Attached: ${files}`]),
        referenceLine(m.requestId, 'en'),
        complaintParagraph(m.policy, 'en'),
      ]);
}
