/**
 * The register of processing activities (D1; GDPR Art. 30): as controller, one entry per
 * purpose (Art. 30(1)); as processor, one entry per purpose the company carries out for
 * its clients (Art. 30(2)). Built from the policy the engines enforce.
 */
import type { LoadedPolicy, Location, Purpose, Safeguard } from '../policy/index.js';
import { isEuEea, transferGround, type TransferGround } from '../policy/index.js';
import { allLocations, retentionSentences } from './notice.js';
import { BASIS_NAMES, SAFEGUARD_PHRASES } from './phrases.js';
import { countryName, type Lang } from './words.js';

/** An id with its label in the register's language. */
export interface Labelled {
  readonly id: string;
  readonly label: string;
}

/** A place data goes outside the EU/EEA and what makes it lawful (Art. 30(1)(e), 44–47). */
export interface RegisterTransfer {
  readonly id: string;
  readonly name: string;
  readonly country: string;
  readonly countryName: string;
  /** `adequacy`, `scc` or `bcr`; null when none applies (policy check refuses such a policy, P3.1). */
  readonly ground: Exclude<TransferGround, 'eu_eea'> | null;
  readonly safeguard: string;
}

/** Contacts of the controller (Art. 30(1)(a)); empty values are placeholders the company must fill. */
export interface RegisterController {
  readonly name: string;
  readonly address: string;
  readonly email: string;
  readonly phone: string;
  readonly dpo: { readonly name: string; readonly email: string; readonly phone: string };
}

/** One processing activity as controller (Art. 30(1)(b)–(g)). */
export interface ControllerEntry {
  readonly purpose: Labelled;
  readonly description: string;
  readonly legalBases: readonly Labelled[];
  readonly legitimateInterest: string | null;
  readonly dataSubjects: readonly Labelled[];
  readonly dataCategories: readonly Labelled[];
  readonly recipients: readonly Labelled[];
  readonly locations: readonly { readonly id: string; readonly name: string; readonly country: string }[];
  readonly transfers: readonly RegisterTransfer[];
  readonly retention: {
    readonly start: string;
    readonly active: string;
    readonly archive: string;
    readonly end: string;
    readonly holds: readonly { readonly records: readonly string[]; readonly duration: string; readonly basis: string }[];
    readonly text: string;
  };
  readonly securityMeasures: readonly string[];
}

/** One processing activity as processor (Art. 30(2)). */
export interface ProcessorEntry {
  readonly purpose: Labelled;
  /** The categories of processing carried out for each client (Art. 30(2)(b)). */
  readonly categoriesOfProcessing: string;
  readonly dataSubjects: readonly Labelled[];
  readonly dataCategories: readonly Labelled[];
  /** The clients for whom the processing is done (Art. 30(2)(a)); one line per training engagement. */
  readonly clients: readonly { readonly id: string; readonly name: string }[];
  /** Why `clients` is empty, when it is. */
  readonly clientsNote: string | null;
  readonly subProcessors: readonly { readonly id: string; readonly name: string; readonly country: string }[];
  readonly transfers: readonly RegisterTransfer[];
  readonly securityMeasures: readonly string[];
}

/** The whole register in one language. */
export interface Register {
  readonly lang: Lang;
  readonly version: { readonly effectiveDate: string; readonly hash: string; readonly shortHash: string };
  readonly controller: RegisterController;
  readonly asController: readonly ControllerEntry[];
  readonly asProcessor: readonly ProcessorEntry[];
}

/** A client of a processor activity (Art. 30(2)(a)); the training engagements supply them. */
export interface ProcessorClient {
  readonly id: string;
  readonly name: string;
  readonly purpose: string;
}

/** What the register is built from besides the policy. */
export interface RegisterOptions {
  readonly lang: Lang;
  /**
   * The clients of processor activities. `undefined` means the engagements are not yet
   * recorded in Rempart (the training capability has not landed); the entry says so.
   */
  readonly clients?: readonly ProcessorClient[];
}

/** The safeguard of a transfer in words. */
export function safeguardInWords(ground: Exclude<TransferGround, 'eu_eea'> | null, lang: Lang): string {
  if (ground === null) return lang === 'fr' ? 'aucune garantie déclarée' : 'no declared safeguard';
  return SAFEGUARD_PHRASES[ground satisfies Safeguard][lang];
}

/** The transfers outside the EU/EEA among `places`, each with its ground. */
export function transfersOf(places: readonly Location[], lang: Lang): readonly RegisterTransfer[] {
  return places
    .filter((l) => !isEuEea(l.country))
    .map((l) => {
      const g = transferGround(l.country, l.safeguard);
      const ground = g === 'eu_eea' ? null : g;
      return { id: l.id, name: l.name, country: l.country, countryName: countryName(l.country, lang), ground, safeguard: safeguardInWords(ground, lang) };
    });
}

/** The stores, subcontractors and partners a purpose's data reaches. */
export function placesOf(policy: LoadedPolicy, purpose: Purpose): readonly Location[] {
  const all = allLocations(policy);
  return all.filter((l) => (l.kind === 'store' ? purpose.location.includes(l.id) : (l.purposes?.includes(purpose.id) ?? false)));
}

/** Builds the register (Art. 30(1) and (2)) from the policy, in `options.lang`. */
export function buildRegister(policy: LoadedPolicy, options: RegisterOptions): Register {
  const lang = options.lang;
  const fr = lang === 'fr';
  const category = (id: string): Labelled => ({ id, label: policy.dataCategories.find((c) => c.id === id)?.label[lang] ?? id });
  const subject = (id: string): Labelled => ({ id, label: policy.dataSubjects.find((s) => s.id === id)?.label[lang] ?? id });
  const role = (id: string): Labelled => ({ id, label: policy.roles.find((r) => r.id === id)?.label[lang] ?? id });
  const security = policy.securityMeasures.map((m) => m[lang]);
  const c = policy.controller;

  const asController: ControllerEntry[] = policy.purposes
    .filter((p) => p.role === 'controller')
    .map((p) => {
      const places = placesOf(policy, p);
      const outside = [...policy.locations.subcontractors, ...policy.locations.partners].filter((l) => l.purposes?.includes(p.id) ?? false);
      return {
        purpose: { id: p.id, label: p.name[lang] },
        description: p.description[lang],
        legalBases: p.legalBases.map((b) => ({ id: b, label: BASIS_NAMES[b][lang] })),
        legitimateInterest: p.legitimateInterest?.[lang] ?? null,
        dataSubjects: p.dataSubjects.map(subject),
        dataCategories: p.dataCategories.map(category),
        recipients: [...p.recipients.map(role), ...outside.map((l) => ({ id: l.id, label: `${l.name} (${countryName(l.country, lang)})` }))],
        locations: places.map((l) => ({ id: l.id, name: l.name, country: l.country })),
        transfers: transfersOf(places, lang),
        retention: {
          start: p.retention.start,
          active: p.retention.active,
          archive: p.retention.archive,
          end: p.retention.end,
          holds: (p.retention.holds ?? []).map((h) => ({ records: h.records, duration: h.duration, basis: h.basis })),
          text: retentionSentences(policy, [p], p.retention, lang),
        },
        securityMeasures: security,
      };
    });

  const asProcessor: ProcessorEntry[] = policy.purposes
    .filter((p) => p.role === 'processor')
    .map((p) => {
      const subProcessors = policy.locations.subcontractors.filter((l) => l.purposes?.includes(p.id) ?? false);
      const clients = (options.clients ?? []).filter((x) => x.purpose === p.id).map((x) => ({ id: x.id, name: x.name }));
      const clientsNote =
        options.clients === undefined
          ? fr
            ? "Les prestations de sensibilisation et de formation ne sont pas encore enregistrées dans Rempart : cette entrée ne comporte pas encore une ligne par client. Elle les comportera dès que les prestations y seront enregistrées."
            : 'Awareness and training engagements are not yet recorded in Rempart: this entry does not yet have one line per client. It will as soon as the engagements are recorded.'
          : clients.length === 0
            ? fr ? 'Aucune prestation en cours.' : 'No engagement in progress.'
            : null;
      return {
        purpose: { id: p.id, label: p.name[lang] },
        categoriesOfProcessing: p.description[lang],
        dataSubjects: p.dataSubjects.map(subject),
        dataCategories: p.dataCategories.map(category),
        clients,
        clientsNote,
        subProcessors: subProcessors.map((l) => ({ id: l.id, name: l.name, country: l.country })),
        transfers: transfersOf(placesOf(policy, p), lang),
        securityMeasures: security,
      };
    });

  return {
    lang,
    version: { effectiveDate: policy.version.effectiveDate, hash: policy.version.hash, shortHash: policy.version.shortHash },
    controller: {
      name: c.name,
      // A country alone is no address: until the street and city are filled, the field stays empty (to complete).
      address: c.address.street === '' && c.address.city === '' ? '' : [c.address.street, `${c.address.postalCode} ${c.address.city}`.trim(), c.address.country].filter((s) => s !== '').join(', '),
      email: c.email,
      phone: c.phone ?? '',
      dpo: { name: c.dpo.name, email: c.dpo.email, phone: c.dpo.phone ?? '' },
    },
    asController,
    asProcessor,
  };
}
