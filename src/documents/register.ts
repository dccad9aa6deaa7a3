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
  /** Set on the entry of one training engagement (one entry per engagement, Art. 30(2)); null on a purpose-wide entry. */
  readonly engagement: RegisterEngagement | null;
}

/** The facts of one engagement its register entry gives. */
export interface RegisterEngagement {
  readonly id: string;
  readonly name: string;
  readonly startsOn: string;
  readonly endsOn: string;
  readonly platforms: readonly string[];
  /** The client's documented instructions in force (Art. 28(3)(a)): version and date. */
  readonly instructions: { readonly version: number; readonly date: string } | null;
  /** return_then_destroy or destroy (Art. 28(3)(g)). */
  readonly endChoice: string;
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
  /** When the line is a training engagement: its facts, and the sub-processors the client authorised for it (Art. 28(2)). */
  readonly engagement?: RegisterEngagement & { readonly subProcessors: readonly { readonly name: string; readonly country: string; readonly service: string }[] };
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

  const platformWords: Record<string, { fr: string; en: string }> = {
    phishing: { fr: 'simulations d’hameçonnage (résultats au format des webhooks Gophish)', en: 'phishing simulations (results as Gophish webhooks)' },
    elearning: { fr: 'modules de formation en ligne (déclarations xAPI 1.0.3)', en: 'e-learning modules (xAPI 1.0.3 statements)' },
  };
  const endWords: Record<string, { fr: string; en: string }> = {
    return_then_destroy: { fr: 'à la fin de la prestation, restitution au client puis destruction, attestée par un certificat signé', en: 'at the end of the service, returned to the client then destroyed, attested by a signed certificate' },
    destroy: { fr: 'à la fin de la prestation, destruction sans restitution, au choix du client, attestée par un certificat signé', en: 'at the end of the service, destroyed without return at the client’s choice, attested by a signed certificate' },
  };
  // What keeps one client's data apart and returns it (Art. 28(3)(b), (c), (g); Art. 32), beside the policy's measures.
  const processorMeasures = fr
    ? [
        'Données de chaque prestation cloisonnées : aucune recherche, liste, export ou demande de droits des données propres de CERTILIENCE ne les atteint ; le contact du client ne voit que ses prestations.',
        'Identifiants propres à chaque prestation pour les plateformes (signature HMAC-SHA256 des webhooks, authentification HTTP Basic du LRS), dérivés de la clé du serveur et jamais stockés.',
        'Paquet de restitution vérifié fichier par fichier (SHA-256 du manifeste) avant toute destruction ; certificat de destruction signé Ed25519, vérifiable hors ligne.',
      ]
    : [
        'Each engagement’s data kept apart: no search, list, export or rights request of CERTILIENCE’s own data reaches it; the client’s contact sees only its own engagements.',
        'Per-engagement credentials for the platforms (HMAC-SHA256 webhook signatures, HTTP Basic for the LRS), derived from the server key and never stored.',
        'Restitution package checked entry by entry (SHA-256 of the manifest) before anything is destroyed; Ed25519-signed destruction certificate, verifiable offline.',
      ];
  const asProcessor: ProcessorEntry[] = policy.purposes
    .filter((p) => p.role === 'processor')
    .flatMap((p): ProcessorEntry[] => {
      const subProcessors = policy.locations.subcontractors.filter((l) => l.purposes?.includes(p.id) ?? false);
      const mine = (options.clients ?? []).filter((x) => x.purpose === p.id);
      const base = {
        dataSubjects: p.dataSubjects.map(subject),
        dataCategories: p.dataCategories.map(category),
        subProcessors: subProcessors.map((l) => ({ id: l.id, name: l.name, country: l.country })),
        transfers: transfersOf(placesOf(policy, p), lang),
      };
      // One entry per engagement (Art. 30(2): "each controller on behalf of which the processor is acting").
      const perEngagement = mine.flatMap((x): ProcessorEntry[] => {
        const e = x.engagement;
        if (e === undefined) return [];
        const own = e.subProcessors.map((sp, i) => ({ id: `${e.id}:sub-processor:${i + 1}`, name: `${sp.name} (${sp.service})`, country: sp.country }));
        const ownTransfers = own
          .filter((sp) => !isEuEea(sp.country))
          .map((sp) => {
            const g = transferGround(sp.country);
            const ground = g === 'eu_eea' ? null : g;
            return { id: sp.id, name: sp.name, country: sp.country, countryName: countryName(sp.country, lang), ground, safeguard: safeguardInWords(ground, lang) };
          });
        const platforms = e.platforms.map((k) => platformWords[k]?.[lang] ?? k).join(fr ? ' ; ' : '; ');
        const instructions = e.instructions ? (fr ? `instructions documentées du client, version ${e.instructions.version} du ${e.instructions.date}` : `the client's documented instructions, version ${e.instructions.version} of ${e.instructions.date}`) : fr ? 'instructions documentées du client à recevoir' : "the client's documented instructions still to be received";
        return [
          {
            purpose: { id: p.id, label: `${p.name[lang]} – ${x.name} : ${e.name}`.replace(' : ', fr ? ' : ' : ': ') },
            categoriesOfProcessing: `${p.description[lang]} ${fr ? 'Pour cette prestation' : 'For this engagement'} (${e.startsOn} – ${e.endsOn}) : ${platforms} ; ${instructions} ; ${(endWords[e.endChoice] ?? { fr: e.endChoice, en: e.endChoice })[lang]}.`.replace(/ (:|;) /g, fr ? ' $1 ' : '$1 '),
            clients: [{ id: x.id, name: x.name }],
            clientsNote: null,
            ...base,
            subProcessors: [...base.subProcessors, ...own],
            transfers: [...base.transfers, ...ownTransfers],
            securityMeasures: [...security, ...processorMeasures],
            engagement: { id: e.id, name: e.name, startsOn: e.startsOn, endsOn: e.endsOn, platforms: e.platforms, instructions: e.instructions, endChoice: e.endChoice },
          },
        ];
      });
      if (perEngagement.length > 0) return perEngagement;
      const clients = mine.map((x) => ({ id: x.id, name: x.name }));
      const clientsNote =
        options.clients === undefined
          ? fr
            ? "Les prestations de sensibilisation et de formation ne sont pas encore enregistrées dans Rempart : cette entrée ne comporte pas encore une ligne par client. Elle les comportera dès que les prestations y seront enregistrées."
            : 'Awareness and training engagements are not yet recorded in Rempart: this entry does not yet have one line per client. It will as soon as the engagements are recorded.'
          : clients.length === 0
            ? fr ? 'Aucune prestation en cours.' : 'No engagement in progress.'
            : null;
      return [{ purpose: { id: p.id, label: p.name[lang] }, categoriesOfProcessing: p.description[lang], clients, clientsNote, ...base, securityMeasures: security, engagement: null }];
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
