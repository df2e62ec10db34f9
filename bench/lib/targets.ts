/**
 * What the bench asks for, picked with SQL on the loaded database: the customer (through its
 * user's e-mail), the label the portal serves on 127.0.0.1, a contract, a serial number, the
 * deep invoice page, and the report runs that give the CSV and PDF row counts closest to the
 * targets (counted with the reports module's own queries).
 */
import type { Knex } from 'knex';
import { createLabelsRepository } from '../../src/modules/labels/labels.repository.ts';
import { createLabelsService } from '../../src/modules/labels/labels.service.ts';
import { createClock } from '../../src/lib/clock.ts';
import { REPORTS, reportDef, type Filters } from '../../src/modules/reports/reports.definitions.ts';
import { createReportsRepository } from '../../src/modules/reports/reports.repository.ts';
import { PAGE_SIZE as INVOICE_PAGE_SIZE } from '../../src/modules/invoices/invoices.service.ts';

export interface Targets {
  customer: { id: number; number: string; name: string };
  label: { id: number; code: string };
  counts: Record<string, number>;
  contract: { id: number; number: string; scheduleLines: number };
  serial: string;
  deepPage: number;
  customerQuery: string;
}

export async function pickTargets(
  db: Knex,
  opts: { user: string; customerQuery: string | undefined; defaultLabel: string },
): Promise<Targets> {
  const user = (await db('users')
    .whereRaw('lower(email) = lower(?)', [opts.user])
    .first('id', 'customer_id', 'role')) as { id: number; customer_id: number | null } | undefined;
  if (!user?.customer_id) {
    throw new Error(`no customer user ${opts.user} in the database: run npm run bench:load first`);
  }
  const customer = (await db('customers')
    .where('id', user.customer_id)
    .first('id', 'number', 'name')) as Targets['customer'];
  const labels = createLabelsService(createLabelsRepository(db), createClock(), {
    publicUrl: undefined,
    port: 3000,
  });
  // The label the bench's requests (Host 127.0.0.1) are served under; unknown hosts have none.
  const label = await labels.forHost('127.0.0.1');
  if (!label) throw new Error('no label claims 127.0.0.1 in the database: run npm run bench:load first');
  const scope = { customer_id: customer.id, private_label_id: label.id };

  const count = async (table: string): Promise<number> =>
    Number(((await db(table).where(scope).count({ n: '*' }).first()) as { n: number | string }).n);
  const counts: Record<string, number> = {};
  for (const t of ['contracts', 'invoices', 'payments', 'assets']) counts[t] = await count(t);
  counts.schedule_lines = Number(
    (
      (await db('schedule_lines as l')
        .join('contracts as c', 'c.id', 'l.contract_id')
        .where({ 'c.customer_id': customer.id, 'c.private_label_id': label.id })
        .count({ n: '*' })
        .first()) as { n: number | string }
    ).n,
  );
  if (!counts.contracts) throw new Error(`${customer.name} has no contracts under label ${label.code}`);

  // The active contract with the longest schedule: the heaviest contract and schedule pages.
  const contract = (await db('contracts as c')
    .join('schedule_lines as l', 'l.contract_id', 'c.id')
    .where({ 'c.customer_id': customer.id, 'c.private_label_id': label.id })
    .orderByRaw("(c.status = 'active') desc")
    .orderByRaw('count(*) desc')
    .orderBy('c.id')
    .groupBy('c.id', 'c.number', 'c.status')
    .first('c.id', 'c.number', db.raw('count(*)::int as "scheduleLines"'))) as
    Targets['contract'] | undefined;
  if (!contract) throw new Error(`${customer.name} has no contract with a schedule`);

  // A serial number from the middle of the customer's assets.
  const serialRow = (await db('assets')
    .where(scope)
    .whereNotNull('serial_number')
    .orderBy('id')
    .offset(Math.floor((counts.assets ?? 0) / 2))
    .first('serial_number')) as { serial_number: string } | undefined;
  const serialFallback = (await db('assets')
    .where(scope)
    .whereNotNull('serial_number')
    .first('serial_number')) as { serial_number: string } | undefined;
  const serial = serialRow?.serial_number ?? serialFallback?.serial_number;
  if (!serial) throw new Error(`${customer.name} has no asset with a serial number`);

  const pages = Math.max(1, Math.ceil((counts.invoices ?? 0) / INVOICE_PAGE_SIZE));
  const customerQuery =
    opts.customerQuery ?? (customer.name.split(/\s+/)[0] ?? customer.name).toLowerCase().slice(0, 20);
  return {
    customer,
    label: { id: label.id, code: label.code },
    counts,
    contract,
    serial,
    deepPage: Math.min(200, pages),
    customerQuery,
  };
}

export interface ReportRun {
  type: string;
  filters: Filters;
  rows: number;
  /** Totals rows at the end of a CSV: one per currency. */
  currencies: number;
  /** The path of the run-now download, without ?format. */
  query: string;
}

/**
 * The run of a catalogue report whose row count is the smallest at or above `target` (or the
 * largest there is). Payment history and upcoming payments can be narrowed by date to come close.
 */
export async function pickReportRun(
  db: Knex,
  t: Targets,
  today: string,
  target: number,
): Promise<{ best: ReportRun; tried: ReportRun[] }> {
  const repo = createReportsRepository(db);
  const scope = { customerId: t.customer.id, labelId: t.label.id, today };
  const rowsOf = async (type: string, filters: Filters): Promise<[number, number]> => {
    const def = reportDef(type)!;
    const totals = await repo.totals(def, scope, def.filters.parse(filters));
    return [totals.reduce((s, x) => s + x.rows, 0), totals.length];
  };
  const tried: ReportRun[] = [];
  const add = async (type: string, filters: Filters): Promise<number> => {
    const [rows, currencies] = await rowsOf(type, filters);
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(filters)) if (v !== undefined) q.set(k, String(v));
    const qs = q.toString();
    tried.push({ type, filters, rows, currencies, query: `/reports/${type}${qs ? `?${qs}` : ''}` });
    return rows;
  };
  for (const def of REPORTS) if (def.type !== 'upcoming-payments') await add(def.type, {});
  // Upcoming payments: the fewest months ahead that reach the target.
  for (let months = 1; months <= 24; months++) {
    if ((await add('upcoming-payments', { months })) >= target) break;
  }
  // Payment history from the date that leaves about `target` payments.
  const payments = tried.find((r) => r.type === 'payment-history')?.rows ?? 0;
  if (payments > target) {
    const tz = (await db('private_labels').where('id', t.label.id).first('time_zone')) as {
      time_zone: string;
    };
    const row = (await db('payments')
      .where({ customer_id: t.customer.id, private_label_id: t.label.id })
      .orderBy('initiated_at', 'desc')
      .offset(target - 1)
      .first(db.raw("to_char(initiated_at at time zone ?, 'YYYY-MM-DD') as d", [tz.time_zone]))) as
      { d: string } | undefined;
    if (row) await add('payment-history', { from: row.d });
  }
  const atLeast = tried.filter((r) => r.rows >= target).sort((a, b) => a.rows - b.rows);
  const best = atLeast[0] ?? [...tried].sort((a, b) => b.rows - a.rows)[0]!;
  return { best, tried };
}
