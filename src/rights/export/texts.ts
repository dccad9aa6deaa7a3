import type { LegalBasis, Localized, RetentionEnd, RetentionStart } from '../../policy/index.js';
import { parseDuration } from '../../policy/index.js';

/** The languages an answer to a request is written in (the person's: French or English). */
export type Language = 'fr' | 'en';

/** True when `text` names a supported language. */
export function isLanguage(text: string): text is Language {
  return text === 'fr' || text === 'en';
}

/** Picks the text of a language. */
export function pick(text: Localized, language: Language): string {
  return text[language];
}

/** The lawful bases of GDPR Art. 6(1), and the processor's instructions (Art. 28(3)(a)), as told to the person (Art. 13(1)(c)). */
export const LEGAL_BASIS_LABELS: Readonly<Record<LegalBasis, Localized>> = {
  contract: { fr: 'Exécution du contrat (RGPD art. 6(1)(b))', en: 'Performance of a contract (GDPR Art. 6(1)(b))' },
  legitimate_interest: { fr: 'Intérêt légitime (RGPD art. 6(1)(f))', en: 'Legitimate interest (GDPR Art. 6(1)(f))' },
  consent: { fr: 'Consentement (RGPD art. 6(1)(a)), retirable à tout moment', en: 'Consent (GDPR Art. 6(1)(a)), withdrawable at any time' },
  legal_obligation: { fr: 'Obligation légale (RGPD art. 6(1)(c))', en: 'Legal obligation (GDPR Art. 6(1)(c))' },
  processor_instructions: {
    fr: 'Traitement pour le compte du Client, sur ses instructions (RGPD art. 28)',
    en: "Processing on the client's behalf, on its instructions (GDPR Art. 28)",
  },
};

/** The events retention runs from (annex article 4). */
export const RETENTION_START_LABELS: Readonly<Record<RetentionStart, Localized>> = {
  contract_end: { fr: 'à compter de la fin de la relation contractuelle', en: 'from the end of the contractual relationship' },
  collection_or_last_contact: { fr: 'à compter de la collecte ou du dernier contact', en: 'from collection or the last contact' },
  engagement_end: { fr: 'à compter de la fin de la prestation', en: 'from the end of the service' },
  entry_time: { fr: "à compter de l'enregistrement", en: 'from when the entry is recorded' },
};

/** What happens at the end of retention. */
export const RETENTION_END_LABELS: Readonly<Record<RetentionEnd, Localized>> = {
  delete: { fr: 'puis suppression', en: 'then deletion' },
  anonymise: { fr: 'puis anonymisation', en: 'then anonymisation' },
};

/** Controller or processor (GDPR Art. 4(7), 4(8)). */
export const PROCESSING_ROLE_LABELS: Readonly<Record<'controller' | 'processor', Localized>> = {
  controller: { fr: 'Responsable de traitement', en: 'Controller' },
  processor: { fr: 'Sous-traitant du Client (RGPD art. 28)', en: "The client's processor (GDPR Art. 28)" },
};

/** An ISO-8601 duration in words: `P3Y` → "3 ans" / "3 years"; `P0D` → "aucune" / "none". */
export function durationInWords(iso: string, language: Language): string {
  const d = parseDuration(iso);
  const unit = (n: number, fr: [string, string], en: [string, string]): string =>
    n === 0 ? '' : `${n} ${language === 'fr' ? fr[n > 1 ? 1 : 0] : en[n > 1 ? 1 : 0]}`;
  const parts = [
    unit(d.years, ['an', 'ans'], ['year', 'years']),
    unit(d.months, ['mois', 'mois'], ['month', 'months']),
    unit(d.days, ['jour', 'jours'], ['day', 'days']),
  ].filter((p) => p !== '');
  if (parts.length === 0) return language === 'fr' ? 'aucune' : 'none';
  return parts.join(language === 'fr' ? ' et ' : ' and ');
}

/** One right of the person, as told in every answer (GDPR Art. 15(1)(e), 13(2)(b)). */
export interface RightText {
  readonly id: string;
  readonly article: string;
  readonly label: Localized;
  readonly description: Localized;
}

/** The rights the GDPR and French law give the person (Art. 15(1)(e),(f); 7(3); 77; Loi Informatique et Libertés art. 85). */
export const RIGHTS: readonly RightText[] = [
  {
    id: 'access',
    article: 'GDPR Art. 15',
    label: { fr: "Droit d'accès", en: 'Right of access' },
    description: {
      fr: 'Obtenir la confirmation que vos données sont traitées, une copie de celles-ci et les informations de ce document.',
      en: 'Obtain confirmation that your data is processed, a copy of it and the information in this document.',
    },
  },
  {
    id: 'rectification',
    article: 'GDPR Art. 16',
    label: { fr: 'Droit de rectification', en: 'Right to rectification' },
    description: { fr: 'Faire corriger ou compléter des données inexactes ou incomplètes.', en: 'Have inaccurate or incomplete data corrected or completed.' },
  },
  {
    id: 'erasure',
    article: 'GDPR Art. 17',
    label: { fr: "Droit à l'effacement", en: 'Right to erasure' },
    description: {
      fr: "Faire effacer vos données, sauf celles qu'une obligation légale impose de conserver (par exemple les pièces comptables).",
      en: 'Have your data erased, except what a legal obligation requires us to keep (accounting records, for example).',
    },
  },
  {
    id: 'restriction',
    article: 'GDPR Art. 18',
    label: { fr: 'Droit à la limitation du traitement', en: 'Right to restriction of processing' },
    description: {
      fr: "Faire geler l'utilisation de vos données : elles sont conservées mais ne servent plus à rien d'autre.",
      en: 'Have the use of your data frozen: it is kept but used for nothing else.',
    },
  },
  {
    id: 'portability',
    article: 'GDPR Art. 20',
    label: { fr: 'Droit à la portabilité', en: 'Right to data portability' },
    description: {
      fr: "Recevoir les données que vous avez fournies, traitées sur la base d'un contrat ou de votre consentement, dans un format structuré et lisible par machine, ou les faire transmettre à un autre responsable.",
      en: 'Receive the data you provided, processed under a contract or your consent, in a structured, machine-readable format, or have it sent to another controller.',
    },
  },
  {
    id: 'objection',
    article: 'GDPR Art. 21',
    label: { fr: "Droit d'opposition", en: 'Right to object' },
    description: {
      fr: "Vous opposer à tout moment à la prospection commerciale (sans avoir à vous justifier) et, pour des raisons tenant à votre situation, aux traitements fondés sur l'intérêt légitime.",
      en: 'Object at any time to commercial prospecting (with no reason needed) and, on grounds relating to your situation, to processing based on legitimate interest.',
    },
  },
  {
    id: 'withdraw_consent',
    article: 'GDPR Art. 7(3)',
    label: { fr: 'Droit de retirer votre consentement', en: 'Right to withdraw consent' },
    description: {
      fr: 'Retirer à tout moment, aussi simplement que vous l’avez donné, un consentement donné, sans remettre en cause les traitements antérieurs.',
      en: 'Withdraw a consent at any time, as easily as you gave it, without affecting earlier processing.',
    },
  },
  {
    id: 'automated_decisions',
    article: 'GDPR Art. 22',
    label: { fr: 'Décisions automatisées', en: 'Automated decisions' },
    description: {
      fr: 'Ne pas faire l’objet d’une décision fondée exclusivement sur un traitement automatisé produisant des effets juridiques. Aucune décision de ce type n’est prise.',
      en: 'Not to be subject to a decision based solely on automated processing that produces legal effects. No such decision is made.',
    },
  },
  {
    id: 'post_mortem',
    article: 'Loi Informatique et Libertés, art. 85',
    label: { fr: 'Directives post-mortem', en: 'Instructions for after your death' },
    description: {
      fr: 'Définir des directives relatives à la conservation, à l’effacement et à la communication de vos données après votre décès.',
      en: 'Give instructions on the retention, erasure and communication of your data after your death.',
    },
  },
  {
    id: 'complaint',
    article: 'GDPR Art. 77',
    label: { fr: 'Droit d’introduire une réclamation auprès de la CNIL', en: 'Right to lodge a complaint with the CNIL' },
    description: {
      fr: 'Saisir l’autorité de contrôle si vous estimez que le traitement de vos données ne respecte pas la réglementation.',
      en: 'Complain to the supervisory authority if you consider that the processing of your data breaks the rules.',
    },
  },
];

/** Headings and sentences of the access document. */
export const TEXT = {
  title: { fr: 'Copie de vos données personnelles', en: 'Copy of your personal data' },
  intro: {
    fr: 'Réponse à votre demande d’accès (RGPD art. 15) : toutes les données que nous détenons sur vous, et comment nous les utilisons.',
    en: 'Answer to your access request (GDPR Art. 15): all the data we hold on you, and how we use it.',
  },
  generatedAt: { fr: 'Établi le', en: 'Generated on' },
  policyVersion: { fr: 'Version de la politique', en: 'Policy version' },
  controller: { fr: 'Responsable du traitement', en: 'Controller' },
  dpo: { fr: 'Délégué à la protection des données', en: 'Data protection officer' },
  person: { fr: 'Personne concernée', en: 'Data subject' },
  records: { fr: 'Fiches', en: 'Records' },
  yourData: { fr: 'Vos données', en: 'Your data' },
  noData: { fr: 'Aucune donnée.', en: 'No data.' },
  field: { fr: 'Champ', en: 'Field' },
  value: { fr: 'Valeur', en: 'Value' },
  category: { fr: 'Catégorie', en: 'Category' },
  purposes: { fr: 'Finalités', en: 'Purposes' },
  provided: { fr: 'Fournie par vous', en: 'Provided by you' },
  yes: { fr: 'oui', en: 'yes' },
  no: { fr: 'non', en: 'no' },
  row: { fr: 'Enregistrement', en: 'Record' },
  purposesAndBases: { fr: 'Finalités et bases légales', en: 'Purposes and legal bases' },
  role: { fr: 'Qualité', en: 'Role' },
  legalBases: { fr: 'Bases légales', en: 'Legal bases' },
  legitimateInterest: { fr: 'Intérêt légitime poursuivi', en: 'Legitimate interest pursued' },
  categories: { fr: 'Catégories de données', en: 'Categories of data' },
  recipients: { fr: 'Destinataires', en: 'Recipients' },
  retention: { fr: 'Durée de conservation', en: 'Retention period' },
  active: { fr: 'en base active', en: 'active' },
  archive: { fr: 'en archive intermédiaire', en: 'in the intermediate archive' },
  holds: { fr: 'Conservations légales', en: 'Legal holds' },
  locations: { fr: 'Lieux de traitement', en: 'Where it is processed' },
  sources: { fr: 'Origine des données', en: 'Where your data comes from' },
  sourcesIntro: {
    fr: 'Pour les données qui n’ont pas été collectées auprès de vous (RGPD art. 14(2)(f), 15(1)(g)) :',
    en: 'For data not collected from you (GDPR Art. 14(2)(f), 15(1)(g)):',
  },
  transfers: { fr: 'Transferts hors de l’Union européenne', en: 'Transfers outside the European Union' },
  noTransfer: {
    fr: 'Vos données sont traitées au sein de l’Union européenne ; aucune n’est transférée hors de l’Espace économique européen.',
    en: 'Your data is processed within the European Union; none is transferred outside the European Economic Area.',
  },
  automatedDecisions: {
    fr: 'Aucune décision produisant des effets juridiques à votre égard n’est fondée exclusivement sur un traitement automatisé, profilage compris (RGPD art. 22).',
    en: 'No decision producing legal effects concerning you is based solely on automated processing, including profiling (GDPR Art. 22).',
  },
  rights: { fr: 'Vos droits', en: 'Your rights' },
  howToExercise: { fr: 'Pour exercer vos droits, écrivez au responsable du traitement ou à son délégué.', en: 'To exercise your rights, write to the controller or its data protection officer.' },
  complaint: { fr: 'Réclamation auprès de la CNIL', en: 'Complaint to the CNIL' },
  complaintIntro: {
    fr: 'Si vous estimez que vos droits ne sont pas respectés, vous pouvez introduire une réclamation auprès de l’autorité de contrôle (RGPD art. 77) :',
    en: 'If you consider that your rights are not respected, you may lodge a complaint with the supervisory authority (GDPR Art. 77):',
  },
  address: { fr: 'Adresse', en: 'Address' },
  phone: { fr: 'Téléphone', en: 'Phone' },
  fax: { fr: 'Télécopie', en: 'Fax' },
  website: { fr: 'Site', en: 'Website' },
  collectedAt: { fr: 'Collectées le', en: 'Collected on' },
  source: { fr: 'Source', en: 'Source' },
  notProvided: { fr: 'non renseigné', en: 'not given' },
} as const satisfies Record<string, Localized>;
