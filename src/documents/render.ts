/** The notice and the register in each output format. */
import type { LoadedPolicy } from '../policy/index.js';
import type { DocumentModel } from './model.js';
import { buildNotice } from './notice.js';
import { buildRegister, type ProcessorClient } from './register.js';
import { registerDocument } from './register-document.js';
import { registerJsonLd } from './register-jsonld.js';
import { renderHtml } from './render-html.js';
import { renderMarkdown } from './render-markdown.js';
import { renderPdf } from './render-pdf.js';
import type { Lang } from './words.js';

/** Formats of the notice. */
export const NOTICE_FORMATS = ['md', 'html', 'pdf'] as const;
/** A format of the notice. */
export type NoticeFormat = (typeof NOTICE_FORMATS)[number];
/** Formats of the register. */
export const REGISTER_FORMATS = ['md', 'html', 'pdf', 'json', 'jsonld'] as const;
/** A format of the register. */
export type RegisterFormat = (typeof REGISTER_FORMATS)[number];

/** Options of a rendered document. */
export interface RenderOptions<F extends string> {
  readonly lang: Lang;
  readonly format: F;
}

/** A PDF's creation date: the version's effective date, so that one policy always gives the same file. */
function pdfDate(policy: LoadedPolicy): Date {
  return new Date(`${policy.version.effectiveDate}T00:00:00Z`);
}

async function render(doc: DocumentModel, format: NoticeFormat, policy: LoadedPolicy): Promise<string | Buffer> {
  switch (format) {
    case 'md':
      return renderMarkdown(doc);
    case 'html':
      return renderHtml(doc);
    case 'pdf':
      return renderPdf(doc, { createdAt: pdfDate(policy) });
  }
}

/** The notice (D2) in a language and format: text for md and html, bytes for pdf. */
export async function renderNotice(policy: LoadedPolicy, options: RenderOptions<NoticeFormat>): Promise<string | Buffer> {
  return render(buildNotice(policy, options.lang), options.format, policy);
}

/** The register (D1) in a language and format; `clients` are the processor activity's clients when known. */
export async function renderRegister(
  policy: LoadedPolicy,
  options: RenderOptions<RegisterFormat> & { readonly clients?: readonly ProcessorClient[] },
): Promise<string | Buffer> {
  const register = buildRegister(policy, { lang: options.lang, ...(options.clients ? { clients: options.clients } : {}) });
  switch (options.format) {
    case 'json':
      return `${JSON.stringify(register, null, 2)}\n`;
    case 'jsonld':
      return `${JSON.stringify(registerJsonLd(policy, register), null, 2)}\n`;
    default:
      return render(registerDocument(register), options.format, policy);
  }
}
