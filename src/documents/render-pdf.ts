import PDFDocument from 'pdfkit';
import { runs, type Block, type DocumentModel, type Inline } from './model.js';

/** Options of a rendered PDF. */
export interface PdfOptions {
  /** The PDF's creation date; passed in so that the same input gives the same file. */
  readonly createdAt: Date;
}

/**
 * The document as an A4 PDF with the standard PDF fonts only (nothing downloaded or
 * embedded at run time), like the access export (src/rights/export/access-pdf.ts).
 */
export function renderPdf(doc: DocumentModel, options: PdfOptions): Promise<Buffer> {
  const pdf = new PDFDocument({
    size: 'A4',
    margin: 56,
    info: { Title: doc.title, Producer: 'Rempart', Creator: 'Rempart', CreationDate: options.createdAt, ModDate: options.createdAt },
    lang: doc.lang,
  });
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    pdf.on('data', (c: Buffer) => chunks.push(c));
    pdf.on('end', () => resolve(Buffer.concat(chunks)));
    pdf.on('error', reject);
  });

  const text = (t: Inline, size: number, options: PDFKit.Mixins.TextOptions = {}): void => {
    const parts = runs(t);
    parts.forEach((r, i) => {
      pdf
        .font(r.strong === true ? 'Helvetica-Bold' : 'Helvetica')
        .fontSize(size)
        .text(r.text, { ...options, continued: i < parts.length - 1 });
    });
  };

  const block = (b: Block): void => {
    switch (b.kind) {
      case 'heading': {
        const size = b.level === 1 ? 14 : b.level === 2 ? 12 : 11;
        pdf.moveDown(b.level === 1 ? 0.9 : 0.6).font('Helvetica-Bold').fontSize(size).fillColor(b.level === 1 ? '#00458a' : 'black').text(b.text);
        pdf.fillColor('black').moveDown(0.3);
        return;
      }
      case 'paragraph':
        text(b.text, 10, { align: 'justify' });
        pdf.moveDown(0.4);
        return;
      case 'list':
        for (const item of b.items) {
          text([{ text: '•  ' }, ...runs(item)], 10, { indent: 10, align: 'left' });
          pdf.moveDown(0.15);
        }
        pdf.moveDown(0.3);
        return;
      case 'fields':
        for (const row of b.rows) {
          pdf.font('Helvetica-Bold').fontSize(9.5).text(row.label);
          if (row.values.length === 0) text('—', 9.5, { indent: 12 });
          for (const v of row.values) text(row.values.length > 1 ? [{ text: '– ' }, ...runs(v)] : v, 9.5, { indent: 12 });
          pdf.moveDown(0.2);
        }
        pdf.moveDown(0.3);
        return;
    }
  };

  pdf.font('Helvetica-Bold').fontSize(17).text(doc.title, { align: 'center' });
  if (doc.subtitle) pdf.moveDown(0.3).font('Helvetica-Oblique').fontSize(10).text(doc.subtitle, { align: 'center' });
  pdf.moveDown(0.6);
  doc.blocks.forEach(block);
  pdf.end();
  return done;
}
