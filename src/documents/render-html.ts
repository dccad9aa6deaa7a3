import { escapeHtml } from '../rights/export/access-html.js';
import { runs, type Block, type DocumentModel, type Inline } from './model.js';

const e = escapeHtml;

/** Only http(s) addresses become links; anything else stays text (no `javascript:` URL). */
function linkify(escaped: string): string {
  return escaped.replace(/\bhttps?:\/\/[^\s<>"]+[^\s<>".,;)]/g, (url) => `<a href="${url}">${url}</a>`);
}

function inline(text: Inline): string {
  return runs(text)
    .map((r) => (r.strong === true ? `<strong>${linkify(e(r.text))}</strong>` : linkify(e(r.text))))
    .join('');
}

function block(b: Block): string {
  switch (b.kind) {
    case 'heading':
      return `<h${b.level + 1}>${e(b.text)}</h${b.level + 1}>`;
    case 'paragraph':
      return `<p>${inline(b.text)}</p>`;
    case 'list':
      return `<ul>${b.items.map((i) => `<li>${inline(i)}</li>`).join('')}</ul>`;
    case 'fields':
      return `<dl>${b.rows
        .map((r) => {
          const dd = r.values.length === 0 ? '—' : r.values.length === 1 ? inline(r.values[0] ?? '') : `<ul>${r.values.map((v) => `<li>${inline(v)}</li>`).join('')}</ul>`;
          return `<dt>${e(r.label)}</dt><dd>${dd}</dd>`;
        })
        .join('')}</dl>`;
  }
}

const STYLE = `
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;max-width:50rem;margin:2rem auto;padding:0 1rem;color:#1b1b1b;line-height:1.5}
h1{font-size:1.6rem}h2{margin-top:2rem;border-bottom:2px solid #00458a;padding-bottom:.2rem;font-size:1.25rem}h3{margin-top:1.4rem;font-size:1.05rem}
.subtitle{color:#555;font-style:italic}dl{margin:.5rem 0 1rem}dt{font-weight:600;margin-top:.4rem}dd{margin:0 0 0 1rem}ul{padding-left:1.3rem}
`;

/** The document's content (title, subtitle, blocks) as HTML, every text escaped: the body of a page. */
export function renderHtmlBody(doc: DocumentModel): string {
  return [`<h1>${e(doc.title)}</h1>`, ...(doc.subtitle ? [`<p class="subtitle">${e(doc.subtitle)}</p>`] : []), ...doc.blocks.map(block)].join('\n');
}

/**
 * The document as a standalone HTML page, in its language (`<html lang>`), with every text
 * escaped. A file kept or sent on its own (`rempart notice --format html`, the register), so
 * its style is inline; the server's `/notice` uses the public layout instead (src/http/public-layout.ts).
 */
export function renderHtml(doc: DocumentModel): string {
  return [
    '<!doctype html>',
    `<html lang="${doc.lang}">`,
    '<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${e(doc.title)}</title><style>${STYLE}</style></head>`,
    '<body>',
    renderHtmlBody(doc),
    '</body></html>',
    '',
  ].join('\n');
}
