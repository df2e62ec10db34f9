/** A payoff quote as a branded PDF: its lines, total, payoff date and validity. */
import { createBrandedPdf, pdfTable, type Pdf } from '../../lib/pdf.ts';
import { formatMoney } from '../../lib/money.ts';
import { viewHelpers } from '../../http/views.ts';
import type { Label } from '../../http/types.ts';
import type { QuoteRow } from './payoff-quotes.service.ts';

export function quotePdf(q: QuoteRow, label: Label, customer: { name: string; number: string }): Pdf {
  const loc = label.locale;
  const m = (minor: number): string => formatMoney(minor, q.currency, loc);
  const t = q.breakdown.paydown;
  const doc = createBrandedPdf({
    title: `${t ? 'Principal paydown quote' : 'Payoff quote'} ${q.number}`,
    brand: label,
  });
  doc.text(`Customer: ${customer.name} (${customer.number})`);
  doc.text(
    `Contract: ${q.contractNumber}${q.scope === 'assets' ? ` (${q.assetIds.length} selected assets)` : ' (whole contract)'}`,
  );
  doc.text(
    `Quoted: ${viewHelpers.date(q.quoteDate, loc)}    Payoff date: ${viewHelpers.date(q.payoffDate, loc)}`,
  );
  doc.text(
    `Valid until: ${viewHelpers.date(q.validUntil, loc)}    Status: ${viewHelpers.humanize(q.status)}`,
  );
  doc.moveDown();
  pdfTable(
    doc,
    [
      { header: 'Item', width: 362 },
      { header: 'Amount', width: 150, align: 'right' },
    ],
    q.breakdown.lines.map((l) => [l.label, m(l.amountMinor)]),
    [t ? 'Total to pay' : 'Total to pay off', m(q.breakdown.totalMinor)],
  );
  if (t) {
    doc.moveDown().font('Helvetica').fontSize(10);
    doc.text(
      `After the paydown: principal ${m(t.principalBefore)} less ${m(t.paydown)} leaves ${m(t.principalAfter)}.`,
    );
    doc.text(
      t.keep === 'term'
        ? `New instalment ${m(t.instalmentAfter)} (was ${m(t.instalmentBefore)}), ${t.instalmentsAfter} instalments left, as before.`
        : `New term: ${t.instalmentsAfter} instalments left (was ${t.instalmentsLeft}), of ${m(t.instalmentBefore)} as before; the last may be smaller.`,
    );
  }
  doc.moveDown().font('Helvetica').fontSize(9);
  doc.text(
    'This quote is good through the payoff date shown. A payment or charge posted after it was issued, or payment after the valid-until date, changes the amount; ask for a new quote.',
  );
  return doc;
}
