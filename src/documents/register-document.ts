/** The register (D1) as a readable document: the same content in Markdown, HTML and PDF. */
import type { Block, DocumentModel, Inline } from './model.js';
import type { Register, RegisterTransfer } from './register.js';
import { dateInWords } from './words.js';

const L = {
  title: { fr: 'Registre des activités de traitement', en: 'Record of processing activities' },
  controllerSection: { fr: 'Responsable du traitement', en: 'Controller' },
  name: { fr: 'Nom', en: 'Name' },
  address: { fr: 'Adresse', en: 'Address' },
  email: { fr: 'Email', en: 'Email' },
  phone: { fr: 'Téléphone', en: 'Phone' },
  dpo: { fr: 'Délégué à la protection des données', en: 'Data protection officer' },
  toFill: { fr: 'à compléter', en: 'to be completed' },
  asController: { fr: 'Activités en qualité de responsable du traitement (RGPD, art. 30.1)', en: 'Activities as controller (GDPR Art. 30(1))' },
  asProcessor: { fr: 'Activités en qualité de sous-traitant (RGPD, art. 30.2)', en: 'Activities as processor (GDPR Art. 30(2))' },
  purpose: { fr: 'Finalité du traitement', en: 'Purpose of the processing' },
  legalBases: { fr: 'Base(s) légale(s)', en: 'Legal basis (or bases)' },
  legitimateInterest: { fr: 'Intérêt légitime poursuivi', en: 'Legitimate interest pursued' },
  subjects: { fr: 'Catégories de personnes concernées', en: 'Categories of data subjects' },
  categories: { fr: 'Catégories de données à caractère personnel', en: 'Categories of personal data' },
  recipients: { fr: 'Catégories de destinataires', en: 'Categories of recipients' },
  locations: { fr: 'Lieux de traitement', en: 'Where the data is processed' },
  transfers: { fr: "Transferts hors de l'UE/EEE et garanties", en: 'Transfers outside the EU/EEA and safeguards' },
  noTransfer: { fr: "Aucun transfert hors de l'Union européenne ou de l'Espace économique européen.", en: 'No transfer outside the European Union or the European Economic Area.' },
  retention: { fr: "Délais prévus pour l'effacement", en: 'Time limits for erasure' },
  security: { fr: 'Mesures de sécurité techniques et organisationnelles', en: 'Technical and organisational security measures' },
  processorName: { fr: 'Sous-traitant', en: 'Processor' },
  clients: { fr: 'Responsables du traitement pour le compte desquels le traitement est effectué (clients)', en: 'Controllers on whose behalf the processing is carried out (clients)' },
  categoriesOfProcessing: { fr: 'Catégories de traitements effectués pour le compte de chaque client', en: 'Categories of processing carried out on behalf of each client' },
  subProcessors: { fr: 'Sous-traitants ultérieurs', en: 'Sub-processors' },
  engagement: { fr: 'Prestation', en: 'Engagement' },
  none: { fr: 'Aucun.', en: 'None.' },
  version: { fr: 'Version', en: 'Version' },
  updated: { fr: 'Mise à jour du', en: 'Last updated' },
} as const;

function transfersValues(transfers: readonly RegisterTransfer[], lang: 'fr' | 'en'): Inline[] {
  if (transfers.length === 0) return [L.noTransfer[lang]];
  return transfers.map((t) => `${t.name} (${t.countryName}) : ${t.safeguard}`.replace(' : ', lang === 'fr' ? ' : ' : ': '));
}

/** The register as a document in its language. */
export function registerDocument(register: Register): DocumentModel {
  const lang = register.lang;
  const t = (k: keyof typeof L): string => L[k][lang];
  const orFill = (s: string): string => (s === '' ? `(${t('toFill')})` : s);
  const c = register.controller;
  const blocks: Block[] = [
    { kind: 'heading', level: 1, text: t('controllerSection') },
    {
      kind: 'fields',
      rows: [
        { label: t('name'), values: [orFill(c.name)] },
        { label: t('address'), values: [orFill(c.address)] },
        { label: t('email'), values: [orFill(c.email)] },
        { label: t('phone'), values: [orFill(c.phone)] },
        { label: t('dpo'), values: [[c.dpo.name, c.dpo.email, c.dpo.phone].filter((s) => s !== '').join(', ') || `(${t('toFill')})`] },
      ],
    },
    { kind: 'heading', level: 1, text: t('asController') },
  ];
  for (const e of register.asController) {
    blocks.push({ kind: 'heading', level: 2, text: e.purpose.label });
    blocks.push({
      kind: 'fields',
      rows: [
        { label: t('purpose'), values: [e.description] },
        { label: t('legalBases'), values: e.legalBases.map((b) => b.label) },
        ...(e.legitimateInterest ? [{ label: t('legitimateInterest'), values: [e.legitimateInterest] }] : []),
        { label: t('subjects'), values: e.dataSubjects.map((s) => s.label) },
        { label: t('categories'), values: e.dataCategories.map((s) => s.label) },
        { label: t('recipients'), values: e.recipients.map((s) => s.label) },
        { label: t('locations'), values: e.locations.map((l) => `${l.name} (${l.country})`) },
        { label: t('transfers'), values: transfersValues(e.transfers, lang) },
        { label: t('retention'), values: [e.retention.text] },
        { label: t('security'), values: e.securityMeasures },
      ],
    });
  }
  blocks.push({ kind: 'heading', level: 1, text: t('asProcessor') });
  for (const e of register.asProcessor) {
    blocks.push({ kind: 'heading', level: 2, text: e.purpose.label });
    blocks.push({
      kind: 'fields',
      rows: [
        { label: t('processorName'), values: [[c.name, c.address, c.email].filter((s) => s !== '').join(', ')] },
        { label: t('dpo'), values: [[c.dpo.name, c.dpo.email].filter((s) => s !== '').join(', ') || `(${t('toFill')})`] },
        { label: t('clients'), values: e.clients.length > 0 ? e.clients.map((x) => x.name) : [e.clientsNote ?? t('none')] },
        ...(e.engagement ? [{ label: t('engagement'), values: [`${e.engagement.name} (${e.engagement.startsOn} – ${e.engagement.endsOn}; id ${e.engagement.id})`] }] : []),
        { label: t('categoriesOfProcessing'), values: [e.categoriesOfProcessing] },
        { label: t('subjects'), values: e.dataSubjects.map((s) => s.label) },
        { label: t('categories'), values: e.dataCategories.map((s) => s.label) },
        { label: t('subProcessors'), values: e.subProcessors.length > 0 ? e.subProcessors.map((s) => `${s.name} (${s.country})`) : [t('none')] },
        { label: t('transfers'), values: transfersValues(e.transfers, lang) },
        { label: t('security'), values: e.securityMeasures },
      ],
    });
  }
  return {
    lang,
    title: `${t('title')} – ${c.name}`,
    subtitle: `${t('updated')} ${dateInWords(register.version.effectiveDate, lang)} – ${t('version').toLowerCase()} ${register.version.shortHash}`,
    blocks,
  };
}
