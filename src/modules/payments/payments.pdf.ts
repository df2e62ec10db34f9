/** A payment's receipt as a branded PDF. */
import { createBrandedPdf, pdfTable, type Pdf } from '../../lib/pdf.ts';
import { formatMoney } from '../../lib/money.ts';
import { viewHelpers } from '../../http/views.ts';
import type { Label } from '../../http/types.ts';
import type { AllocationRow, PaymentRow } from './payments.repository.ts';

/** A receipt is for money received: a settled payment. Scheduled, in-progress, failed or cancelled ones have none. */
export function hasReceipt(p: Pick<PaymentRow, 'status'>): boolean {
  return p.status === 'settled';
}

export function receiptPdf(
  p: PaymentRow,
  allocs: AllocationRow[],
  label: Label,
  customer: { name: string; number: string },
): Pdf {
  const loc = label.locale;
  const m = (minor: number): string => formatMoney(minor, p.currency, loc);
  const doc = createBrandedPdf({ title: `Payment receipt ${p.id}`, brand: label });
  const rows: [string, string][] = [
    ['Customer', `${customer.name} (${customer.number})`],
    ['Amount', m(p.amountMinor)],
    ['Status', viewHelpers.humanize(p.status)],
    ['Method', p.methodText ?? ''],
    ['Made', viewHelpers.dateTime(p.initiatedAt, label.timeZone, loc)],
  ];
  if (p.scheduledFor) rows.push(['Scheduled for', viewHelpers.date(p.scheduledFor, loc)]);
  if (p.settledAt) rows.push(['Settled', viewHelpers.dateTime(p.settledAt, label.timeZone, loc)]);
  if (p.failureReason) rows.push(['Failure', p.failureReason]);
  if (p.gatewayReference) rows.push(['Reference', p.gatewayReference]);
  for (const [k, v] of rows)
    doc.font('Helvetica-Bold').text(`${k}: `, { continued: true }).font('Helvetica').text(v);
  doc.moveDown();
  pdfTable(
    doc,
    [
      { header: 'Invoice', width: 170 },
      { header: 'Due', width: 170 },
      { header: 'Applied', width: 172, align: 'right' },
    ],
    allocs.map((a) => [a.invoiceNumber, viewHelpers.date(a.dueDate, loc), m(a.amountMinor)]),
    ['Total', '', m(p.amountMinor)],
  );
  return doc;
}
