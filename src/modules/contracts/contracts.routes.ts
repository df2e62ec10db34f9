/**
 * `/contracts`, `/contracts/:id`, `/contracts/:id/schedule` (+ `.csv`, `.pdf`).
 * Mounted behind requireAuth, requireCustomer and contracts.view.
 */
import { Router } from 'express';
import { stringify } from 'csv-stringify/sync';
import type { Deps } from '../../container.ts';
import { pageHref } from '../../http/pagination.ts';
import { amount, csvRow, type Cell } from '../../lib/csv-cell.ts';
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
    const money = (minor: number) => amount(minor, c.currency);
    // Typed cells through the one formula guard (src/lib/csv-cell.ts): periods and amounts leave
    // as numbers; text (status, invoice number) is neutralised if it could start a formula.
    const rows: Cell[][] = schedule.lines.map((l) => [
      l.seq,
      l.dueDate,
      money(l.rentMinor),
      money(l.taxMinor),
      money(l.totalMinor),
      l.status,
      l.invoiceNumber,
    ]);
    rows.push([
      'Totals',
      '',
      money(schedule.totals.rentMinor),
      money(schedule.totals.taxMinor),
      money(schedule.totals.totalMinor),
      '',
      '',
    ]);
    const header = [
      'Period',
      'Due date',
      `Rent (${c.currency})`,
      `Tax (${c.currency})`,
      `Total (${c.currency})`,
      'Status',
      'Invoice',
    ];
    const csv = stringify([header, ...rows].map(csvRow));
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
