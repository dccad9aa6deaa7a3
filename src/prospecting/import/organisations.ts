import { sql, type Kysely } from 'kysely';
import { newId } from '../../db/ids.js';
import type { Database } from '../../db/schema.js';
import { foldCity } from '../dedupe/fold.js';
import { isOneTransposition, jaroWinkler } from '../dedupe/similarity.js';
import { isCommonCompanyName } from '../normalise/index.js';
import type { ProspectCandidate } from './prospect-row.js';
import type { OrganisationReviewRule } from './tables.js';

/**
 * Finding the organisation of each row of an import (issue 17, item 2; R-PROS-1), in
 * this order:
 *   1. the SIRET, then the SIREN (prospect keys, then any organisation's SIRET: a company
 *      is one company, client or prospect): an identifier wins over any name;
 *   2. the normalised name (`NormalisedCompany.key`: "&"/"et"/"and", legal forms, accents,
 *      punctuation and case folded), unless the organisation it finds has another SIREN
 *      than the row's (two companies with one name);
 *   3. a common name ("Boulangerie du Centre", `isCommonCompanyName`) only within the same
 *      postcode or city: the same common name elsewhere is another organisation;
 *   4. doubtful pairs are not merged but sent to review (`organisation_review_queue`), the
 *      row getting an organisation of its own meanwhile: a common name with no place on one
 *      side to confirm it, or a name one typo away from a name known at the same postcode.
 * Set-based: one statement reads every key the batch may match, one the facts (SIRENs,
 * places) of the organisations found, one the names known at the batch's postcodes; the
 * writes are one statement per table.
 */

/** What became of a batch's organisations. */
export interface OrganisationResolution {
  /** The organisation of each row that names one (by row number). */
  readonly byRow: ReadonlyMap<number, string>;
  readonly created: number;
  readonly queuedForReview: number;
}

/** The place of a row without an address, in `name_place` keys: placeless rows of one common name share an organisation. */
const NO_PLACE = '?';
/** Names at least this close (Jaro-Winkler on the folded keys) at one postcode are a doubtful pair. */
const NEAR_NAME = 0.94;
/** A postcode with more known names than this is not searched for near names (the cost would grow with the base). */
const MAX_NAMES_PER_PLACE = 500;

interface OrgFacts {
  readonly sirens: Set<string>;
  /** Postcodes and folded cities the organisation was seen at (not NO_PLACE). */
  readonly places: Set<string>;
}

/** The postcode and the folded city of a row, where it has them. */
function placesOf(c: ProspectCandidate): string[] {
  const out: string[] = [];
  if (c.address?.postcode) out.push(c.address.postcode);
  const city = c.address?.city ? foldCity(c.address.city) : '';
  if (city !== '') out.push(city);
  return out;
}

const k = (kind: 'siret' | 'siren' | 'name' | 'name_place', key: string) => `${kind}:${key}`;
const placeKey = (place: string, name: string) => `${place}|${name}`;

/** Finds or creates the organisation of each candidate (kind `prospect`, purpose `prospecting`) and queues doubtful pairs. */
export async function resolveOrganisations(
  tx: Kysely<Database>,
  candidates: readonly ProspectCandidate[],
  options: { readonly now: Date; readonly jobId: string | null },
): Promise<OrganisationResolution> {
  const byRow = new Map<number, string>();
  const named = candidates.filter((c) => c.siret || c.siren || (c.company && c.company.key !== ''));
  if (named.length === 0) return { byRow, created: 0, queuedForReview: 0 };

  // 1. Every key the batch may match, in one statement.
  const wanted = new Set<string>();
  for (const c of named) {
    if (c.siret) wanted.add(k('siret', c.siret));
    if (c.siren) wanted.add(k('siren', c.siren));
    const name = c.company?.key ?? '';
    if (name === '') continue;
    wanted.add(k('name', name));
    for (const p of [...placesOf(c), NO_PLACE]) wanted.add(k('name_place', placeKey(p, name)));
  }
  const pairs = [...wanted].map((w) => ({ kind: w.slice(0, w.indexOf(':')), key: w.slice(w.indexOf(':') + 1) }));
  const known = new Map<string, string>();
  const found = await sql<{ kind: string; key: string; organisationId: string }>`
    select k.kind, k.key, k.organisation_id as "organisationId" from prospect_organisation_keys k
    join unnest(${pairs.map((p) => p.kind)}::text[], ${pairs.map((p) => p.key)}::text[]) as u(kind, key) on k.kind = u.kind and k.key = u.key`.execute(tx);
  for (const r of found.rows) known.set(`${r.kind}:${r.key}`, r.organisationId);
  const sirets = [...new Set(named.flatMap((c) => (c.siret && !known.has(k('siret', c.siret)) ? [c.siret] : [])))];
  if (sirets.length > 0) {
    for (const r of await tx.selectFrom('organisations').select(['id', 'siret']).where('siret', 'in', sirets).execute()) if (r.siret) known.set(k('siret', r.siret), r.id);
  }

  // 2. The SIRENs and places of the organisations found (to refuse a name borne by another company, and to place common names).
  const facts = new Map<string, OrgFacts>();
  const factsOf = (id: string): OrgFacts => {
    let f = facts.get(id);
    if (!f) facts.set(id, (f = { sirens: new Set(), places: new Set() }));
    return f;
  };
  const foundIds = [...new Set(known.values())];
  if (foundIds.length > 0) {
    const rows = await sql<{ organisationId: string; kind: string; key: string }>`
      select organisation_id as "organisationId", kind, key from prospect_organisation_keys
      where organisation_id = any(${foundIds}::uuid[]) and kind in ('siren', 'name_place')
      union all
      select id, 'siret', siret from organisations where id = any(${foundIds}::uuid[]) and siret is not null`.execute(tx);
    for (const r of rows.rows) {
      const f = factsOf(r.organisationId);
      if (r.kind === 'siren') f.sirens.add(r.key);
      else if (r.kind === 'siret') f.sirens.add(r.key.slice(0, 9));
      else {
        const place = r.key.slice(0, r.key.indexOf('|'));
        if (place !== NO_PLACE) f.places.add(place);
      }
    }
  }

  // 3. Names known at the postcodes of the rows no key matches: the near-name candidates.
  const unmatched = named.filter((c) => !(c.siret && known.has(k('siret', c.siret))) && !(c.siren && known.has(k('siren', c.siren))) && !(c.company && known.has(k('name', c.company.key))));
  const postcodes = [...new Set(unmatched.flatMap((c) => (c.company && c.company.key !== '' && c.address?.postcode ? [c.address.postcode] : [])))];
  const namesAt = new Map<string, { name: string; organisationId: string }[]>();
  if (postcodes.length > 0) {
    const rows = await sql<{ place: string; name: string; organisationId: string }>`
      select split_part(key, '|', 1) as place, split_part(key, '|', 2) as name, organisation_id as "organisationId" from prospect_organisation_keys
      where kind = 'name_place' and split_part(key, '|', 1) = any(${postcodes}::text[])`.execute(tx);
    for (const r of rows.rows) {
      const list = namesAt.get(r.place);
      if (list) list.push({ name: r.name, organisationId: r.organisationId });
      else namesAt.set(r.place, [{ name: r.name, organisationId: r.organisationId }]);
    }
  }

  // 4. Decide, rows with an identifier first (a name-only row of the same company then joins theirs).
  const newOrgs: { id: string; c: ProspectCandidate }[] = [];
  const keyWrites: { kind: 'siret' | 'siren' | 'name' | 'name_place'; key: string; organisationId: string }[] = [];
  const reviews: { left: string; right: string; rule: OrganisationReviewRule; score: number }[] = [];
  const bind = (kind: 'siret' | 'siren' | 'name' | 'name_place', key: string, org: string) => {
    if (known.has(k(kind, key))) return;
    known.set(k(kind, key), org);
    keyWrites.push({ kind, key, organisationId: org });
  };
  const ordered = [...named].sort((a, b) => Number(!(a.siret || a.siren)) - Number(!(b.siret || b.siren)));
  for (const c of ordered) {
    const name = c.company?.key ?? '';
    const places = placesOf(c);
    // A name's organisation is refused when it has a SIREN and the row another one.
    const agrees = (org: string) => !c.siren || (facts.get(org)?.sirens.size ?? 0) === 0 || facts.get(org)!.sirens.has(c.siren);
    let org = (c.siret ? known.get(k('siret', c.siret)) : undefined) ?? (c.siren ? known.get(k('siren', c.siren)) : undefined);
    let review: { other: string; rule: OrganisationReviewRule; score: number } | null = null;
    if (org === undefined && name !== '') {
      const common = isCommonCompanyName(name);
      if (!common) {
        const h = known.get(k('name', name));
        if (h !== undefined && agrees(h)) org = h;
      } else {
        for (const p of places.length > 0 ? places : [NO_PLACE]) {
          const h = known.get(k('name_place', placeKey(p, name)));
          if (h !== undefined && agrees(h)) {
            org = h;
            break;
          }
        }
        const h = org === undefined ? known.get(k('name', name)) : undefined;
        // The same common name with no place on one side: maybe the same business, maybe not.
        if (h !== undefined && agrees(h) && (places.length === 0 || (facts.get(h)?.places.size ?? 0) === 0)) review = { other: h, rule: 'common_name_without_place', score: 1 };
      }
      const postcode = c.address?.postcode;
      if (org === undefined && review === null && postcode) {
        const near = namesAt.get(postcode) ?? [];
        if (near.length <= MAX_NAMES_PER_PLACE) {
          for (const n of near) {
            if (n.name === name || (common && isCommonCompanyName(n.name)) || !agrees(n.organisationId)) continue;
            const score = isOneTransposition(n.name, name) ? Math.max(NEAR_NAME, jaroWinkler(n.name, name)) : jaroWinkler(n.name, name);
            if (score >= NEAR_NAME && (review === null || score > review.score)) review = { other: n.organisationId, rule: 'near_name_same_place', score };
          }
        }
      }
    }
    if (org === undefined) {
      org = newId(options.now.getTime());
      newOrgs.push({ id: org, c });
      facts.set(org, { sirens: new Set(), places: new Set() });
    }
    byRow.set(c.row, org);
    // The organisation learns this row's keys (an identifier it lacked, the name and the places it was seen at).
    const f = factsOf(org);
    if (c.siret) bind('siret', c.siret, org);
    if (c.siren) {
      bind('siren', c.siren, org);
      f.sirens.add(c.siren);
    }
    if (name !== '') {
      bind('name', name, org);
      for (const p of places.length > 0 ? places : [NO_PLACE]) {
        bind('name_place', placeKey(p, name), org);
        if (p !== NO_PLACE) f.places.add(p);
      }
      if (c.address?.postcode) {
        const list = namesAt.get(c.address.postcode);
        if (list) list.push({ name, organisationId: org });
        else namesAt.set(c.address.postcode, [{ name, organisationId: org }]);
      }
    }
    if (review !== null && review.other !== org) reviews.push({ left: review.other, right: org, rule: review.rule, score: review.score });
  }

  if (newOrgs.length > 0) {
    await tx
      .insertInto('organisations')
      .values(
        newOrgs.map(({ id, c }) => ({
          id,
          purpose: 'prospecting' as const,
          kind: 'prospect' as const,
          name: c.company?.display ?? (c.siret ? `SIRET ${c.siret}` : `SIREN ${c.siren ?? ''}`),
          siret: c.siret,
          sector: c.sector,
          headcount: c.headcount,
          addresses: JSON.stringify([]),
        })),
      )
      .execute();
  }
  if (keyWrites.length > 0) {
    await sql`
      insert into prospect_organisation_keys (kind, key, organisation_id)
      select * from unnest(${keyWrites.map((w) => w.kind)}::text[], ${keyWrites.map((w) => w.key)}::text[], ${keyWrites.map((w) => w.organisationId)}::uuid[])
      on conflict do nothing`.execute(tx);
  }
  if (reviews.length > 0) {
    await tx
      .insertInto('organisationReviewQueue')
      .values(reviews.map((r) => ({ id: newId(options.now.getTime()), leftOrganisationId: r.left, rightOrganisationId: r.right, rule: r.rule, score: r.score, importJobId: options.jobId, createdAt: options.now })))
      .execute();
  }
  return { byRow, created: newOrgs.length, queuedForReview: reviews.length };
}
