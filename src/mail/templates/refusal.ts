import type { RequestType } from '../../rights/requests/tables.js';
import { RIGHT_NAMES, complaintParagraph, referenceLine, render, type MailLanguage, type MailPolicy, type RenderedMail } from './common.js';

/** What the refusal says. */
export interface RefusalMail {
  readonly policy: MailPolicy;
  readonly language: MailLanguage;
  readonly type: RequestType;
  readonly requestId: string;
  readonly reason: string;
}

/**
 * A refusal to act: its reasons, and the right to complain to the supervisory authority
 * and to seek a judicial remedy (GDPR Art. 12(4); P5.7).
 */
export function refusalMail(m: RefusalMail): RenderedMail {
  const right = RIGHT_NAMES[m.type][m.language];
  return m.language === 'fr'
    ? render(m.policy, 'fr', `${m.policy.controller.name} : nous ne pouvons pas donner suite à votre demande`, [
        'Bonjour,',
        `Nous ne donnerons pas suite à votre demande d'exercice du ${right}.`,
        `Motif : ${m.reason}`,
        referenceLine(m.requestId, 'fr'),
        complaintParagraph(m.policy, 'fr'),
      ])
    : render(m.policy, 'en', `${m.policy.controller.name}: we cannot act on your request`, [
        'Hello,',
        `We will not act on your request to exercise the ${right}.`,
        `Reason: ${m.reason}`,
        referenceLine(m.requestId, 'en'),
        complaintParagraph(m.policy, 'en'),
      ]);
}
