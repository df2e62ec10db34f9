/**
 * Branded PDFs with pdfkit: title and language set (PDF/UA-friendly metadata), the label's name
 * and colour in the header, page numbers in the footer, and a table that repeats its header row
 * on every page. Streams: pipe the document to the response, never buffer whole reports.
 */
import PDFDocument from 'pdfkit';

export interface PdfBrand {
  name: string;
  primaryColor: string;
  locale: string;
  supportEmail?: string | null;
  supportPhone?: string | null;
}

export type Pdf = InstanceType<typeof PDFDocument>;

const MARGIN = 50;

export function createBrandedPdf(opts: {
  title: string;
  brand: PdfBrand;
  subject?: string;
  landscape?: boolean;
}): Pdf {
  const doc = new PDFDocument({
    size: 'LETTER',
    layout: opts.landscape ? 'landscape' : 'portrait',
    margins: { top: MARGIN + 30, bottom: MARGIN + 20, left: MARGIN, right: MARGIN },
    bufferPages: false,
    lang: opts.brand.locale,
    displayTitle: true,
    pdfVersion: '1.7',
    tagged: true,
    info: {
      Title: opts.title,
      Author: opts.brand.name,
      Subject: opts.subject ?? opts.title,
      Creator: 'Customer Portal',
    },
  });
  let page = 0;
  const header = (): void => {
    page++;
    const { width, height } = doc.page;
    const saveY = doc.y;
    doc.save();
    doc.rect(0, 0, width, 40).fill(opts.brand.primaryColor);
    doc
      .fillColor('#ffffff')
      .font('Helvetica-Bold')
      .fontSize(13)
      .text(opts.brand.name, MARGIN, 13, { lineBreak: false });
    doc.fillColor('#505a5f').font('Helvetica').fontSize(8);
    const contact = [opts.brand.supportPhone, opts.brand.supportEmail].filter(Boolean).join(' · ');
    // The footer sits inside the bottom margin: lift the margin while writing it, or pdfkit
    // would start a new page for it (whose header would start another, without end).
    const bottom = doc.page.margins.bottom;
    doc.page.margins.bottom = 0;
    doc.text(`${opts.title} — page ${page}${contact ? ` — ${contact}` : ''}`, MARGIN, height - MARGIN, {
      width: width - 2 * MARGIN,
      align: 'center',
      lineBreak: false,
    });
    doc.page.margins.bottom = bottom;
    doc.restore();
    doc.fillColor('#1b1b1b').font('Helvetica').fontSize(10);
    doc.x = MARGIN;
    doc.y = page === 1 ? MARGIN + 30 : Math.max(saveY, MARGIN + 30);
  };
  doc.on('pageAdded', header);
  header();
  doc.font('Helvetica-Bold').fontSize(18).text(opts.title);
  doc.moveDown(0.5).font('Helvetica').fontSize(10);
  return doc;
}

export interface PdfColumn {
  header: string;
  width: number;
  align?: 'left' | 'right';
}

/** Draws rows as a table; the header row is drawn again on each new page. */
export function pdfTable(doc: Pdf, columns: PdfColumn[], rows: Iterable<string[]>, footer?: string[]): void {
  const left = doc.page.margins.left;
  const drawRow = (cells: string[], bold: boolean): void => {
    const y = doc.y;
    doc.font(bold ? 'Helvetica-Bold' : 'Helvetica').fontSize(9);
    let x = left;
    let h = 0;
    cells.forEach((c, i) => {
      const col = columns[i]!;
      h = Math.max(h, doc.heightOfString(c, { width: col.width - 6 }));
    });
    if (y + h + 6 > doc.page.height - doc.page.margins.bottom) {
      doc.addPage();
      drawHeader();
      return drawRow(cells, bold);
    }
    cells.forEach((c, i) => {
      const col = columns[i]!;
      doc.text(c, x + 3, y + 3, { width: col.width - 6, align: col.align ?? 'left' });
      x += col.width;
    });
    doc.y = y + h + 6;
    doc.moveTo(left, doc.y).lineTo(x, doc.y).lineWidth(0.5).strokeColor('#b1b4b6').stroke();
  };
  const drawHeader = (): void =>
    drawRow(
      columns.map((c) => c.header),
      true,
    );
  drawHeader();
  for (const r of rows) drawRow(r, false);
  if (footer) drawRow(footer, true);
  doc.x = left;
}
