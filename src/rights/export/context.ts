import type { LoadedPolicy, Location, PurposeId } from '../../policy/index.js';
import { isEuEea } from '../../policy/index.js';
import type { CollectedTable, ExportValue } from './collect.js';
import {
  durationInWords,
  LEGAL_BASIS_LABELS,
  pick,
  PROCESSING_ROLE_LABELS,
  RETENTION_END_LABELS,
  RETENTION_START_LABELS,
  RIGHTS,
  TEXT,
  type Language,
} from './texts.js';

/** An id with its label in the answer's language. */
export interface Labelled {
  readonly id: string;
  readonly label: string;
}

/** How long a purpose keeps the data (Art. 15(1)(d)). */
export interface RetentionContext {
  readonly start: string;
  readonly active: string;
  readonly archive: string;
  readonly end: string;
  /** The whole rule in one sentence of the answer's language. */
  readonly summary: string;
  readonly notes: string | null;
  readonly holds: readonly { readonly records: readonly string[]; readonly duration: string; readonly durationLabel: string; readonly basis: string }[];
}

/** One purpose the person's data serves, with everything Art. 15(1)(a)–(d) asks. */
export interface PurposeContext {
  readonly id: PurposeId;
  readonly name: string;
  readonly description: string;
  readonly role: Labelled;
  readonly legalBases: readonly Labelled[];
  readonly legitimateInterest: string | null;
  readonly categories: readonly Labelled[];
  readonly recipients: readonly Labelled[];
  readonly retention: RetentionContext;
  readonly locations: readonly { readonly id: string; readonly name: string; readonly country: string }[];
}

/** What the catalogue says of one exported field. */
export interface FieldContext {
  readonly personal: boolean;
  readonly category: Labelled | null;
  readonly purposes: readonly string[];
  readonly provided: boolean;
}

/** What the catalogue says of one exported table. */
export interface TableContext {
  readonly description: string;
  readonly fields: Readonly<Record<string, FieldContext>>;
}

/** Where data not collected from the person came from (Art. 14(2)(f), 15(1)(g)). */
export interface SourceContext {
  readonly table: string;
  readonly recordId: string | null;
  readonly values: Readonly<Record<string, ExportValue>>;
}

/** The information GDPR Art. 15(1)–(2) requires beside the copy of the data. */
export interface AccessContext {
  readonly controller: {
    readonly name: string;
    readonly address: string;
    readonly email: string;
    readonly dpo: { readonly name: string; readonly email: string };
  };
  readonly purposes: readonly PurposeContext[];
  readonly categories: readonly Labelled[];
  readonly recipients: readonly Labelled[];
  readonly sources: readonly SourceContext[];
  readonly transfers: { readonly outsideEea: readonly { readonly id: string; readonly name: string; readonly country: string; readonly safeguard: string | null }[]; readonly statement: string };
  readonly automatedDecisions: string;
  readonly rights: readonly { readonly id: string; readonly article: string; readonly label: string; readonly description: string }[];
  readonly howToExercise: string;
  readonly complaint: {
    readonly authority: string;
    readonly fullName: string;
    readonly address: string;
    readonly phone: string;
    readonly fax: string;
    readonly website: string;
    readonly statement: string;
  };
  readonly tables: Readonly<Record<string, TableContext>>;
}

const uniq = <T>(xs: readonly T[]): T[] => [...new Set(xs)];

/** The purposes the person's data serves: each row's purpose tag and the catalogue purposes of the fields held. */
export function purposesOf(collected: readonly CollectedTable[]): readonly string[] {
  const found = new Set<string>();
  for (const t of collected) {
    if (t.rows.length === 0) continue;
    for (const column of t.columns) {
      const c = t.entry.columns[column];
      if (c?.personal) c.purposes.forEach((p) => found.add(p));
    }
    for (const row of t.rows) if (typeof row.purpose === 'string') found.add(row.purpose);
  }
  return [...found];
}

/**
 * Builds the Art. 15(1)–(2) context from the policy (purposes, legal bases, categories,
 * recipients, retention, transfers, rights, complaint) and from the rows found (which
 * purposes and categories concern this person; where their data came from).
 */
export function buildAccessContext(policy: LoadedPolicy, collected: readonly CollectedTable[], language: Language): AccessContext {
  const categoryLabel = (id: string): Labelled => {
    const c = policy.dataCategories.find((d) => d.id === id);
    return { id, label: c ? pick(c.label, language) : id };
  };
  const roleLabel = (id: string): Labelled => {
    const r = policy.roles.find((x) => x.id === id);
    return { id, label: r ? pick(r.label, language) : id };
  };
  const stores = new Map<string, Location>(
    [...policy.locations.stores, ...policy.locations.subcontractors, ...policy.locations.partners].map((l) => [l.id, l]),
  );

  const wanted = new Set(purposesOf(collected));
  const purposes = policy.purposes.filter((p) => wanted.has(p.id));

  // Subcontractors and partners are recipients of the purposes they serve (Art. 15(1)(c)).
  const outsideParties = (purpose: PurposeId): Location[] =>
    [...policy.locations.subcontractors, ...policy.locations.partners].filter((l) => l.purposes?.includes(purpose) ?? false);

  const purposeContexts: PurposeContext[] = purposes.map((p) => {
    const r = p.retention;
    const active = durationInWords(r.active, language);
    const archive = durationInWords(r.archive, language);
    const summary = `${active} ${pick(TEXT.active, language)} ${pick(RETENTION_START_LABELS[r.start], language)}, ${archive} ${pick(TEXT.archive, language)}, ${pick(RETENTION_END_LABELS[r.end], language)}.`;
    return {
      id: p.id,
      name: pick(p.name, language),
      description: pick(p.description, language),
      role: { id: p.role, label: pick(PROCESSING_ROLE_LABELS[p.role], language) },
      legalBases: p.legalBases.map((b) => ({ id: b, label: pick(LEGAL_BASIS_LABELS[b], language) })),
      legitimateInterest: p.legitimateInterest ? pick(p.legitimateInterest, language) : null,
      categories: p.dataCategories.map(categoryLabel),
      recipients: [...p.recipients.map(roleLabel), ...outsideParties(p.id).map((l) => ({ id: l.id, label: `${l.name} (${l.country})` }))],
      retention: {
        start: r.start,
        active: r.active,
        archive: r.archive,
        end: r.end,
        summary,
        notes: r.notes ? pick(r.notes, language) : null,
        holds: (r.holds ?? []).map((h) => ({ records: h.records, duration: h.duration, durationLabel: durationInWords(h.duration, language), basis: h.basis })),
      },
      locations: p.location.flatMap((id) => {
        const l = stores.get(id);
        return l ? [{ id, name: l.name, country: l.country }] : [];
      }),
    };
  });

  // The categories of the data actually held (Art. 15(1)(b)).
  const categories = uniq(
    collected.flatMap((t) =>
      t.rows.length === 0
        ? []
        : t.columns.flatMap((c) => {
            const e = t.entry.columns[c];
            return e?.personal ? [e.category] : [];
          }),
    ),
  ).map(categoryLabel);

  const recipients = new Map<string, Labelled>();
  for (const p of purposeContexts) for (const r of p.recipients) recipients.set(r.id, r);

  // Provenance columns (source, date of collection) of every row: Art. 14(2)(f).
  const sources: SourceContext[] = collected.flatMap((t) => {
    const provenance = t.columns.filter((c) => {
      const e = t.entry.columns[c];
      return e?.personal === true && e.category === 'provenance';
    });
    if (provenance.length === 0) return [];
    return t.rows.map((row) => ({
      table: t.entry.table,
      recordId: typeof row.id === 'string' ? row.id : null,
      values: Object.fromEntries(provenance.map((c) => [c, row[c] ?? null])),
    }));
  });

  const outsideEea = uniq(purposes.flatMap((p) => [...p.location, ...outsideParties(p.id).map((l) => l.id)]))
    .flatMap((id) => {
      const l = stores.get(id);
      return l && !isEuEea(l.country) ? [{ id, name: l.name, country: l.country, safeguard: l.safeguard ?? null }] : [];
    });

  const c = policy.controller;
  const sa = policy.supervisoryAuthority;
  const address = [c.address.street, `${c.address.postalCode} ${c.address.city}`.trim(), c.address.country].filter((s) => s !== '').join(', ');
  const tables: Record<string, TableContext> = {};
  for (const t of collected) {
    tables[t.entry.table] = {
      description: t.entry.description,
      fields: Object.fromEntries(
        t.columns.map((col) => {
          const e = t.entry.columns[col];
          const field: FieldContext = e?.personal
            ? { personal: true, category: categoryLabel(e.category), purposes: e.purposes, provided: e.provided }
            : { personal: false, category: null, purposes: [], provided: false };
          return [col, field];
        }),
      ),
    };
  }

  return {
    controller: { name: c.name, address, email: c.email, dpo: { name: c.dpo.name, email: c.dpo.email } },
    purposes: purposeContexts,
    categories,
    recipients: [...recipients.values()],
    sources,
    transfers: {
      outsideEea,
      statement: outsideEea.length === 0 ? pick(TEXT.noTransfer, language) : pick(TEXT.transfers, language),
    },
    automatedDecisions: pick(TEXT.automatedDecisions, language),
    rights: RIGHTS.map((r) => ({ id: r.id, article: language === 'fr' ? r.article.replace('GDPR Art.', 'RGPD art.') : r.article, label: pick(r.label, language), description: pick(r.description, language) })),
    howToExercise: pick(TEXT.howToExercise, language),
    complaint: {
      authority: sa.name,
      fullName: sa.fullName ?? sa.name,
      address: sa.address,
      phone: sa.phone,
      fax: sa.fax,
      website: sa.website,
      statement: pick(TEXT.complaintIntro, language),
    },
    tables,
  };
}
