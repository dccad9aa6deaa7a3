import PDFDocument from 'pdfkit';
import type { AccessExport } from './access-export.js';
import type { ExportValue } from './collect.js';
import { pick, TEXT } from './texts.js';

/** A stored value on one line of text: nested lists and objects flattened. */
function valueText(value: ExportValue, empty: string): string {
  if (value === null) return empty;
  if (Array.isArray(value)) return value.length === 0 ? empty : value.map((v: ExportValue) => valueText(v, empty)).join(' | ');
  if (typeof value === 'object') {
    return Object.entries(value as { readonly [key: string]: ExportValue })
      .map(([k, v]) => `${k}: ${valueText(v, empty)}`)
      .join(', ');
  }
  return String(value);
}

/**
 * The access export as a PDF in the person's language (GDPR Art. 15(3), 12(1)), with
 * the standard PDF fonts only: nothing is downloaded or embedded at run time. The same
 * content as the HTML document; the JSON file stays the complete, exact copy.
 */
export function renderAccessPdf(exp: AccessExport): Promise<Buffer> {
  const lang = exp.language;
  const t = (k: keyof typeof TEXT): string => pick(TEXT[k], lang);
  const empty = pick(TEXT.notProvided, lang);
  const ctx = exp.context;
  const doc = new PDFDocument({
    size: 'A4',
    margin: 50,
    info: { Title: t('title'), Producer: 'Rempart', CreationDate: new Date(exp.generatedAt) },
    lang,
  });
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });

  const h1 = (s: string): void => {
    doc.font('Helvetica-Bold').fontSize(18).text(s).moveDown(0.5);
  };
  const h2 = (s: string): void => {
    doc.moveDown(0.8).font('Helvetica-Bold').fontSize(14).fillColor('#00458a').text(s).fillColor('black').moveDown(0.3);
  };
  const h3 = (s: string): void => {
    doc.moveDown(0.4).font('Helvetica-Bold').fontSize(11).text(s);
  };
  const p = (s: string): void => {
    doc.font('Helvetica').fontSize(10).text(s).moveDown(0.2);
  };
  const item = (label: string, s: string): void => {
    doc.font('Helvetica-Bold').fontSize(9).text(`${label}: `, { continued: true }).font('Helvetica').text(s);
  };

  h1(t('title'));
  p(t('intro'));
  p(`${t('generatedAt')} ${exp.generatedAt} · ${t('policyVersion')} ${exp.policyVersion.label ?? exp.policyVersion.effectiveDate} (${exp.policyVersion.hash.slice(0, 12)})`);

  h2(t('controller'));
  p([ctx.controller.name, ctx.controller.address, ctx.controller.email].filter((s) => s !== '').join(', '));

  h2(t('person'));
  for (const n of exp.person.names) p(n);
  for (const m of exp.person.emails) p(m);
  p(`${t('records')}: ${exp.person.ids.join(', ')}`);

  h2(t('yourData'));
  for (const [table, rows] of Object.entries(exp.data)) {
    if (rows.length === 0) continue;
    const info = ctx.tables[table];
    h3(table);
    if (info) p(info.description);
    rows.forEach((row, i) => {
      doc.font('Helvetica-Oblique').fontSize(9).text(`${t('row')} ${i + 1}`);
      for (const [column, value] of Object.entries(row)) {
        const f = info?.fields[column];
        const category = f?.category ? ` [${f.category.label}]` : '';
        item(column, `${valueText(value, empty)}${category}`);
      }
      doc.moveDown(0.3);
    });
  }

  if (ctx.sources.length > 0) {
    h2(t('sources'));
    p(t('sourcesIntro'));
    for (const s of ctx.sources) p(`${s.table} ${s.recordId ?? ''}: ${Object.entries(s.values).map(([k, v]) => `${k}: ${valueText(v, empty)}`).join('; ')}`);
  }

  h2(t('purposesAndBases'));
  for (const pc of ctx.purposes) {
    h3(pc.name);
    p(pc.description);
    item(t('role'), pc.role.label);
    item(t('legalBases'), pc.legalBases.map((b) => b.label).join('; '));
    if (pc.legitimateInterest) item(t('legitimateInterest'), pc.legitimateInterest);
    item(t('categories'), pc.categories.map((x) => x.label).join('; '));
    item(t('recipients'), pc.recipients.map((x) => x.label).join('; '));
    item(t('retention'), [pc.retention.summary, pc.retention.notes ?? ''].filter((s) => s !== '').join(' '));
    for (const h of pc.retention.holds) item(t('holds'), `${h.records.join(', ')}: ${h.durationLabel} (${h.basis})`);
    item(t('locations'), pc.locations.map((l) => `${l.name} (${l.country})`).join('; '));
  }

  h2(t('transfers'));
  p(ctx.transfers.statement);
  for (const x of ctx.transfers.outsideEea) p(`${x.name} (${x.country}): ${x.safeguard ?? ''}`);
  p(ctx.automatedDecisions);

  h2(t('rights'));
  for (const r of ctx.rights) item(`${r.label} (${r.article})`, r.description);
  p(ctx.howToExercise);

  h2(t('complaint'));
  const k = ctx.complaint;
  p(k.statement);
  p(`${k.authority} — ${k.fullName}`);
  item(t('address'), k.address);
  item(t('phone'), k.phone);
  item(t('fax'), k.fax);
  item(t('website'), k.website);

  doc.end();
  return done;
}
