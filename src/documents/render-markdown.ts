import { runs, type Block, type DocumentModel, type Inline } from './model.js';

/** Markdown-significant characters of plain text escaped, so that a policy text renders as written. */
function escapeMd(text: string): string {
  return text.replace(/([\\`*_[\]<>#|])/g, '\\$1');
}

function inline(text: Inline): string {
  return runs(text)
    .map((r) => (r.strong === true && r.text.trim() !== '' ? `**${escapeMd(r.text)}**` : escapeMd(r.text)))
    .join('');
}

function block(b: Block, colon: string): string {
  switch (b.kind) {
    case 'heading':
      return `${'#'.repeat(b.level + 1)} ${escapeMd(b.text)}`;
    case 'paragraph':
      return inline(b.text);
    case 'list':
      return b.items.map((i) => `- ${inline(i)}`).join('\n');
    case 'fields':
      return b.rows
        .map((r) => {
          const values = r.values;
          if (values.length <= 1) return `- **${escapeMd(r.label)}**${colon} ${inline(values[0] ?? '—')}`;
          return `- **${escapeMd(r.label)}**${colon}\n${values.map((v) => `  - ${inline(v)}`).join('\n')}`;
        })
        .join('\n');
  }
}

/** The document as Markdown (CommonMark): `#` title, `##`/`###` sections, lists. */
export function renderMarkdown(doc: DocumentModel): string {
  const head = [`# ${escapeMd(doc.title)}`, ...(doc.subtitle ? [`*${escapeMd(doc.subtitle)}*`] : [])];
  return `${[...head, ...doc.blocks.map((b) => block(b, doc.lang === 'fr' ? ' :' : ':'))].join('\n\n')}\n`;
}
