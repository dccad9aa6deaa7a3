/**
 * The register (D1) in JSON-LD with the W3C Data Privacy Vocabulary (DPV 2), so that
 * other tools can read it: purposes, legal bases as GDPR article IRIs (eu-gdpr:A6-1-b …),
 * personal data categories (pd:), recipients, storage duration and location (loc:).
 *
 * The context is inline: the document expands offline, with no remote context to fetch.
 */
import type { LegalBasis, LoadedPolicy, PurposeId } from '../policy/index.js';
import type { Register, RegisterTransfer } from './register.js';

/** The namespaces of the document (DPV 2 and its PD, LOC and EU-GDPR extensions). */
export const DPV_CONTEXT = {
  dpv: 'https://w3id.org/dpv#',
  pd: 'https://w3id.org/dpv/pd#',
  loc: 'https://w3id.org/dpv/loc#',
  'eu-gdpr': 'https://w3id.org/dpv/legal/eu/gdpr#',
  dct: 'http://purl.org/dc/terms/',
  rdfs: 'http://www.w3.org/2000/01/rdf-schema#',
  rdf: 'http://www.w3.org/1999/02/22-rdf-syntax-ns#',
  xsd: 'http://www.w3.org/2001/XMLSchema#',
} as const;

/** GDPR Art. 6(1) bases as DPV's EU-GDPR legal-basis concepts. The processor's basis is the client's and has none. */
export const LEGAL_BASIS_IRIS: Readonly<Record<LegalBasis, string | null>> = {
  consent: 'eu-gdpr:A6-1-a',
  contract: 'eu-gdpr:A6-1-b',
  legal_obligation: 'eu-gdpr:A6-1-c',
  legitimate_interest: 'eu-gdpr:A6-1-f',
  processor_instructions: null,
};

/** The DPV purpose each Rempart purpose is a kind of. */
export const PURPOSE_IRIS: Readonly<Record<PurposeId, string>> = {
  crm: 'dpv:CustomerRelationshipManagement',
  prospecting: 'dpv:DirectMarketing',
  training: 'dpv:ServiceProvision',
  file_sharing: 'dpv:SellDataToThirdParties',
  connection_logs: 'dpv:LegalCompliance',
};

/** Policy data categories as DPV-PD categories, where one fits; others stay local concepts. */
export const CATEGORY_IRIS: Readonly<Record<string, readonly string[]>> = {
  identity: ['pd:Name'],
  contact: ['pd:EmailAddress', 'pd:PhysicalAddress', 'pd:TelephoneNumber'],
  professional: ['pd:Professional'],
  financial: ['pd:Financial'],
  order: ['pd:Purchase'],
  delivery: ['pd:PhysicalAddress'],
  connection: ['pd:Identifying'],
};

/** Transfer grounds as the GDPR articles DPV names (Art. 45(3), 46(2)(c), 46(2)(b) with 47). */
const TRANSFER_IRIS: Readonly<Record<Exclude<RegisterTransfer['ground'], null>, string>> = {
  adequacy: 'eu-gdpr:A45-3',
  scc: 'eu-gdpr:A46-2-c',
  bcr: 'eu-gdpr:A46-2-b',
};

/** A JSON-LD value. */
export type JsonLd = string | number | boolean | null | readonly JsonLd[] | { readonly [key: string]: JsonLd };

/** The register as a JSON-LD document with DPV terms (D1). */
export function registerJsonLd(policy: LoadedPolicy, register: Register): { readonly [key: string]: JsonLd } {
  const lang = register.lang;
  const base = `urn:rempart:policy:${register.version.hash}`;
  const text = (value: string): JsonLd => ({ '@value': value, '@language': lang });
  const controller = {
    '@id': `${base}:controller`,
    '@type': 'dpv:DataController',
    'rdfs:label': register.controller.name,
    ...(register.controller.email !== '' ? { 'dpv:hasContact': register.controller.email } : {}),
  };
  const location = (country: string): JsonLd => ({ '@id': `loc:${country.toUpperCase()}` });
  const personalData = (ids: readonly { readonly id: string; readonly label: string }[]): JsonLd[] =>
    ids.map((c) => ({
      '@id': `${base}:data:${c.id}`,
      '@type': ['dpv:PersonalData', ...(CATEGORY_IRIS[c.id] ?? [])],
      'rdfs:label': text(c.label),
    }));
  const transfers = (list: readonly RegisterTransfer[]): JsonLd[] =>
    list.map((t) => ({
      '@id': `${base}:location:${t.id}`,
      '@type': 'dpv:Recipient',
      'rdfs:label': t.name,
      'dpv:hasLocation': location(t.country),
      ...(t.ground !== null ? { 'dpv:hasLegalBasis': { '@id': TRANSFER_IRIS[t.ground] } } : {}),
      'dct:description': text(t.safeguard),
    }));

  const controllerProcesses: JsonLd[] = register.asController.map((e) => {
    const purpose = policy.purposes.find((p) => p.id === e.purpose.id);
    return {
      '@id': `${base}:process:${e.purpose.id}`,
      '@type': 'dpv:Process',
      'rdfs:label': text(e.purpose.label),
      'dpv:hasDataController': { '@id': controller['@id'] },
      'dpv:hasPurpose': {
        '@id': `${base}:purpose:${e.purpose.id}`,
        '@type': ['dpv:Purpose', PURPOSE_IRIS[e.purpose.id as PurposeId]],
        'rdfs:label': text(e.purpose.label),
        'dct:description': text(e.description),
      },
      'dpv:hasLegalBasis': (purpose?.legalBases ?? []).flatMap((b) => {
        const iri = LEGAL_BASIS_IRIS[b];
        return iri === null ? [] : [{ '@id': iri }];
      }),
      'dpv:hasDataSubject': e.dataSubjects.map((s) => ({ '@id': `${base}:subjects:${s.id}`, '@type': 'dpv:DataSubject', 'rdfs:label': text(s.label) })),
      'dpv:hasPersonalData': personalData(e.dataCategories),
      'dpv:hasRecipient': [
        ...e.recipients.map((r) => ({ '@id': `${base}:recipient:${r.id}`, '@type': 'dpv:Recipient', 'rdfs:label': text(r.label) })),
        ...transfers(e.transfers),
      ],
      'dpv:hasStorageCondition': {
        '@type': 'dpv:StorageDuration',
        'dpv:hasDuration': { '@type': 'dpv:Duration', 'rdf:value': { '@value': e.retention.active, '@type': 'xsd:duration' } },
        ...(e.retention.archive !== 'P0D'
          ? { 'dpv:hasStorageCondition': { '@type': 'dpv:StorageDuration', 'rdfs:label': text('archive'), 'dpv:hasDuration': { '@type': 'dpv:Duration', 'rdf:value': { '@value': e.retention.archive, '@type': 'xsd:duration' } } } }
          : {}),
        'dct:description': text(e.retention.text),
      },
      'dpv:hasLocation': [...new Set(e.locations.map((l) => l.country.toUpperCase()))].map(location),
      'dpv:hasTechnicalOrganisationalMeasure': e.securityMeasures.map((m) => ({ '@type': 'dpv:TechnicalOrganisationalMeasure', 'rdfs:label': text(m) })),
    };
  });

  const processorProcesses: JsonLd[] = register.asProcessor.map((e) => ({
    '@id': e.engagement ? `${base}:process:${e.purpose.id}:engagement:${e.engagement.id}` : `${base}:process:${e.purpose.id}`,
    '@type': 'dpv:Process',
    'rdfs:label': text(e.purpose.label),
    'dpv:hasDataProcessor': { '@id': controller['@id'] },
    'dpv:hasDataController': e.clients.map((c) => ({ '@id': `${base}:client:${c.id}`, '@type': 'dpv:DataController', 'rdfs:label': c.name })),
    'dpv:hasPurpose': {
      '@id': `${base}:purpose:${e.purpose.id}`,
      '@type': ['dpv:Purpose', PURPOSE_IRIS[e.purpose.id as PurposeId]],
      'rdfs:label': text(e.purpose.label),
      'dct:description': text(e.categoriesOfProcessing),
    },
    'dpv:hasDataSubject': e.dataSubjects.map((s) => ({ '@id': `${base}:subjects:${s.id}`, '@type': 'dpv:DataSubject', 'rdfs:label': text(s.label) })),
    'dpv:hasPersonalData': personalData(e.dataCategories),
    'dpv:hasRecipient': [
      ...e.subProcessors.map((s) => ({ '@id': `${base}:location:${s.id}`, '@type': 'dpv:DataSubProcessor', 'rdfs:label': s.name, 'dpv:hasLocation': location(s.country) })),
      ...transfers(e.transfers),
    ],
    'dpv:hasTechnicalOrganisationalMeasure': e.securityMeasures.map((m) => ({ '@type': 'dpv:TechnicalOrganisationalMeasure', 'rdfs:label': text(m) })),
    ...(e.clientsNote !== null ? { 'rdfs:comment': text(e.clientsNote) } : {}),
  }));

  return {
    '@context': DPV_CONTEXT,
    '@id': base,
    '@type': 'dpv:RecordsOfActivities',
    'rdfs:label': text(`${lang === 'fr' ? 'Registre des activités de traitement' : 'Record of processing activities'} – ${register.controller.name}`),
    'dct:valid': { '@value': register.version.effectiveDate, '@type': 'xsd:date' },
    'dct:identifier': register.version.hash,
    'dpv:hasDataController': controller,
    'dct:hasPart': [...controllerProcesses, ...processorProcesses],
  };
}
