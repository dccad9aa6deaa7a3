import type { RequestType } from '../../rights/requests/tables.js';
import { RIGHT_NAMES, render, type MailLanguage, type MailPolicy, type RenderedMail } from './common.js';

/** What the identity-code message says. */
export interface IdentityCodeMail {
  readonly policy: MailPolicy;
  readonly language: MailLanguage;
  readonly type: RequestType;
  readonly code: string;
  readonly validMinutes: number;
  /**
   * The portal page that takes the code (issue 15), when the server knows its public URL.
   * It carries only the language: nothing personal, not even the request id, in a URL.
   */
  readonly codePageUrl?: string;
}

/**
 * The one-time code that proves the requester holds the address (GDPR Art. 12(6): identity
 * checked in proportion). Sent whether or not the address is known to us, and worded so
 * that it reveals neither.
 */
export function identityCodeMail(m: IdentityCodeMail): RenderedMail {
  const right = RIGHT_NAMES[m.type][m.language];
  return m.language === 'fr'
    ? render(m.policy, 'fr', `${m.policy.controller.name} : code de vérification de votre demande`, [
        'Bonjour,',
        `Une demande d'exercice du ${right} a été faite avec cette adresse email. Pour la confirmer, saisissez ce code :`,
        m.code,
        ...(m.codePageUrl === undefined ? [] : [`Saisissez-le sur cette page, avec votre adresse e-mail : ${m.codePageUrl}`]),
        `Le code est valable ${m.validMinutes} minutes. Si vous n'avez rien demandé, ignorez ce message : la demande n'ira pas plus loin.`,
      ])
    : render(m.policy, 'en', `${m.policy.controller.name}: verification code for your request`, [
        'Hello,',
        `A request to exercise the ${right} was made with this email address. To confirm it, enter this code:`,
        m.code,
        ...(m.codePageUrl === undefined ? [] : [`Enter it on this page, with your email address: ${m.codePageUrl}`]),
        `The code is valid for ${m.validMinutes} minutes. If you did not ask for anything, ignore this message: the request will go no further.`,
      ]);
}
