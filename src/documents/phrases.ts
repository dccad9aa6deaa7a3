/**
 * The words the documents compose their sentences from, in each language: legal bases,
 * retention events, safeguards, rights. Each is law or wording, never a policy value:
 * the values (periods, names, countries) come from the policy.
 */
import type { HoldStart, LegalBasis, RetentionStart, Safeguard } from '../policy/index.js';
import type { Lang } from './words.js';

/** A text in each language. */
export type Texts = Readonly<Record<Lang, string>>;

/** Short names of the lawful bases (GDPR Art. 6(1), 28(3)(a)), as the register lists them. */
export const BASIS_NAMES: Readonly<Record<LegalBasis, Texts>> = {
  contract: { fr: 'Exécution du contrat (RGPD, art. 6.1.b)', en: 'Performance of a contract (GDPR Art. 6(1)(b))' },
  legitimate_interest: { fr: 'Intérêt légitime (RGPD, art. 6.1.f)', en: 'Legitimate interest (GDPR Art. 6(1)(f))' },
  consent: { fr: 'Consentement (RGPD, art. 6.1.a)', en: 'Consent (GDPR Art. 6(1)(a))' },
  legal_obligation: { fr: 'Obligation légale (RGPD, art. 6.1.c)', en: 'Legal obligation (GDPR Art. 6(1)(c))' },
  processor_instructions: {
    fr: 'Instructions documentées du Client, responsable du traitement (RGPD, art. 28.3.a)',
    en: "Documented instructions of the client, the controller (GDPR Art. 28(3)(a))",
  },
};

/** The event a retention period runs from, after "à compter de" / "from". */
export const START_PHRASES: Readonly<Record<RetentionStart, Texts>> = {
  contract_end: { fr: 'la fin de la relation contractuelle', en: 'the end of the contractual relationship' },
  collection_or_last_contact: { fr: 'leur collecte ou du dernier contact émanant du Client', en: 'its collection or the last contact from the client' },
  engagement_end: { fr: 'la fin de la prestation', en: 'the end of the service' },
  entry_time: { fr: 'leur enregistrement', en: 'when it is recorded' },
};

/** The event a legal hold runs from. */
export const HOLD_START_PHRASES: Readonly<Record<HoldStart, Texts>> = {
  financial_year_end: { fr: "la clôture de l'exercice comptable", en: 'the end of the financial year' },
  record_date: { fr: 'leur date', en: 'their date' },
  contract_end: { fr: 'la fin de la relation contractuelle', en: 'the end of the contractual relationship' },
};

/** Record types a hold may name, in words (plural). */
export const RECORD_NAMES: Readonly<Record<string, Texts>> = {
  invoice: { fr: 'factures', en: 'invoices' },
  ledger_entry: { fr: 'écritures comptables', en: 'ledger entries' },
  credit_note: { fr: 'avoirs', en: 'credit notes' },
  contract: { fr: 'contrats', en: 'contracts' },
};

/** What makes a transfer outside the EU/EEA lawful (GDPR Art. 45–47). */
export const SAFEGUARD_PHRASES: Readonly<Record<Safeguard, Texts>> = {
  adequacy: { fr: "une décision d'adéquation de la Commission européenne (RGPD, art. 45)", en: 'an adequacy decision of the European Commission (GDPR Art. 45)' },
  scc: { fr: 'des clauses contractuelles types de la Commission européenne (RGPD, art. 46.2.c)', en: 'standard contractual clauses of the European Commission (GDPR Art. 46(2)(c))' },
  bcr: { fr: "des règles d'entreprise contraignantes (RGPD, art. 47)", en: 'binding corporate rules (GDPR Art. 47)' },
};

/** Mandatory-field paths of the policy (P1.2) in words; unknown paths are shown as written. */
export const FIELD_NAMES: Readonly<Record<string, Texts>> = {
  'organisation.name': { fr: 'la dénomination du Client', en: "the client's company name" },
  lastName: { fr: 'le nom', en: 'the last name' },
  firstName: { fr: 'le prénom', en: 'the first name' },
  email: { fr: "l'adresse email", en: 'the email address' },
  phone: { fr: 'le numéro de téléphone', en: 'the phone number' },
  jobTitle: { fr: 'la fonction', en: 'the job title' },
  offer: { fr: "l'offre souscrite", en: 'the offer subscribed to' },
  startDate: { fr: 'la date de début du contrat', en: 'the start date of the contract' },
};

/** Who the `[]` of a list path stands for ("each contact"). */
export const LIST_OWNERS: Readonly<Record<string, Texts>> = {
  contacts: { fr: 'de chaque interlocuteur', en: 'of each contact' },
};

/** The acts a mandatory list is required for. */
export const RECORD_ACTS: Readonly<Record<string, Texts>> = {
  contract: { fr: 'pour conclure un contrat', en: 'to conclude a contract' },
  order: { fr: 'pour passer une commande', en: 'to place an order' },
};

/** One right of the person as the notice tells it (GDPR Art. 13(2)(b)–(d), annex article 5). */
export interface RightPhrase {
  readonly id: 'access' | 'rectification' | 'erasure' | 'restriction' | 'portability' | 'objection' | 'withdraw_consent';
  readonly label: Texts;
  readonly what: Texts;
}

/** The rights of annex article 5, worded as the annex does, plus withdrawal of consent (Art. 13(2)(c)) when a purpose rests on it. */
export const RIGHT_PHRASES: readonly RightPhrase[] = [
  {
    id: 'access',
    label: { fr: "Droit d'accès", en: 'Right of access' },
    what: {
      fr: "permettant d'accéder aux données personnelles le concernant ou d'en obtenir une copie (RGPD, art. 15)",
      en: 'which lets the client access the personal data concerning it or obtain a copy of it (GDPR Art. 15)',
    },
  },
  {
    id: 'rectification',
    label: { fr: 'Droit de rectification', en: 'Right to rectification' },
    what: {
      fr: "permettant de rectifier ou de compléter les données personnelles le concernant lorsqu'elles sont inexactes ou incomplètes (RGPD, art. 16)",
      en: 'which lets the client have the personal data concerning it corrected or completed when it is inaccurate or incomplete (GDPR Art. 16)',
    },
  },
  {
    id: 'erasure',
    label: { fr: "Droit à l'effacement", en: 'Right to erasure' },
    what: {
      fr: "permettant de demander la suppression des données personnelles lorsqu'elles ne sont plus nécessaires aux fins pour lesquelles elles ont été collectées ou traitées, sous réserve de celles qu'une obligation légale impose de conserver (RGPD, art. 17)",
      en: 'which lets the client ask for the personal data to be erased when it is no longer needed for the purposes for which it was collected or processed, except what a legal obligation requires to be kept (GDPR Art. 17)',
    },
  },
  {
    id: 'restriction',
    label: { fr: 'Droit à la limitation du traitement', en: 'Right to restriction of processing' },
    what: {
      fr: 'permettant de demander la restriction du traitement de ses données personnelles (RGPD, art. 18)',
      en: 'which lets the client ask for the processing of its personal data to be restricted (GDPR Art. 18)',
    },
  },
  {
    id: 'portability',
    label: { fr: 'Droit à la portabilité', en: 'Right to data portability' },
    what: {
      fr: 'permettant de recevoir les données personnelles qu’il a fournies dans un format structuré, couramment utilisé et lisible par machine, ou de les faire transmettre à un autre responsable du traitement (RGPD, art. 20)',
      en: 'which lets the client receive the personal data it provided in a structured, commonly used and machine-readable format, or have it sent to another controller (GDPR Art. 20)',
    },
  },
  {
    id: 'objection',
    label: { fr: "Droit d'opposition", en: 'Right to object' },
    what: {
      fr: "permettant de s'opposer au traitement de ses données personnelles, à tout moment et sans avoir à se justifier s'agissant de la prospection commerciale (RGPD, art. 21)",
      en: 'which lets the client object to the processing of its personal data, at any time and with no reason needed where it is commercial prospecting (GDPR Art. 21)',
    },
  },
  {
    id: 'withdraw_consent',
    label: { fr: 'Droit de retirer son consentement', en: 'Right to withdraw consent' },
    what: {
      fr: 'à tout moment, aussi simplement qu’il a été donné, sans que cela remette en cause la licéité du traitement effectué auparavant (RGPD, art. 7.3)',
      en: 'at any time and as easily as it was given, without affecting the lawfulness of earlier processing (GDPR Art. 7(3))',
    },
  },
];
