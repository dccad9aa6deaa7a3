import type { AccessExport } from './access-export.js';
import { renderAccessHtml } from './access-html.js';
import { renderAccessPdf } from './access-pdf.js';
import { packArchive, type ArchiveFile } from './zip.js';

/** The readable formats an access export can also be delivered in; JSON and HTML are always there. */
export type AccessFormat = 'json' | 'html' | 'pdf';

/** True when `text` names an access format. */
export function isAccessFormat(text: string): text is AccessFormat {
  return text === 'json' || text === 'html' || text === 'pdf';
}

/**
 * The ZIP sent to the person (GDPR Art. 15(3)): `access.json` (the data, complete and
 * machine-readable), `access.html` (the same, readable, in their language), `access.pdf`
 * when asked, and `manifest.json` (each file's SHA-256, the time and the policy version).
 */
export async function writeAccessZip(exp: AccessExport, options: { readonly format: AccessFormat }): Promise<Buffer> {
  const files: ArchiveFile[] = [
    { name: 'access.json', content: `${JSON.stringify(exp, null, 2)}\n` },
    { name: 'access.html', content: renderAccessHtml(exp) },
  ];
  if (options.format === 'pdf') files.push({ name: 'access.pdf', content: await renderAccessPdf(exp) });
  return packArchive(files, { kind: 'access', generatedAt: exp.generatedAt, policyVersion: exp.policyVersion });
}
