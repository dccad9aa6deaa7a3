/**
 * The notice given to clients (D2; GDPR Art. 13 and 14): the annex, written from the
 * policy the engines enforce, so that the two cannot drift. Each sentence is composed
 * from policy values (periods, bases, recipients, places) with the wording of its
 * language; nothing legal is written twice.
 */
import type { LoadedPolicy, Location, Purpose, RetentionRule, Role } from '../policy/index.js';
import { isEuEea, transferGround } from '../policy/index.js';
import type { Block, DocumentModel, Inline } from './model.js';
import {
  FIELD_NAMES,
  HOLD_START_PHRASES,
  LIST_OWNERS,
  RECORD_ACTS,
  RECORD_NAMES,
  RIGHT_PHRASES,
  SAFEGUARD_PHRASES,
  START_PHRASES,
} from './phrases.js';
import { addDurations, asClause, countryName, dateInWords, durationInWords, isZeroDuration, joinList, lowerFirst, type Lang } from './words.js';

const quote = (name: string, lang: Lang): string => (lang === 'fr' ? `« ${name} »` : `“${name}”`);

/** The names of purposes in a sentence: "des finalités « A » et « B »" / "the purposes “A” and “B”". */
export function purposeNames(purposes: readonly Purpose[], lang: Lang): string {
  const names = joinList(purposes.map((p) => quote(p.name[lang], lang)), lang);
  if (lang === 'fr') return purposes.length > 1 ? `des finalités ${names}` : `de la finalité ${names}`;
  return purposes.length > 1 ? `the purposes ${names}` : `the purpose ${names}`;
}

/** Every store, subcontractor and partner, with what kind it is. */
export function allLocations(policy: LoadedPolicy): readonly (Location & { readonly kind: 'store' | 'subcontractor' | 'partner' })[] {
  return [
    ...policy.locations.stores.map((l) => ({ ...l, kind: 'store' as const })),
    ...policy.locations.subcontractors.map((l) => ({ ...l, kind: 'subcontractor' as const })),
    ...policy.locations.partners.map((l) => ({ ...l, kind: 'partner' as const })),
  ];
}

/** "la dénomination du Client, le nom, le prénom et l'adresse email de chaque interlocuteur, …" from P1.2 paths. */
function mandatoryInWords(paths: readonly string[], lang: Lang): string {
  const groups: { owner: string | null; names: string[] }[] = [];
  for (const path of paths) {
    const list = /^(\w+)\[\]\.(\w+)$/.exec(path);
    const owner = list?.[1] ?? null;
    const field = list?.[2] ?? path;
    const name = FIELD_NAMES[path]?.[lang] ?? FIELD_NAMES[field]?.[lang] ?? field;
    const last = groups[groups.length - 1];
    if (last && last.owner === owner && owner !== null) last.names.push(name);
    else groups.push({ owner, names: [name] });
  }
  return joinList(
    groups.map((g) => (g.owner === null ? joinList(g.names, lang) : `${joinList(g.names, lang)} ${LIST_OWNERS[g.owner]?.[lang] ?? `(${g.owner})`}`)),
    lang,
  );
}

/** The sentence giving a controller purpose's lawful bases (Art. 13(1)(c),(d)). */
function basesSentence(policy: LoadedPolicy, purpose: Purpose, lang: Lang): string {
  const who = policy.controller.name;
  const interest = purpose.legitimateInterest ? asClause(purpose.legitimateInterest[lang]) : '';
  const phrase = (basis: Purpose['legalBases'][number]): string => {
    switch (basis) {
      case 'contract':
        return lang === 'fr'
          ? `la nécessité d'exécuter ses obligations contractuelles envers le Client (RGPD, art. 6.1.b)`
          : `the need to perform its contractual obligations towards the client (GDPR Art. 6(1)(b))`;
      case 'legitimate_interest':
        return lang === 'fr'
          ? `son intérêt légitime${interest ? ` à ${interest}` : ''} (RGPD, art. 6.1.f)`
          : `its legitimate interest${interest ? ` in ${interest}` : ''} (GDPR Art. 6(1)(f))`;
      case 'consent':
        return lang === 'fr'
          ? `le consentement préalable du Client (RGPD, art. 6.1.a)`
          : `the client's prior consent (GDPR Art. 6(1)(a))`;
      case 'legal_obligation':
        return lang === 'fr'
          ? `le respect d'une obligation légale à laquelle ${who} est soumise (RGPD, art. 6.1.c)`
          : `compliance with a legal obligation to which ${who} is subject (GDPR Art. 6(1)(c))`;
      case 'processor_instructions':
        return '';
    }
  };
  const phrases = purpose.legalBases.map(phrase).filter((p) => p !== '');
  return lang === 'fr'
    ? `Ces opérations se justifient pour ${who} par ${joinList(phrases, lang, 'ainsi que par')}.`
    : `For ${who}, these operations rest on ${joinList(phrases, lang, 'and on')}.`;
}

function processorSentence(policy: LoadedPolicy, lang: Lang): string {
  const who = policy.controller.name;
  return lang === 'fr'
    ? `${who} agit alors en qualité de sous-traitant du Client : elle traite ces données pour son compte et sur ses instructions documentées (RGPD, art. 28).`
    : `${who} then acts as the client's processor: it processes this data on the client's behalf and on its documented instructions (GDPR Art. 28).`;
}

/** The retention of one rule in sentences (annex article 4; Art. 13(2)(a)). */
export function retentionSentences(policy: LoadedPolicy, purposes: readonly Purpose[], rule: RetentionRule, lang: Lang): string {
  const who = policy.controller.name;
  const fr = lang === 'fr';
  const subject = fr ? `Les données collectées au titre ${purposeNames(purposes, lang)}` : `Data collected for ${purposeNames(purposes, lang)}`;
  const from = START_PHRASES[rule.start][lang];
  const active = durationInWords(rule.active, lang);
  const sentences: string[] = [];

  const whole =
    rule.start === 'contract_end'
      ? fr ? 'pendant toute la durée de la relation contractuelle' : 'for the whole contractual relationship'
      : rule.start === 'engagement_end'
        ? fr ? 'pendant toute la durée de la prestation' : 'for the whole service'
        : null;

  if (whole !== null) {
    sentences.push(`${subject} ${fr ? 'sont conservées' : 'is kept'} ${whole}.`);
    if (!isZeroDuration(rule.active)) {
      sentences.push(
        fr
          ? `Au-delà, elles sont conservées activement pendant ${active} à compter de ${from}`
          : `Beyond that, it is kept actively for ${active} from ${from}`,
      );
    }
  } else {
    const kept = rule.start === 'entry_time' ? (fr ? `sont conservées ${active}` : `is kept for ${active}`) : fr ? `sont conservées pendant une durée de ${active}` : `is kept for ${active}`;
    sentences.push(`${subject} ${kept} ${fr ? 'à compter de' : 'from'} ${from}`);
  }

  if (!isZeroDuration(rule.archive)) {
    const total = durationInWords(addDurations(rule.active, rule.archive), lang);
    const archive = durationInWords(rule.archive, lang);
    const last = sentences.length - 1;
    const lead = isZeroDuration(rule.active) ? (fr ? 'Elles sont ensuite archivées' : 'It is then archived') : fr ? ', puis archivées' : ', then archived';
    const fixed = fr
      ? `${lead} pendant ${archive} afin de pouvoir établir la preuve d'un droit ou du contrat jusqu'à l'expiration du délai de prescription, soit ${total} au total à compter de ${from}`
      : `${lead} for ${archive} so that a right or the contract can be proved until the limitation period runs out, that is ${total} in all from ${from}`;
    if (isZeroDuration(rule.active)) sentences.push(`${fixed}.`);
    else sentences[last] = `${sentences[last] ?? ''}${fixed}.`;
  } else if (sentences.length > 0 && !(sentences[sentences.length - 1] ?? '').endsWith('.')) {
    sentences[sentences.length - 1] = `${sentences[sentences.length - 1] ?? ''}.`;
  }

  if (rule.restitution === true) {
    sentences.push(
      fr
        ? `En fin de prestation, elles sont restituées au Client, puis détruites${rule.end === 'anonymise' ? ' ou anonymisées' : ''}.`
        : `At the end of the service, it is returned to the client and then destroyed${rule.end === 'anonymise' ? ' or anonymised' : ''}.`,
    );
  } else if (rule.start === 'collection_or_last_contact') {
    // P4.2: before the term the company may ask once whether to go on; only a yes restarts the period.
    sentences.push(
      fr
        ? `Au terme de ce délai, ${who} pourra reprendre contact avec le Client afin de savoir s'il souhaite continuer à recevoir des sollicitations commerciales ; sans réponse positive de sa part, les données sont supprimées.`
        : `At the end of this period, ${who} may contact the client again to ask whether it wishes to keep receiving commercial solicitations; without a positive answer, the data is deleted.`,
    );
  } else {
    sentences.push(
      rule.end === 'anonymise'
        ? fr ? 'Elles sont ensuite anonymisées.' : 'It is then anonymised.'
        : fr ? 'Elles sont ensuite supprimées.' : 'It is then deleted.',
    );
  }

  for (const hold of rule.holds ?? []) {
    const records = joinList(hold.records.map((r) => RECORD_NAMES[r]?.[lang] ?? r), lang);
    sentences.push(
      fr
        ? `Par exception, les pièces comptables (${records}) sont conservées ${durationInWords(hold.duration, lang)} à compter de ${HOLD_START_PHRASES[hold.from][lang]}, comme l'impose la loi (${hold.basis}), même lorsque les autres données du Client sont effacées.`
        : `As an exception, accounting records (${records}) are kept for ${durationInWords(hold.duration, lang)} from ${HOLD_START_PHRASES[hold.from][lang]}, as the law requires (${hold.basis}), even when the client's other data is erased.`,
    );
  }
  return sentences.join(' ');
}

/** Purposes grouped by identical retention rules, in policy order (the annex groups prospecting with file exchange). */
function retentionGroups(purposes: readonly Purpose[]): readonly { readonly purposes: readonly Purpose[]; readonly rule: RetentionRule }[] {
  const groups: { purposes: Purpose[]; rule: RetentionRule; key: string }[] = [];
  for (const p of purposes) {
    // Only what the notice says of a rule decides the grouping (not, say, re-permission settings).
    const r = p.retention;
    const key = JSON.stringify([r.start, r.active, r.archive, r.end, r.restitution ?? false, r.holds ?? []]);
    const g = groups.find((x) => x.key === key);
    if (g) g.purposes.push(p);
    else groups.push({ purposes: [p], rule: p.retention, key });
  }
  return groups;
}

function recipientsBlocks(policy: LoadedPolicy, lang: Lang): Block[] {
  const fr = lang === 'fr';
  const used = new Set(policy.purposes.flatMap((p) => p.recipients));
  const roles = policy.roles.filter((r) => used.has(r.id));
  const purposesOf = (role: Role): readonly Purpose[] => policy.purposes.filter((p) => p.recipients.includes(role.id));
  const forPurposes = (role: Role): string => {
    const ps = purposesOf(role);
    return ps.length === policy.purposes.length ? '' : fr ? `, pour ${purposeNames(ps, lang).replace(/^de la /, 'la ').replace(/^des /, 'les ')}` : `, for ${purposeNames(ps, lang)}`;
  };
  const staff = roles.filter((r) => r.kind === 'staff');
  const internal = roles.filter((r) => r.kind === 'subcontractor' || r.kind === 'subsidiary');
  const external = roles.filter((r) => r.kind === 'external');
  const blocks: Block[] = [];
  const firstItems: Inline[] = [];
  if (staff.length > 0) {
    firstItems.push(
      fr
        ? `dans la limite de leurs attributions respectives, le personnel habilité de ${policy.controller.name} : ${joinList(staff.map((r) => lowerFirst(r.label.fr)), lang)} ;`
        : `within their respective remits, the authorised staff of ${policy.controller.name}: ${joinList(staff.map((r) => lowerFirst(r.label.en)), lang)};`,
    );
  }
  for (const r of internal) firstItems.push(`${lowerFirst(r.label[lang])}${forPurposes(r)}${fr ? ' ;' : ';'}`);
  for (const s of policy.locations.subcontractors) {
    const purposes = policy.purposes.filter((p) => s.purposes?.includes(p.id) ?? false);
    firstItems.push(
      fr
        ? `le sous-traitant ${s.name} (${countryName(s.country, lang)})${purposes.length > 0 ? `, pour ${purposeNames(purposes, lang).replace(/^de la /, 'la ').replace(/^des /, 'les ')}` : ''} ;`
        : `the processor ${s.name} (${countryName(s.country, lang)})${purposes.length > 0 ? `, for ${purposeNames(purposes, lang)}` : ''};`,
    );
  }
  const lastFix = (items: Inline[]): Inline[] =>
    items.map((item, i) => (i === items.length - 1 && typeof item === 'string' ? item.replace(/ ?;$/, '.') : item));
  blocks.push({ kind: 'paragraph', text: fr ? 'Les destinataires des données à caractère personnel collectées sont :' : 'The recipients of the personal data collected are:' });
  blocks.push({ kind: 'list', items: lastFix(firstItems) });

  const also: Inline[] = [
    ...external.map((r) => `${lowerFirst(r.label[lang])}${fr ? ', dans le cadre de leur mission de recouvrement de créances' : ', within their debt-recovery mission'}${fr ? ' ;' : ';'}`),
    ...policy.locations.partners.map((p) => {
      const purposes = policy.purposes.filter((x) => p.purposes?.includes(x.id) ?? false);
      return fr
        ? `${p.name} (${countryName(p.country, lang)}), partenaire${purposes.length > 0 ? ` au titre ${purposeNames(purposes, lang)}` : ''}, uniquement si le Client y a consenti ;`
        : `${p.name} (${countryName(p.country, lang)}), partner${purposes.length > 0 ? ` for ${purposeNames(purposes, lang)}` : ''}, only if the client consented;`;
    }),
  ];
  if (also.length > 0) {
    blocks.push({ kind: 'paragraph', text: fr ? 'Les destinataires des données à caractère personnel pourront également être :' : 'The recipients of the personal data may also be:' });
    blocks.push({ kind: 'list', items: lastFix(also) });
  }
  return blocks;
}

function locationBlocks(policy: LoadedPolicy, lang: Lang): Block[] {
  const fr = lang === 'fr';
  const who = policy.controller.name;
  const places = allLocations(policy);
  const inEu = places.every((l) => isEuEea(l.country) && !['IS', 'LI', 'NO'].includes(l.country.toUpperCase()));
  const inEea = places.every((l) => isEuEea(l.country));
  const countries = [...new Set(places.filter((l) => isEuEea(l.country)).map((l) => countryName(l.country, lang)))];
  const where = inEu ? (fr ? "au sein de l'Union européenne" : 'within the European Union') : inEea ? (fr ? "au sein de l'Espace économique européen" : 'within the European Economic Area') : null;
  const blocks: Block[] = [];
  if (where !== null) {
    blocks.push({
      kind: 'paragraph',
      text: fr
        ? `${who} effectue ses traitements de données personnelles ${where} : les données sont hébergées et traitées en ${joinList(countries, lang)}.`
        : `${who} carries out its processing of personal data ${where}: the data is hosted and processed in ${joinList(countries, lang)}.`,
    });
    return blocks;
  }
  const outside = places.filter((l) => !isEuEea(l.country));
  blocks.push({
    kind: 'paragraph',
    text: fr
      ? `${who} effectue ses traitements de données personnelles en ${joinList(countries, lang)}. Certaines données sont toutefois transférées hors de l'Espace économique européen :`
      : `${who} carries out its processing of personal data in ${joinList(countries, lang)}. Some data is however transferred outside the European Economic Area:`,
  });
  blocks.push({
    kind: 'list',
    items: outside.map((l) => {
      const ground = transferGround(l.country, l.safeguard);
      const safeguard = ground === null || ground === 'eu_eea' ? (fr ? 'aucune garantie déclarée' : 'no declared safeguard') : SAFEGUARD_PHRASES[ground][lang];
      return fr ? `${l.name} (${countryName(l.country, lang)}) : transfert encadré par ${safeguard}` : `${l.name} (${countryName(l.country, lang)}): transfer covered by ${safeguard}`;
    }),
  });
  blocks.push({
    kind: 'paragraph',
    text: fr
      ? `Le Client peut obtenir une copie de ces garanties en s'adressant à ${who} (RGPD, art. 13.1.f).`
      : `The client may obtain a copy of these safeguards from ${who} (GDPR Art. 13(1)(f)).`,
  });
  return blocks;
}

function contactPhrase(policy: LoadedPolicy, lang: Lang): string {
  const c = policy.controller;
  const address = [c.address.street, `${c.address.postalCode} ${c.address.city}`.trim()].filter((s) => s !== '').join(', ');
  const parts = [
    ...(c.email !== '' ? [lang === 'fr' ? `par email à ${c.email}` : `by email to ${c.email}`] : []),
    ...(address !== '' ? [lang === 'fr' ? `par courrier à ${c.name}, ${address}` : `by post to ${c.name}, ${address}`] : []),
    ...(c.dpo.email !== '' ? [lang === 'fr' ? `auprès de son délégué à la protection des données (${c.dpo.email})` : `through its data protection officer (${c.dpo.email})`] : []),
  ];
  return parts.length === 0 ? '' : ` ${joinList(parts, lang, lang === 'fr' ? 'ou' : 'or')}`;
}

function rightsBlocks(policy: LoadedPolicy, lang: Lang): Block[] {
  const fr = lang === 'fr';
  const sa = policy.supervisoryAuthority;
  const consent = policy.purposes.some((p) => p.legalBases.includes('consent'));
  const items: Inline[] = RIGHT_PHRASES.filter((r) => r.id !== 'withdraw_consent' || consent).map((r) => [
    { text: r.label[lang], strong: true },
    { text: `${fr ? ' ' : ', '}${r.what[lang]}${fr ? ' ;' : ';'}` },
  ]);
  const name = sa.fullName ? `${sa.name} (${sa.fullName})` : sa.name;
  items.push([
    { text: fr ? 'Droit de déposer une réclamation' : 'Right to lodge a complaint', strong: true },
    {
      text: fr
        ? ` auprès de l'autorité de contrôle de la protection des données, à savoir la ${name}, ${sa.address}, tél. ${sa.phone}, fax ${sa.fax}, site web : ${sa.website} (RGPD, art. 77).`
        : ` with the data protection supervisory authority, the ${name}, ${sa.address}, phone ${sa.phone}, fax ${sa.fax}, website: ${sa.website} (GDPR Art. 77).`,
    },
  ]);
  const who = policy.controller.name;
  return [
    { kind: 'paragraph', text: fr ? 'Le Client dispose des droits suivants :' : 'The client has the following rights:' },
    { kind: 'list', items },
    {
      kind: 'paragraph',
      text: fr
        ? `Le Client exerce ces droits, sans frais, en s'adressant à ${who}${contactPhrase(policy, lang)}. ${who} peut lui demander de confirmer son identité, par un code envoyé à l'adresse qu'elle connaît. Une réponse lui est apportée dans un délai d'un mois à compter de la réception de sa demande ; ce délai peut être prolongé de deux mois compte tenu de la complexité ou du nombre des demandes, auquel cas le Client en est informé dans le premier mois (RGPD, art. 12.3).`
        : `The client exercises these rights free of charge by contacting ${who}${contactPhrase(policy, lang)}. ${who} may ask the client to confirm their identity with a code sent to the address it holds. An answer is given within one month of receiving the request; this may be extended by two months given the complexity or number of requests, in which case the client is told so within the first month (GDPR Art. 12(3)).`,
    },
  ];
}

/**
 * What the policy leaves blank that the notice must tell (GDPR Art. 13(1)(a),(b)): each
 * gap as the policy path to fill. The notice still renders; the operator is told.
 */
export function noticeGaps(policy: LoadedPolicy): readonly string[] {
  const c = policy.controller;
  const gaps: string[] = [];
  if (c.address.street === '' || c.address.city === '') gaps.push('controller.address (Art. 13(1)(a): the controller\'s contact details)');
  if (c.email === '') gaps.push('controller.email (Art. 13(1)(a): where to write to exercise the rights)');
  if (c.dpo.email === '') gaps.push('controller.dpo.email (Art. 13(1)(b): the DPO\'s contact details, when a DPO is designated)');
  return gaps;
}

/** The notice as a document in `lang`, from the policy (D2). */
export function buildNotice(policy: LoadedPolicy, lang: Lang): DocumentModel {
  const fr = lang === 'fr';
  const who = policy.controller.name;
  const blocks: Block[] = [];
  const h = (text: string): void => void blocks.push({ kind: 'heading', level: 1, text });
  const p = (text: Inline): void => void blocks.push({ kind: 'paragraph', text });

  // Preamble: who the controller is (Art. 13(1)(a),(b)).
  const c = policy.controller;
  const address = [c.address.street, `${c.address.postalCode} ${c.address.city}`.trim()].filter((s) => s !== '').join(', ');
  const identity = [address, c.email].filter((s) => s !== '').join(', ');
  p(
    fr
      ? `La présente annexe informe le Client des traitements de données à caractère personnel que ${who}${identity ? ` (${identity})` : ''} met en œuvre, en qualité de responsable du traitement sauf mention contraire (RGPD, art. 13 et 14).${c.dpo.email !== '' || c.dpo.name !== '' ? ` Son délégué à la protection des données peut être contacté : ${[c.dpo.name, c.dpo.email].filter((s) => s !== '').join(', ')}.` : ''}`
      : `This annex tells the client about the processing of personal data that ${who}${identity ? ` (${identity})` : ''} carries out, as controller unless stated otherwise (GDPR Art. 13 and 14).${c.dpo.email !== '' || c.dpo.name !== '' ? ` Its data protection officer can be reached: ${[c.dpo.name, c.dpo.email].filter((s) => s !== '').join(', ')}.` : ''}`,
  );

  // Article 1: data, mandatory data, purposes and bases.
  h(fr ? 'Article 1 – Finalités' : 'Article 1 – Purposes');
  const usedCategories = new Set(policy.purposes.flatMap((x) => x.dataCategories));
  const categories = policy.dataCategories.filter((x) => usedCategories.has(x.id));
  p(fr ? `Les données collectées par ${who} relèvent des catégories suivantes :` : `The data collected by ${who} falls into the following categories:`);
  blocks.push({ kind: 'list', items: categories.map((x, i) => `${x.label[lang]}${i === categories.length - 1 ? ',' : fr ? ' ;' : ';'}`) });
  p(fr ? `ainsi que toutes autres informations que le Client choisit de lui fournir.` : `as well as any other information the client chooses to provide.`);

  const mandatory = policy.purposes.flatMap((x) => Object.entries(x.mandatory).filter(([, fields]) => fields.length > 0));
  if (mandatory.length > 0) {
    const lists = joinList(
      mandatory.map(([record, fields]) => `${RECORD_ACTS[record]?.[lang] ?? (fr ? `pour « ${record} »` : `for “${record}”`)}, ${mandatoryInWords(fields, lang)}`),
      lang,
      fr ? 'et,' : 'and,',
    );
    p(
      fr
        ? `Certaines informations doivent nécessairement être fournies à ${who} : ${lists}. À défaut, ${who} ne pourra pas contracter avec le Client, exécuter ses obligations contractuelles ou fournir ses services.`
        : `Some information must be provided to ${who}: ${lists}. Without it, ${who} cannot enter into a contract with the client, perform its contractual obligations or provide its services.`,
    );
  }

  p(fr ? `Les traitements mis en œuvre par ${who} sont les suivants :` : `The processing carried out by ${who} is the following:`);
  blocks.push({
    kind: 'list',
    items: policy.purposes.map((x) => [
      { text: `${x.name[lang]}`, strong: true },
      { text: `${fr ? ' : ' : ': '}${lowerFirst(x.description[lang])} ${x.role === 'processor' ? processorSentence(policy, lang) : basesSentence(policy, x, lang)}` },
    ]),
  });

  h(fr ? 'Article 2 – Destinataires' : 'Article 2 – Recipients');
  blocks.push(...recipientsBlocks(policy, lang));

  h(fr ? 'Article 3 – Localisation des données' : 'Article 3 – Where the data is processed');
  blocks.push(...locationBlocks(policy, lang));

  h(fr ? 'Article 4 – Durée de conservation' : 'Article 4 – Retention periods');
  for (const g of retentionGroups(policy.purposes)) p(retentionSentences(policy, g.purposes, g.rule, lang));

  h(fr ? 'Article 5 – Droits du Client' : "Article 5 – The client's rights");
  blocks.push(...rightsBlocks(policy, lang));

  const date = dateInWords(policy.version.effectiveDate, lang);
  p(fr ? `Mise à jour du ${date}.` : `Last updated ${date}.`);

  return {
    lang,
    title: fr ? `Annexe : traitements des données à caractère personnel réalisés par ${who}` : `Annex: processing of personal data carried out by ${who}`,
    subtitle: fr ? `Mise à jour du ${date} – version ${policy.version.shortHash}` : `Last updated ${date} – version ${policy.version.shortHash}`,
    blocks,
  };
}
