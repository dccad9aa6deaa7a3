/**
 * What changed between two versions of the notice and the register (D3), in words:
 * "Réalisation d'opérations de prospection commerciale : durée de conservation passée de
 * trois ans à deux ans". Compares the policy facts the documents are written from.
 */
import type { LoadedPolicy, Localized, Purpose } from '../policy/index.js';
import { allLocations } from './notice.js';
import { BASIS_NAMES, START_PHRASES } from './phrases.js';
import { countryName, dateInWords, durationInWords, joinList, lowerFirst, type Lang } from './words.js';

const W = {
  fr: {
    none: 'Aucun changement du contenu de la notice ni du registre.',
    date: (a: string, b: string) => `Date de la version : du ${a} au ${b}`,
    purposeAdded: (n: string) => `Nouvelle finalité : « ${n} »`,
    purposeRemoved: (n: string) => `Finalité supprimée : « ${n} »`,
    renamed: (a: string, b: string) => `Finalité « ${a} » renommée « ${b} »`,
    description: 'description des opérations modifiée',
    interest: 'intérêt légitime poursuivi reformulé',
    role: (b: string) => (b === 'processor' ? 'désormais traitée en qualité de sous-traitant' : 'désormais traitée en qualité de responsable du traitement'),
    bases: (a: string, b: string) => `bases légales passées de ${a} à ${b}`,
    added: (what: string, xs: string) => `${what} ajoutés : ${xs}`,
    removed: (what: string, xs: string) => `${what} retirés : ${xs}`,
    categories: 'catégories de données',
    subjects: 'catégories de personnes',
    recipients: 'destinataires',
    places: 'lieux de traitement',
    retention: 'durée de conservation',
    activeRetention: 'durée de conservation active',
    archive: "durée d'archivage",
    passed: (what: string, a: string, b: string) => `${what} passée de ${a} à ${b}`,
    start: (a: string, b: string) => `point de départ de la conservation : « à compter de ${a} » devient « à compter de ${b} »`,
    end: (b: string) => (b === 'anonymise' ? 'en fin de conservation, les données sont désormais anonymisées' : 'en fin de conservation, les données sont désormais supprimées'),
    restitution: (b: boolean) => (b ? 'les données sont désormais restituées au Client en fin de prestation' : 'les données ne sont plus restituées au Client en fin de prestation'),
    holds: 'conservations légales modifiées',
    mandatory: 'informations obligatoires modifiées',
    nothing: 'aucune',
    location: (n: string, a: string, b: string) => `${n} : pays passé de ${a} à ${b}`,
    safeguard: (n: string) => `${n} : garantie de transfert modifiée`,
    locAdded: (n: string, c: string) => `Nouveau lieu ou destinataire : ${n} (${c})`,
    locRemoved: (n: string) => `Lieu ou destinataire retiré : ${n}`,
    controller: (f: string) => `Responsable du traitement : ${f} modifié`,
    authority: (f: string) => `Autorité de contrôle : ${f} modifié`,
    security: (added: number, removed: number) => `Mesures de sécurité : ${added} ajoutée(s), ${removed} retirée(s)`,
    labels: (what: string, n: number) => `${what} : ${n} libellé(s) modifié(s)`,
    roleLabels: 'destinataires',
    categoryLabels: 'catégories de données',
  },
  en: {
    none: 'No change to the content of the notice or the register.',
    date: (a: string, b: string) => `Version date: from ${a} to ${b}`,
    purposeAdded: (n: string) => `New purpose: “${n}”`,
    purposeRemoved: (n: string) => `Purpose removed: “${n}”`,
    renamed: (a: string, b: string) => `Purpose “${a}” renamed “${b}”`,
    description: 'description of the operations changed',
    interest: 'legitimate interest pursued reworded',
    role: (b: string) => (b === 'processor' ? 'now carried out as processor' : 'now carried out as controller'),
    bases: (a: string, b: string) => `legal bases changed from ${a} to ${b}`,
    added: (what: string, xs: string) => `${what} added: ${xs}`,
    removed: (what: string, xs: string) => `${what} removed: ${xs}`,
    categories: 'data categories',
    subjects: 'categories of people',
    recipients: 'recipients',
    places: 'places of processing',
    retention: 'retention period',
    activeRetention: 'active retention period',
    archive: 'archive period',
    passed: (what: string, a: string, b: string) => `${what} changed from ${a} to ${b}`,
    start: (a: string, b: string) => `retention now runs from ${b} instead of ${a}`,
    end: (b: string) => (b === 'anonymise' ? 'at the end of retention, data is now anonymised' : 'at the end of retention, data is now deleted'),
    restitution: (b: boolean) => (b ? 'data is now returned to the client at the end of the service' : 'data is no longer returned to the client at the end of the service'),
    holds: 'legal holds changed',
    mandatory: 'mandatory information changed',
    nothing: 'none',
    location: (n: string, a: string, b: string) => `${n}: country changed from ${a} to ${b}`,
    safeguard: (n: string) => `${n}: transfer safeguard changed`,
    locAdded: (n: string, c: string) => `New place or recipient: ${n} (${c})`,
    locRemoved: (n: string) => `Place or recipient removed: ${n}`,
    controller: (f: string) => `Controller: ${f} changed`,
    authority: (f: string) => `Supervisory authority: ${f} changed`,
    security: (added: number, removed: number) => `Security measures: ${added} added, ${removed} removed`,
    labels: (what: string, n: number) => `${what}: ${n} label(s) changed`,
    roleLabels: 'recipients',
    categoryLabels: 'data categories',
  },
} as const;

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

function setDiff(a: readonly string[], b: readonly string[]): { added: string[]; removed: string[] } {
  return { added: b.filter((x) => !a.includes(x)), removed: a.filter((x) => !b.includes(x)) };
}

function purposeChanges(a: Purpose, b: Purpose, pa: LoadedPolicy, pb: LoadedPolicy, lang: Lang): string[] {
  const w = W[lang];
  const changes: string[] = [];
  if (a.description[lang] !== b.description[lang]) changes.push(w.description);
  if (a.role !== b.role) changes.push(w.role(b.role));
  if (!same(a.legalBases, b.legalBases)) {
    const names = (p: Purpose): string => joinList(p.legalBases.map((x) => lowerFirst(BASIS_NAMES[x][lang])), lang);
    changes.push(w.bases(names(a), names(b)));
  }
  if (!same(a.legitimateInterest, b.legitimateInterest)) changes.push(w.interest);
  const label = (p: LoadedPolicy, list: 'dataCategories' | 'dataSubjects', id: string): string =>
    (p[list] as readonly { readonly id: string; readonly label: Localized }[]).find((x) => x.id === id)?.label[lang] ?? id;
  const roleLabel = (p: LoadedPolicy, id: string): string => p.roles.find((r) => r.id === id)?.label[lang] ?? id;
  const lists: readonly [string, readonly string[], readonly string[], (p: LoadedPolicy, id: string) => string][] = [
    [w.categories, a.dataCategories, b.dataCategories, (p, id) => label(p, 'dataCategories', id)],
    [w.subjects, a.dataSubjects, b.dataSubjects, (p, id) => label(p, 'dataSubjects', id)],
    [w.recipients, a.recipients, b.recipients, roleLabel],
    [w.places, a.location, b.location, (p, id) => allLocations(p).find((l) => l.id === id)?.name ?? id],
  ];
  for (const [what, xa, xb, name] of lists) {
    const d = setDiff(xa, xb);
    if (d.added.length > 0) changes.push(w.added(what, joinList(d.added.map((id) => name(pb, id)), lang)));
    if (d.removed.length > 0) changes.push(w.removed(what, joinList(d.removed.map((id) => name(pa, id)), lang)));
  }
  const ra = a.retention;
  const rb = b.retention;
  const words = (iso: string): string => durationInWords(iso, lang) || w.nothing;
  const archived = ra.archive !== 'P0D' || rb.archive !== 'P0D';
  if (ra.active !== rb.active) changes.push(w.passed(archived ? w.activeRetention : w.retention, words(ra.active), words(rb.active)));
  if (ra.archive !== rb.archive) changes.push(w.passed(w.archive, words(ra.archive), words(rb.archive)));
  if (ra.start !== rb.start) changes.push(w.start(START_PHRASES[ra.start][lang], START_PHRASES[rb.start][lang]));
  if (ra.end !== rb.end) changes.push(w.end(rb.end));
  if ((ra.restitution ?? false) !== (rb.restitution ?? false)) changes.push(w.restitution(rb.restitution ?? false));
  if (!same(ra.holds ?? [], rb.holds ?? [])) changes.push(w.holds);
  if (!same(a.mandatory, b.mandatory)) changes.push(w.mandatory);
  return changes;
}

/**
 * The changes from version `a` to version `b` of the documents, one sentence each, in
 * `lang`; one sentence saying so when the documents did not change.
 */
export function diffPolicies(a: LoadedPolicy, b: LoadedPolicy, lang: Lang): readonly string[] {
  const w = W[lang];
  const sep = lang === 'fr' ? ' : ' : ': ';
  const out: string[] = [];
  if (a.version.effectiveDate !== b.version.effectiveDate) {
    out.push(w.date(dateInWords(a.version.effectiveDate, lang), dateInWords(b.version.effectiveDate, lang)));
  }
  for (const pb of b.purposes) {
    const pa = a.purposes.find((p) => p.id === pb.id);
    if (!pa) {
      out.push(w.purposeAdded(pb.name[lang]));
      continue;
    }
    if (pa.name[lang] !== pb.name[lang]) out.push(w.renamed(pa.name[lang], pb.name[lang]));
    const changes = purposeChanges(pa, pb, a, b, lang);
    for (const c of changes) out.push(`${pb.name[lang]}${sep}${c}`);
  }
  for (const pa of a.purposes) if (!b.purposes.some((p) => p.id === pa.id)) out.push(w.purposeRemoved(pa.name[lang]));

  const la = allLocations(a);
  const lb = allLocations(b);
  for (const l of lb) {
    const old = la.find((x) => x.id === l.id);
    if (!old) out.push(w.locAdded(l.name, countryName(l.country, lang)));
    else {
      if (old.country !== l.country) out.push(w.location(l.name, countryName(old.country, lang), countryName(l.country, lang)));
      if ((old.safeguard ?? null) !== (l.safeguard ?? null)) out.push(w.safeguard(l.name));
    }
  }
  for (const l of la) if (!lb.some((x) => x.id === l.id)) out.push(w.locRemoved(l.name));

  const ca = a.controller;
  const cb = b.controller;
  const controllerFields: readonly [string, unknown, unknown][] = [
    [lang === 'fr' ? 'nom' : 'name', ca.name, cb.name],
    [lang === 'fr' ? 'adresse' : 'address', ca.address, cb.address],
    ['email', ca.email, cb.email],
    [lang === 'fr' ? 'téléphone' : 'phone', ca.phone, cb.phone],
    [lang === 'fr' ? 'délégué à la protection des données' : 'data protection officer', ca.dpo, cb.dpo],
  ];
  for (const [field, x, y] of controllerFields) if (!same(x, y)) out.push(w.controller(field));
  const sa = a.supervisoryAuthority;
  const sb = b.supervisoryAuthority;
  for (const key of ['name', 'fullName', 'address', 'phone', 'fax', 'website'] as const) {
    if (sa[key] !== sb[key]) out.push(w.authority(key === 'fullName' ? (lang === 'fr' ? 'nom complet' : 'full name') : key));
  }
  const ma = a.securityMeasures.map((m) => m[lang]);
  const mb = b.securityMeasures.map((m) => m[lang]);
  const md = setDiff(ma, mb);
  if (md.added.length + md.removed.length > 0) out.push(w.security(md.added.length, md.removed.length));
  const relabelled = (xa: readonly { id: string; label: Localized }[], xb: readonly { id: string; label: Localized }[]): number =>
    xb.filter((x) => {
      const o = xa.find((y) => y.id === x.id);
      return o !== undefined && !same(o.label, x.label);
    }).length;
  const roles = relabelled(a.roles, b.roles);
  if (roles > 0) out.push(w.labels(w.roleLabels, roles));
  const cats = relabelled(a.dataCategories, b.dataCategories) + relabelled(a.dataSubjects, b.dataSubjects);
  if (cats > 0) out.push(w.labels(w.categoryLabels, cats));

  return out.length === 0 ? [w.none] : out;
}
