/**
 * `/contracts`, `/contracts/:id`, `/contracts/:id/schedule` (+ `.csv`, `.pdf`).
 * Mounted behind requireAuth, requireCustomer and contracts.view.
 */
import { Router } from 'express';
import { stringify } from 'csv-stringify/sync';
import type { Deps } from '../../container.ts';
import { pageHref } from '../../http/pagination.ts';
import { minorDigits } from '../../lib/money.ts';
import { schedulePdf } from './contracts.pdf.ts';
import {
  CONTRACT_STATUSES,
  PRODUCTS,
  PRODUCT_LABELS,
  SORT_LABELS,
  contractListQuery,
  idParam,
} from './contracts.schemas.ts';

const PAGE_SIZE = 20;

/** Money in minor units as a plain decimal for spreadsheets ("1234.50"), never localised. */
function plainAmount(minor: number, digits: number): string {
  const sign = minor < 0 ? '-' : '';
  const abs = Math.abs(minor);
  if (digits === 0) return `${sign}${abs}`;
  const unit = 10 ** digits;
  return `${sign}${Math.floor(abs / unit)}.${String(abs % unit).padStart(digits, '0')}`;
}

export function contractsRoutes(deps: Deps): Router {
  const router = Router();

  router.get('/', async (req, res) => {
    const scope = res.locals.scope!;
    const query = contractListQuery.parse(req.query);
    const { page, intent, overdue, ...rest } = query;
    const result = await deps.contracts.list(scope, { ...rest, overdue }, page, PAGE_SIZE);
    const filtered = Boolean(rest.status || rest.product || overdue || rest.q);
    res.render('contracts/index', {
      title:
        intent === 'payoff'
          ? 'Choose a contract for a payoff quote'
          : filtered
            ? 'Contracts: filtered results'
            : 'Contracts',
      query,
      intent,
      filtered,
      result,
      statuses: CONTRACT_STATUSES,
      products: PRODUCTS,
      productLabels: PRODUCT_LABELS,
      sortLabels: SORT_LABELS,
      pageHref: (p: number) => pageHref('/contracts', { ...req.query }, p),
    });
  });

  router.get('/:id/schedule.csv', async (req, res) => {
    const scope = res.locals.scope!;
    const { contract: c, schedule } = await deps.contracts.schedule(scope, idParam(req.params.id));
    const digits = minorDigits(c.currency);
    const rows: string[][] = schedule.lines.map((l) => [
      String(l.seq),
      l.dueDate,
      plainAmount(l.rentMinor, digits),
      plainAmount(l.taxMinor, digits),
      plainAmount(l.totalMinor, digits),
      l.status,
      l.invoiceNumber ?? '',
    ]);
    rows.push([
      'Totals',
      '',
      plainAmount(schedule.totals.rentMinor, digits),
      plainAmount(schedule.totals.taxMinor, digits),
      plainAmount(schedule.totals.totalMinor, digits),
      '',
      '',
    ]);
    const csv = stringify(rows, {
      header: true,
      columns: [
        'Period',
        'Due date',
        `Rent (${c.currency})`,
        `Tax (${c.currency})`,
        `Total (${c.currency})`,
        'Status',
        'Invoice',
      ],
      // A cell starting with = + - @ would run as a formula in a spreadsheet.
      cast: { string: (v) => (/^[=+\-@\t\r]/.test(v) && !/^-?\d/.test(v) ? `'${v}` : v) },
    });
    res.setHeader('Content-Type', 'text/csv; charset=utf-8');
    res.setHeader('Content-Disposition', `attachment; filename="schedule-${c.number}.csv"`);
    res.send(csv);
  });

  router.get('/:id/schedule.pdf', async (req, res) => {
    const scope = res.locals.scope!;
    const { contract, schedule } = await deps.contracts.schedule(scope, idParam(req.params.id));
    res.setHeader('Content-Type', 'application/pdf');
    res.setHeader('Content-Disposition', `inline; filename="schedule-${contract.number}.pdf"`);
    const doc = schedulePdf(contract, schedule, scope.label, scope.customer);
    doc.pipe(res);
    doc.end();
  });

  router.get('/:id/schedule', async (req, res) => {
    const scope = res.locals.scope!;
    const { contract, schedule } = await deps.contracts.schedule(scope, idParam(req.params.id));
    res.render('contracts/schedule', {
      title: `Payment schedule for ${contract.number}`,
      contract,
      schedule,
      productLabels: PRODUCT_LABELS,
    });
  });

  router.get('/:id', async (req, res) => {
    const scope = res.locals.scope!;
    const d = await deps.contracts.detail(scope, idParam(req.params.id));
    res.render('contracts/show', {
      title: `Contract ${d.contract.number}`,
      ...d,
      productLabels: PRODUCT_LABELS,
      today: scope.today,
    });
  });

  return router;
}
