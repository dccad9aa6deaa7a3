import type { AccessExport } from './access-export.js';
import type { ExportValue } from './collect.js';
import { pick, TEXT } from './texts.js';

/**
 * Escapes text for HTML element content and double-quoted attribute values. Every stored
 * value goes through it: a name such as `<script>` must show as text, never run (the
 * document is opened by the person, and by staff before it is sent). Apostrophes stay as
 * they are: no attribute here is single-quoted, and "l'Église" stays searchable.
 */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : '&quot;'));
}

const e = escapeHtml;

/** A stored value as HTML: scalars as escaped text, lists and objects nested. */
function valueHtml(value: ExportValue, empty: string): string {
  if (value === null) return `<span class="empty">${e(empty)}</span>`;
  if (Array.isArray(value)) {
    if (value.length === 0) return `<span class="empty">${e(empty)}</span>`;
    return `<ul>${value.map((v: ExportValue) => `<li>${valueHtml(v, empty)}</li>`).join('')}</ul>`;
  }
  if (typeof value === 'object') {
    const entries = Object.entries(value as { readonly [key: string]: ExportValue });
    return `<dl>${entries.map(([k, v]) => `<dt>${e(k)}</dt><dd>${valueHtml(v, empty)}</dd>`).join('')}</dl>`;
  }
  return e(String(value));
}

/** Only http(s) addresses become links; anything else stays text (no `javascript:` URL). */
function link(url: string): string {
  return /^https?:\/\//i.test(url) ? `<a href="${e(url)}">${e(url)}</a>` : e(url);
}

const STYLE = `
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1b1b1b;line-height:1.45}
h1{font-size:1.6rem}h2{margin-top:2.2rem;border-bottom:2px solid #00458a;padding-bottom:.2rem}h3{margin-top:1.6rem}
table{border-collapse:collapse;width:100%;margin:.5rem 0 1rem}th,td{border:1px solid #ccc;padding:.3rem .5rem;text-align:left;vertical-align:top}
th{background:#f2f4f7}.empty{color:#777}dl{margin:0}dt{font-weight:600}dd{margin:0 0 .3rem 1rem}ul{margin:0;padding-left:1.2rem}
.meta{color:#555}.authority{border:1px solid #00458a;padding:.8rem 1rem;border-radius:4px}
`;

/**
 * The access export as a readable HTML document in the person's language (GDPR Art. 12(1):
 * concise, intelligible, clear and plain language; Art. 15(3): a copy of the data).
 * Self-contained, with a Content-Security-Policy that forbids any script.
 */
export function renderAccessHtml(exp: AccessExport): string {
  const lang = exp.language;
  const t = (k: keyof typeof TEXT): string => e(pick(TEXT[k], lang));
  const ctx = exp.context;
  const out: string[] = [];
  out.push(
    '<!DOCTYPE html>',
    `<html lang="${lang}">`,
    '<head><meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${t('title')}</title><style>${STYLE}</style></head><body>`,
    `<h1>${t('title')}</h1>`,
    `<p>${t('intro')}</p>`,
    `<p class="meta">${t('generatedAt')} ${e(exp.generatedAt)} · ${t('policyVersion')} ${e(exp.policyVersion.label ?? exp.policyVersion.effectiveDate)} (${e(exp.policyVersion.hash.slice(0, 12))})</p>`,
  );

  // Who answers and who is concerned.
  const c = ctx.controller;
  out.push(`<h2>${t('controller')}</h2><p>${e(c.name)}${c.address ? `<br>${e(c.address)}` : ''}${c.email ? `<br>${e(c.email)}` : ''}</p>`);
  if (c.dpo.name || c.dpo.email) out.push(`<p>${t('dpo')}: ${e([c.dpo.name, c.dpo.email].filter((s) => s).join(', '))}</p>`);
  out.push(`<h2>${t('person')}</h2><ul>`);
  for (const n of exp.person.names) out.push(`<li>${e(n)}</li>`);
  for (const m of exp.person.emails) out.push(`<li>${e(m)}</li>`);
  out.push(`<li>${t('records')}: ${exp.person.ids.map(e).join(', ')}</li></ul>`);

  // The copy of the data (Art. 15(3)), table by table.
  out.push(`<h2>${t('yourData')}</h2>`);
  const empty = pick(TEXT.notProvided, lang);
  const tablesWithRows = Object.entries(exp.data).filter(([, rows]) => rows.length > 0);
  if (tablesWithRows.length === 0) out.push(`<p>${t('noData')}</p>`);
  // Purposes by their name in the person's language, not the policy's ids.
  const purposeName = new Map(ctx.purposes.map((p) => [String(p.id), p.name]));
  for (const [table, rows] of tablesWithRows) {
    const info = ctx.tables[table];
    out.push(`<section><h3>${e(table)}</h3>`);
    if (info) out.push(`<p>${e(info.description)}</p>`);
    rows.forEach((row, i) => {
      out.push(
        `<table><caption>${t('row')} ${i + 1}</caption><thead><tr><th>${t('field')}</th><th>${t('value')}</th><th>${t('category')}</th><th>${t('purposes')}</th><th>${t('provided')}</th></tr></thead><tbody>`,
      );
      for (const [column, value] of Object.entries(row)) {
        const f = info?.fields[column];
        out.push(
          `<tr><th scope="row">${e(column)}</th><td>${valueHtml(value, empty)}</td><td>${e(f?.category?.label ?? '')}</td><td>${e((f?.purposes ?? []).map((id) => purposeName.get(String(id)) ?? String(id)).join(', '))}</td><td>${f?.personal ? (f.provided ? t('yes') : t('no')) : ''}</td></tr>`,
        );
      }
      out.push('</tbody></table>');
    });
    out.push('</section>');
  }

  // Art. 14(2)(f), 15(1)(g): the source of data not collected from the person.
  if (ctx.sources.length > 0) {
    out.push(`<h2>${t('sources')}</h2><p>${t('sourcesIntro')}</p><ul>`);
    for (const s of ctx.sources) {
      const parts = Object.entries(s.values).map(([k, v]) => `${e(k)}: ${valueHtml(v, empty)}`);
      out.push(`<li>${e(s.table)}${s.recordId ? ` ${e(s.recordId)}` : ''} — ${parts.join('; ')}</li>`);
    }
    out.push('</ul>');
  }

  // Art. 15(1)(a)–(d): purposes, bases, categories, recipients, retention.
  out.push(`<h2>${t('purposesAndBases')}</h2>`);
  for (const p of ctx.purposes) {
    out.push(`<section><h3>${e(p.name)}</h3><p>${e(p.description)}</p><dl>`);
    out.push(`<dt>${t('role')}</dt><dd>${e(p.role.label)}</dd>`);
    out.push(`<dt>${t('legalBases')}</dt><dd><ul>${p.legalBases.map((b) => `<li>${e(b.label)}</li>`).join('')}</ul></dd>`);
    if (p.legitimateInterest) out.push(`<dt>${t('legitimateInterest')}</dt><dd>${e(p.legitimateInterest)}</dd>`);
    out.push(`<dt>${t('categories')}</dt><dd><ul>${p.categories.map((x) => `<li>${e(x.label)}</li>`).join('')}</ul></dd>`);
    out.push(`<dt>${t('recipients')}</dt><dd><ul>${p.recipients.map((x) => `<li>${e(x.label)}</li>`).join('')}</ul></dd>`);
    out.push(`<dt>${t('retention')}</dt><dd>${e(p.retention.summary)}${p.retention.notes ? `<br>${e(p.retention.notes)}` : ''}`);
    if (p.retention.holds.length > 0) {
      out.push(`<br>${t('holds')}: <ul>${p.retention.holds.map((h) => `<li>${e(h.records.join(', '))}: ${e(h.durationLabel)} (${e(h.basis)})</li>`).join('')}</ul>`);
    }
    out.push('</dd>');
    out.push(`<dt>${t('locations')}</dt><dd>${e(p.locations.map((l) => `${l.name} (${l.country})`).join('; '))}</dd>`);
    out.push('</dl></section>');
  }
  out.push(`<h3>${t('categories')}</h3><ul>${ctx.categories.map((x) => `<li>${e(x.label)}</li>`).join('')}</ul>`);
  out.push(`<h3>${t('recipients')}</h3><ul>${ctx.recipients.map((x) => `<li>${e(x.label)}</li>`).join('')}</ul>`);

  // Art. 15(2): transfers; Art. 15(1)(h): automated decisions.
  out.push(`<h2>${t('transfers')}</h2><p>${e(ctx.transfers.statement)}</p>`);
  if (ctx.transfers.outsideEea.length > 0) {
    out.push(`<ul>${ctx.transfers.outsideEea.map((x) => `<li>${e(x.name)} (${e(x.country)}): ${e(x.safeguard ?? '')}</li>`).join('')}</ul>`);
  }
  out.push(`<p>${e(ctx.automatedDecisions)}</p>`);

  // Art. 15(1)(e),(f): the rights and the complaint to the CNIL (P5.7).
  out.push(`<h2>${t('rights')}</h2><ul>`);
  for (const r of ctx.rights) out.push(`<li><strong>${e(r.label)}</strong> (${e(r.article)})${lang === 'fr' ? ' :' : ':'} ${e(r.description)}</li>`);
  out.push(`</ul><p>${e(ctx.howToExercise)}</p>`);
  const k = ctx.complaint;
  out.push(
    `<h2>${t('complaint')}</h2><div class="authority"><p>${e(k.statement)}</p>`,
    `<p><strong>${e(k.authority)}</strong> — ${e(k.fullName)}<br>${t('address')}: ${e(k.address)}<br>${t('phone')}: ${e(k.phone)}<br>${t('fax')}: ${e(k.fax)}<br>${t('website')}: ${link(k.website)}</p></div>`,
    '</body></html>',
  );
  return out.join('\n');
}
