import { render, type MailLanguage, type MailPolicy, type RenderedMail } from '../mail/templates/common.js';
import type { ControllerScope } from './tables.js';

/** What the consent is to, in the person's words. */
const WHAT: Record<ControllerScope, Record<MailLanguage, (controller: string) => string>> = {
  email_prospecting: {
    fr: (c) => `recevoir par courrier électronique les offres commerciales de ${c}`,
    en: (c) => `receiving commercial offers from ${c} by email`,
  },
  open_tracking: {
    fr: (c) => `la mesure, par ${c}, de l'ouverture de ses courriers électroniques commerciaux`,
    en: (c) => `${c} measuring whether you open its commercial emails`,
  },
};

/** What a consent to one of the controller's own scopes is to, for a page or a mail. */
export function scopeWording(scope: ControllerScope, language: MailLanguage, controller: string): string {
  return WHAT[scope][language](controller);
}

/**
 * The receipt of a consent to the controller's own electronic prospecting or open
 * tracking (GDPR Art. 7(1)), with the link that withdraws it in one click (Art. 7(3)).
 * The partner receipts (src/mail/templates/consent-receipt.ts) speak of passing data on;
 * these scopes pass nothing to anyone.
 */
export function scopeReceiptMail(m: { readonly policy: MailPolicy; readonly language: MailLanguage; readonly scope: ControllerScope; readonly recordId: string; readonly at: string; readonly textShown: string; readonly withdrawUrl: string }): RenderedMail {
  const c = m.policy.controller.name;
  const what = scopeWording(m.scope, m.language, c);
  return m.language === 'fr'
    ? render(m.policy, 'fr', `${c} : votre consentement enregistré`, [
        'Bonjour,',
        `Vous avez consenti le ${m.at} à ${what}. Le texte qui vous a été présenté :`,
        `« ${m.textShown} »`,
        `Vous pouvez retirer ce consentement à tout moment, en un clic, sans vous connecter : ${m.withdrawUrl}`,
        `Référence de votre consentement : ${m.recordId}`,
      ])
    : render(m.policy, 'en', `${c}: your consent recorded`, [
        'Hello,',
        `On ${m.at} you consented to ${what}. The text you were shown:`,
        `"${m.textShown}"`,
        `You may withdraw this consent at any time, in one click, without signing in: ${m.withdrawUrl}`,
        `Your consent reference: ${m.recordId}`,
      ]);
}

/** Confirms the withdrawal of a consent to a controller scope (GDPR Art. 7(3)), effective at once. */
export function scopeWithdrawnMail(m: { readonly policy: MailPolicy; readonly language: MailLanguage; readonly scope: ControllerScope; readonly at: string }): RenderedMail {
  const c = m.policy.controller.name;
  const what = scopeWording(m.scope, m.language, c);
  return m.language === 'fr'
    ? render(m.policy, 'fr', `${c} : retrait de votre consentement enregistré`, ['Bonjour,', `Le ${m.at}, nous avons enregistré le retrait de votre consentement à ${what}. Il prend effet immédiatement.`])
    : render(m.policy, 'en', `${c}: withdrawal of your consent recorded`, ['Hello,', `On ${m.at} we recorded the withdrawal of your consent to ${what}. It takes effect at once.`]);
}
