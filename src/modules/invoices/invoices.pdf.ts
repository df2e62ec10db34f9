/** The invoice as a branded PDF (title and language set by createBrandedPdf). */
import { createBrandedPdf, pdfTable, type Pdf } from '../../lib/pdf.ts';
import { formatMoney } from '../../lib/money.ts';
import { viewHelpers } from '../../http/views.ts';
import type { Label } from '../../http/types.ts';
import type { InvoiceDetail } from './invoices.service.ts';

export function invoicePdf(d: InvoiceDetail, label: Label, customer: { name: string; number: string }): Pdf {
  const inv = d.invoice;
  const loc = label.locale;
  const m = (minor: number): string => formatMoney(minor, inv.currency, loc);
  const doc = createBrandedPdf({ title: `Invoice ${inv.number}`, brand: label });
  doc.text(`Customer: ${customer.name} (${customer.number})`);
  doc.text(`Issued: ${viewHelpers.date(inv.issueDate, loc)}    Due: ${viewHelpers.date(inv.dueDate, loc)}`);
  doc.text(`Status: ${viewHelpers.humanize(inv.status)}${d.overdue ? ' (overdue)' : ''}`);
  doc.moveDown();
  for (const g of d.groups) {
    doc
      .font('Helvetica-Bold')
      .fontSize(12)
      .text(g.contractNumber ? `Contract ${g.contractNumber}` : 'Other charges');
    doc.moveDown(0.3);
    pdfTable(
      doc,
      [
        { header: 'Charge', width: 120 },
        { header: 'Description', width: 262 },
        { header: 'Amount', width: 130, align: 'right' },
      ],
      g.lines.map((l) => [viewHelpers.humanize(l.kind), l.description, m(l.amountMinor)]),
      ['Subtotal', '', m(g.subtotalMinor)],
    );
    doc.moveDown();
  }
  doc
    .font('Helvetica-Bold')
    .fontSize(11)
    .text(`Invoice total: ${m(inv.totalMinor)}`);
  const settled = d.payments.filter((p) => p.status === 'settled');
  if (settled.length) {
    doc.moveDown(0.5).font('Helvetica').fontSize(10);
    for (const p of settled)
      doc.text(`Payment ${p.paymentId} settled ${viewHelpers.date(p.settledAt, loc)}: ${m(p.amountMinor)}`);
  }
  doc
    .moveDown(0.5)
    .font('Helvetica-Bold')
    .fontSize(12)
    .text(`Balance due: ${m(inv.balanceMinor)}`);
  return doc;
}
