import { render, type MailLanguage, type MailPolicy, type RenderedMail } from './common.js';

/** What a consent receipt says. */
export interface ConsentReceiptMail {
  readonly policy: MailPolicy;
  readonly language: MailLanguage;
  /** The recipient of the file the consent is for. */
  readonly partnerName: string;
  /** The consent record id (ISO/IEC TS 27560 record id), to quote. */
  readonly recordId: string;
  /** When the consent was given, ISO 8601. */
  readonly at: string;
  /** The exact text the person was shown. */
  readonly textShown: string;
  /** The one-click withdrawal link (no personal data in it). */
  readonly withdrawUrl: string;
}

/**
 * The receipt of a consent to the exchange of the person's data with a partner (annex
 * art. 1; GDPR Art. 7(1)), with the link that withdraws it in one click (Art. 7(3): as
 * easy to withdraw as to give).
 */
export function consentReceiptMail(m: ConsentReceiptMail): RenderedMail {
  return m.language === 'fr'
    ? render(m.policy, 'fr', `${m.policy.controller.name} : votre consentement à la transmission de vos données à ${m.partnerName}`, [
        'Bonjour,',
        `Vous avez consenti le ${m.at} à ce que vos coordonnées soient transmises à ${m.partnerName}. Le texte qui vous a été présenté :`,
        `« ${m.textShown} »`,
        `Vous pouvez retirer ce consentement à tout moment, en un clic, sans vous connecter : ${m.withdrawUrl}`,
        `Référence de votre consentement : ${m.recordId}`,
      ])
    : render(m.policy, 'en', `${m.policy.controller.name}: your consent to passing your data to ${m.partnerName}`, [
        'Hello,',
        `On ${m.at} you consented to your contact details being passed to ${m.partnerName}. The text you were shown:`,
        `"${m.textShown}"`,
        `You may withdraw this consent at any time, in one click, without signing in: ${m.withdrawUrl}`,
        `Your consent reference: ${m.recordId}`,
      ]);
}

/** What the confirmation of a withdrawal says. */
export interface ConsentWithdrawnMail {
  readonly policy: MailPolicy;
  readonly language: MailLanguage;
  readonly partnerNames: readonly string[];
  readonly at: string;
  /** How many of those partners had received the person's data and are being told. */
  readonly notified: number;
}

/** Confirms a withdrawal (GDPR Art. 7(3)) and that the partners that had the data are told (Art. 19). */
export function consentWithdrawnMail(m: ConsentWithdrawnMail): RenderedMail {
  const names = m.partnerNames.join(', ');
  return m.language === 'fr'
    ? render(m.policy, 'fr', `${m.policy.controller.name} : retrait de votre consentement enregistré`, [
        'Bonjour,',
        `Le ${m.at}, nous avons enregistré le retrait de votre consentement à la transmission de vos données à : ${names}. Il prend effet immédiatement : aucun fichier ne leur transmettra plus vos données.`,
        m.notified > 0 ? `Les destinataires qui avaient déjà reçu vos données (${m.notified}) en sont informés.` : "Vos données ne leur avaient pas été transmises.",
      ])
    : render(m.policy, 'en', `${m.policy.controller.name}: withdrawal of your consent recorded`, [
        'Hello,',
        `On ${m.at} we recorded the withdrawal of your consent to passing your data to: ${names}. It takes effect at once: no file will pass your data to them any more.`,
        m.notified > 0 ? `The recipients that had already received your data (${m.notified}) are being told.` : 'Your data had not been passed to them.',
      ]);
}
