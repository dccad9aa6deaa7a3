import { formatLongDate, render, type MailLanguage, type MailPolicy, type RenderedMail } from './common.js';

/** What the re-permission message says (P4.2). */
export interface RepermissionMail {
  readonly policy: MailPolicy;
  readonly language: MailLanguage;
  /** The end of the keeping period, `YYYY-MM-DD`: without a yes, the data is deleted then. */
  readonly termOn: string;
  /** The one-click yes: a confirmation page, then a POST (mail scanners follow GET links). */
  readonly yesUrl: string;
  /** The one-click stop (opposition list, R-PROS-5). */
  readonly stopUrl: string;
}

/**
 * The one message sent before the 3-year term of prospecting data (annex art. 4: "au terme
 * de ce délai, CERTILIENCE peut reprendre contact avec le Client afin de savoir s'il
 * souhaite continuer à recevoir des sollicitations commerciales"). Only a click on "yes"
 * keeps the data; opening the message counts for nothing (R-PROS-7), and without an
 * answer the data is deleted at the term.
 */
export function repermissionMail(m: RepermissionMail): RenderedMail {
  const name = m.policy.controller.name;
  const term = formatLongDate(m.termOn, m.language);
  return m.language === 'fr'
    ? render(m.policy, 'fr', `${name} : souhaitez-vous continuer à recevoir nos messages ?`, [
        'Bonjour,',
        `Vous recevez des sollicitations commerciales de ${name}. Sans nouvelle de votre part depuis trois ans, ` +
          `nous supprimerons vos coordonnées le ${term}.`,
        `Si vous souhaitez continuer à recevoir nos messages, un clic suffit :\n${m.yesUrl}`,
        `Sinon, vous n'avez rien à faire : vos données seront supprimées à cette date. ` +
          `Pour ne plus rien recevoir dès maintenant :\n${m.stopUrl}`,
        `L'ouverture de ce message n'est pas une réponse : seul un clic sur le lien ci-dessus prolonge la conservation de vos données de trois ans.`,
      ])
    : render(m.policy, 'en', `${name}: do you want to keep hearing from us?`, [
        'Hello,',
        `You receive commercial messages from ${name}. As we have not heard from you for three years, ` +
          `we will delete your details on ${term}.`,
        `If you want to keep receiving our messages, one click is enough:\n${m.yesUrl}`,
        `Otherwise there is nothing to do: your data will be deleted on that date. ` +
          `To receive nothing more from now on:\n${m.stopUrl}`,
        'Opening this message is not an answer: only a click on the link above keeps your data for three more years.',
      ]);
}
