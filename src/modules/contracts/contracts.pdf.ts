/** The payment schedule as a branded PDF. */
import { createBrandedPdf, pdfTable, type Pdf } from '../../lib/pdf.ts';
import { formatMoney } from '../../lib/money.ts';
import { viewHelpers } from '../../http/views.ts';
import type { Label } from '../../http/types.ts';
import type { ContractRow } from './contracts.repository.ts';
import type { ScheduleView } from './contracts.service.ts';
import { PRODUCT_LABELS } from './contracts.schemas.ts';

export function schedulePdf(
  c: ContractRow,
  s: ScheduleView,
  label: Label,
  customer: { name: string; number: string },
): Pdf {
  const loc = label.locale;
  const m = (minor: number): string => formatMoney(minor, c.currency, loc);
  const doc = createBrandedPdf({ title: `Payment schedule ${c.number}`, brand: label });
  doc.text(`Customer: ${customer.name} (${customer.number})`);
  doc.text(`${PRODUCT_LABELS[c.product]}${c.description ? ` — ${c.description}` : ''}`);
  doc.text(
    `${viewHelpers.date(c.startDate, loc)} to ${viewHelpers.date(c.endDate, loc)}, ${s.periods} ${c.frequency} payments of ${m(c.periodicRentMinor)}`,
  );
  doc.moveDown();
  pdfTable(
    doc,
    [
      { header: 'No.', width: 40 },
      { header: 'Due date', width: 100 },
      { header: 'Rent', width: 90, align: 'right' },
      { header: 'Tax', width: 80, align: 'right' },
      { header: 'Total', width: 100, align: 'right' },
      { header: 'Status', width: 102 },
    ],
    s.lines.map((l) => [
      String(l.seq),
      viewHelpers.date(l.dueDate, loc),
      m(l.rentMinor),
      m(l.taxMinor),
      m(l.totalMinor),
      viewHelpers.humanize(l.status),
    ]),
    ['', 'Totals', m(s.totals.rentMinor), m(s.totals.taxMinor), m(s.totals.totalMinor), ''],
  );
  return doc;
}
