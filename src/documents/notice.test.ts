import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { extractText, getDocumentProxy } from 'unpdf';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_POLICY_FILE, loadPolicy, parsePolicy, type LoadedPolicy } from '../policy/index.js';
import { buildNotice } from './notice.js';
import { plain } from './model.js';
import { renderNotice } from './render.js';
import { durationInWords } from './words.js';

// The seed annex (the company's published notice), copied verbatim from shared/seed.
const ANNEX = readFileSync(new URL('./testdata/annex-certilience.txt', import.meta.url), 'utf8');

/** The text of one annex article, up to the next. */
function annexArticle(n: number): string {
  const start = ANNEX.indexOf(`ARTICLE ${n} `);
  const end = ANNEX.indexOf(`ARTICLE ${n + 1} `);
  expect(start).toBeGreaterThanOrEqual(0);
  return ANNEX.slice(start, end < 0 ? undefined : end);
}

/** The notice text of one article (plain text, Markdown marks removed). */
function section(text: string, article: number): string {
  const start = text.indexOf(`Article ${article} –`);
  const end = text.indexOf(`Article ${article + 1} –`);
  expect(start).toBeGreaterThanOrEqual(0);
  return text.slice(start, end < 0 ? undefined : end);
}

const flat = (s: string): string => s.replace(/\*\*/g, '').replace(/\\/g, '').replace(/\s+/g, ' ');
const fold = (s: string): string => flat(s).toLowerCase().replace(/[’]/g, "'");

let policy: LoadedPolicy;
let fr: string;
let en: string;

beforeAll(async () => {
  policy = await loadPolicy(DEFAULT_POLICY_FILE);
  fr = flat((await renderNotice(policy, { lang: 'fr', format: 'md' })) as string);
  en = flat((await renderNotice(policy, { lang: 'en', format: 'md' })) as string);
});

describe('the French notice carries every fact of the annex (D2)', () => {
  it('D2 names the five purposes of annex article 1', () => {
    const names = [...annexArticle(1).matchAll(/«\s*\*\*(.+?)\*\*\s*»/g)].map((m) => m[1] ?? '');
    expect(names).toHaveLength(5);
    const article1 = fold(section(fr, 1));
    for (const name of names) {
      // The annex's "Réalisation d'opération" is written "d'opérations" in the notice: compare the words.
      const words = fold(name)
        .split(/[\s,]+/)
        .map((w) => w.replace(/^(?:l|d)'/, ''))
        .filter((w) => w.length >= 4);
      for (const w of words) expect(article1, `purpose "${name}", word "${w}"`).toContain(w);
    }
  });

  it('D2 says what each purpose covers and its legal basis', () => {
    const a1 = annexArticle(1);
    const n1 = fold(section(fr, 1));
    // What each purpose covers: operations the annex lists, each in the notice.
    const covered = [
      'contrats', 'commandes', 'livraisons', 'factures', 'comptabilité', 'gestion des comptes', 'réclamations', 'recouvrement',
      'impayés', 'contentieux', 'service après-vente', 'enquêtes de satisfaction', 'normalisation', 'déduplication',
      'fidélisation', 'sondage', 'statistiques commerciales', "liste d'opposition", 'phishing', 'elearning',
      'sociétés du même groupe', 'partenaires commerciaux', 'services numériques',
    ];
    for (const c of covered) {
      expect(fold(a1), `annex mentions ${c}`).toContain(c);
      expect(n1, `notice mentions ${c}`).toContain(c);
    }
    // Bases: the annex's justification of each purpose, and the notice's words for it.
    const bases: readonly [string, string, string][] = [
      ['Gestion de la relation client', "nécessité d'exécuter ses obligations contractuelles", 'RGPD, art. 6.1.b'],
      ['Gestion de la relation client', "intérêt légitime de CERTILIENCE d'améliorer sa relation client", 'RGPD, art. 6.1.f'],
      ['prospection commerciale', 'intérêt légitime à réaliser des opérations de prospection commerciale', 'RGPD, art. 6.1.f'],
      ['Cession', 'consentement', 'RGPD, art. 6.1.a'],
      ['journaux de connexion', "l'obligation de respecter la loi", 'RGPD, art. 6.1.c'],
      ['sensibilisation et de formation', 'à la demande du Client', 'RGPD, art. 28'],
    ];
    const items = section(fr, 1).split(' - ');
    for (const [purpose, annexWords, article] of bases) {
      const annexItem = a1.split('\n').find((l) => l.includes(purpose)) ?? '';
      expect(annexItem, `annex: ${purpose}`).toContain(annexWords);
      const item = items.find((i) => i.includes(' : ') && fold(i.split(' : ')[0] ?? '').includes(fold(purpose))) ?? '';
      expect(item, `notice: basis of ${purpose}`).toContain(article);
    }
    expect(n1).toContain("s'opposer à tout moment à la prospection commerciale");
    expect(n1).toContain('retirer son consentement à tout moment');
  });

  it('D2 P1.1 P1.2 lists the data collected and says some is mandatory, with the consequence', () => {
    const n1 = fold(section(fr, 1));
    const listed = /\(([^)]+etc\.)\)/.exec(annexArticle(1))?.[1] ?? '';
    const items = listed.replace(/,?\s*etc\.$/, '').split(/,\s*/);
    expect(items.length).toBeGreaterThanOrEqual(6);
    for (const item of items) {
      // "adresses postale" (sic) in the annex: the notice writes "adresses postales".
      expect(n1, item).toContain(fold(item).replace('adresses postale', 'adresses postales'));
    }
    expect(n1).toContain('toutes autres informations');
    expect(n1).toContain('doivent nécessairement être fournies');
    const consequence = /ne pourra pas ([^.]+)\./.exec(annexArticle(1))?.[1] ?? '';
    expect(consequence).toContain('contracter');
    expect(n1).toContain(`ne pourra pas ${fold(consequence)}`);
    // P1.2: the mandatory fields of the policy, in words.
    for (const w of ['la dénomination du client', 'le nom', 'le prénom', "l'adresse email de chaque interlocuteur"]) expect(n1).toContain(w);
  });

  it('D2 names each recipient as the annex does', () => {
    const a2 = fold(annexArticle(2));
    const n2 = fold(section(fr, 2));
    const recipients = [
      'dans la limite de leurs attributions respectives', 'personnel habilité', 'service marketing', 'service commercial',
      'relation client', 'prospection', 'services administratifs', 'logistiques', 'informatiques', 'responsables hiérarchiques',
      'sous-traitants', 'filiale', 'organismes', 'auxiliaires de justice', 'officiers ministériels', 'recouvrement de créances',
    ];
    for (const r of recipients) {
      expect(a2, `annex: ${r}`).toContain(r);
      expect(n2, `notice: ${r}`).toContain(r);
    }
  });

  it('D2 P3.1 says the processing takes place in the European Union', () => {
    const where = /au sein de l'Union européenne/.exec(annexArticle(3))?.[0] ?? '';
    expect(where).not.toBe('');
    expect(section(fr, 3)).toContain(where);
  });

  it('D2 P4.1–P4.4 gives each retention period of annex article 4 in words', () => {
    const a4 = annexArticle(4);
    const n4 = fold(section(fr, 4));
    const periods = [...a4.matchAll(/\b(un|deux|trois|quatre|cinq|six|sept|huit|neuf|dix|\d+) (ans|mois)\b/g)].map((m) => m[0]);
    expect(periods).toEqual(expect.arrayContaining(['trois ans', 'cinq ans', '12 mois']));
    for (const p of periods) expect(n4, p).toContain(p);
    expect(n4).toContain('pendant toute la durée de la relation contractuelle');
    expect(n4).toContain('à compter de la fin de la relation contractuelle');
    expect(n4).toContain('à compter de leur collecte ou du dernier contact émanant du client');
    // The re-contact at the end of prospecting (P4.2), as the annex words it.
    const recontact = /pourra (reprendre contact avec le Client afin de savoir s'il souhaite continuer à recevoir des sollicitations commerciales)/.exec(a4)?.[1] ?? '';
    expect(recontact).not.toBe('');
    expect(n4).toContain(fold(recontact));
    // Training (P4.3): kept for the service, returned, then destroyed.
    expect(a4).toContain('restituées au Client, et détruites');
    expect(n4).toContain('pendant toute la durée de la prestation');
    expect(n4).toContain('restituées au client, puis détruites');
    // Accounting records: ten years (P4.1, Code de commerce L123-22), beyond the annex.
    expect(n4).toContain('dix ans');
    expect(n4).toContain('l123-22');
  });

  it('D2 P5.1–P5.7 lists the rights of annex article 5, how to exercise them, and the CNIL in full', () => {
    const a5 = annexArticle(5);
    const n5 = section(fr, 5);
    const rights = [...a5.matchAll(/\*\*(Droit[^*]+)\*\*/g)].map((m) => m[1] ?? '');
    expect(rights).toHaveLength(7);
    for (const r of rights) expect(n5, r).toContain(r.trim());
    // The annex lists no post-mortem directives, so the notice adds none.
    expect(a5).not.toMatch(/post-mortem|décès/);
    const cnil = {
      street: /CNIL (\d+ rue \w+)/.exec(a5)?.[1],
      cs: /(CS \d+)/.exec(a5)?.[1],
      postcode: /(F-\d{5}) Paris/.exec(a5)?.[1],
      cedex: /(Cedex \d+)/.exec(a5)?.[1],
      phone: /Tél\. ([+\d ]+\d)/.exec(a5)?.[1],
      fax: /Fax ([+\d ]+\d)/.exec(a5)?.[1],
      web: /<(http[^>]+)>/.exec(a5)?.[1],
    };
    for (const [k, v] of Object.entries(cnil)) {
      expect(v, `annex CNIL ${k}`).toBeTruthy();
      expect(n5, `notice CNIL ${k}`).toContain(v);
    }
    expect(n5).toContain('Le Client exerce ces droits');
    expect(n5).toContain("délai d'un mois");
  });

  it('D2 D3 carries the date of the version', () => {
    const date = /Mise à jour du (\d+ \w+ \d{4})/.exec(ANNEX)?.[1] ?? '';
    expect(date).toBe('20 juin 2018');
    expect(fr).toContain(`Mise à jour du ${date}`);
    expect(fr).toContain(policy.version.shortHash);
  });

  it('D2 reads as sentences, not as the policy file', () => {
    // No raw policy values: ids, ISO durations, booleans.
    expect(fr).not.toMatch(/\bP\d+[YMD]\b|\bcrm\b|\bfile_sharing\b|legitimate_interest|\btrue\b|collection_or_last_contact/);
    expect(en).not.toMatch(/\bP\d+[YMD]\b|\bcrm\b|\bfile_sharing\b|legitimate_interest|\btrue\b|collection_or_last_contact/);
    // Lists are joined with "et" / "and".
    expect(fr).toContain('« Réalisation d\'opérations de prospection commerciale » et « Cession, location ou échange de fichier client »');
  });
});

describe('the English notice is a faithful translation (D2)', () => {
  it('D2 carries the same facts in English', () => {
    for (const p of policy.purposes) expect(en).toContain(p.name.en);
    for (const fact of [
      'GDPR Art. 6(1)(b)', 'GDPR Art. 6(1)(f)', 'GDPR Art. 6(1)(a)', 'GDPR Art. 6(1)(c)', 'GDPR Art. 28',
      'three years', 'five years', '12 months', 'ten years', 'for the whole contractual relationship', 'for the whole service',
      'returned to the client and then destroyed', 'may contact the client again', 'within the European Union',
      'Right of access', 'Right to rectification', 'Right to erasure', 'Right to restriction of processing', 'Right to data portability',
      'Right to object', 'Right to lodge a complaint', '8 rue Vivienne', 'CS 30223', 'F-75002 Paris Cedex 02', '+33 1 53 73 22 22',
      '+33 1 53 73 22 00', 'http://www.cnil.fr/', 'Last updated 20 June 2018', 'marketing', 'court officers', 'bailiffs',
      "subsidiary's staff", "subcontractors' staff", 'managers', 'Without it, CERTILIENCE cannot enter into a contract',
    ]) {
      expect(en, fact).toContain(fact);
    }
    // Same structure: five articles, same number of list items.
    const count = (s: string, re: RegExp): number => s.match(re)?.length ?? 0;
    expect(count(en, /Article \d –/g)).toBe(count(fr, /Article \d –/g));
    const model = (lang: 'fr' | 'en') => buildNotice(policy, lang).blocks.map((b) => (b.kind === 'list' ? b.items.length : b.kind));
    expect(model('en')).toEqual(model('fr'));
  });
});

describe('the notice is composed from the policy (D2)', () => {
  it('D2 a change of a retention period changes the sentence, in words', async () => {
    const text = await readFile(DEFAULT_POLICY_FILE, 'utf8');
    const changed = text.replace(/(- id: prospecting\n {4}name:[\s\S]*?active: )P3Y/, '$1P2Y');
    expect(changed).not.toBe(text);
    const p2 = parsePolicy(changed, 'changed.yaml');
    const notice = flat((await renderNotice(p2, { lang: 'fr', format: 'md' })) as string);
    expect(section(notice, 4)).toContain('« Réalisation d\'opérations de prospection commerciale » sont conservées pendant une durée de deux ans');
    // File exchange keeps three years, so it is no longer grouped with prospecting.
    expect(section(notice, 4)).toContain('« Cession, location ou échange de fichier client » sont conservées pendant une durée de trois ans');
  });

  it('D2 durations are told in words, months under two years', () => {
    expect(durationInWords('P3Y', 'fr')).toBe('trois ans');
    expect(durationInWords('P1Y', 'fr')).toBe('12 mois');
    expect(durationInWords('P12M', 'en')).toBe('12 months');
    expect(durationInWords('P10Y', 'en')).toBe('ten years');
    expect(durationInWords('P18M', 'fr')).toBe('18 mois');
    expect(durationInWords('P2Y6M', 'fr')).toBe('deux ans et six mois');
    expect(durationInWords('P30D', 'en')).toBe('30 days');
  });

  it('D2 HTML escapes policy text and declares its language', async () => {
    const text = await readFile(DEFAULT_POLICY_FILE, 'utf8');
    const p2 = parsePolicy(text.replace('name: CERTILIENCE', 'name: "CERTI<script>"'), 'x.yaml');
    const html = (await renderNotice(p2, { lang: 'en', format: 'html' })) as string;
    expect(html).toContain('<html lang="en">');
    expect(html).toContain('CERTI&lt;script&gt;');
    expect(html).not.toContain('<script>');
    expect(html).toContain('<a href="http://www.cnil.fr/">');
  });
});

describe('the notice as PDF (D2)', () => {
  it('D2 renders a PDF whose text carries the facts', async () => {
    const pdf = (await renderNotice(policy, { lang: 'fr', format: 'pdf' })) as Buffer;
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    const { text } = await extractText(await getDocumentProxy(new Uint8Array(pdf)), { mergePages: true });
    const t = text.replace(/\s+/g, ' ');
    for (const fact of ['Gestion de la relation client', 'trois ans', '12 mois', 'dix ans', '8 rue Vivienne', 'CS 30223', '+33 1 53 73 22 22', "Droit d'opposition", 'Mise à jour du 20 juin 2018', "au sein de l'Union européenne"]) {
      expect(t, fact).toContain(fact);
    }
    // Same policy, same bytes: the creation date is the version's.
    const again = (await renderNotice(policy, { lang: 'fr', format: 'pdf' })) as Buffer;
    expect(again.equals(pdf)).toBe(true);
  });
});

it('D2 the document model has no empty paragraph', () => {
  for (const lang of ['fr', 'en'] as const) {
    for (const b of buildNotice(policy, lang).blocks) if (b.kind === 'paragraph') expect(plain(b.text).trim()).not.toBe('');
  }
});
