/**
 * Performance of the run-now reports at scale (issue 8, bench/README.md), for a fleet customer
 * with 5,000 contracts, 50,000 invoices, 30,000 payments and 20,000 assets. Each report's first
 * page reads its 25 rows in index order and its totals from indexes alone, instead of sorting
 * and joining the customer's whole book on every request:
 *
 * - report_asset_location(): the asset listing's location text ("City, Region, Country").
 *   concat_ws is only STABLE (it formats any type), so it cannot be indexed directly; on text
 *   it is immutable, which this wrapper says. The report selects and orders by this function.
 * - assets_report_location: the asset listing in location order, its totals from the index.
 * - contracts_report_sums: the contract summary's totals and the contracts' fingerprint (which
 *   says when kept totals are still right), from the index alone.
 * - invoices_report_open + invoice_lines_report: open invoices' lines (contract, amount) for the
 *   contract summary's open balances and the invoice aging, without visiting the tables.
 * - payments_report_initiated: the payment history by time made (paged and totalled by range).
 * - schedule_lines_report_due: upcoming payments in due-date order (first page without sorting
 *   every scheduled line of a fleet); schedule_lines_report_amounts: their totals per contract.
 */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    create or replace function report_asset_location(city text, region text, country text) returns text
      language sql immutable parallel safe
      as $$ select concat_ws(', ', nullif(city, ''), nullif(region, ''), country) $$;
  `);
  await knex.raw(`
    create index if not exists assets_report_location on assets (customer_id, private_label_id,
      report_asset_location(city, region, country), number, id) include (contract_id, status, currency, cost_minor);
  `);
  await knex.raw(`
    create index if not exists contracts_report_sums on contracts (customer_id, private_label_id)
      include (id, status, product, currency, periodic_rent_minor, financed_amount_minor, start_date, end_date,
        term_months);
  `);
  await knex.raw(`
    create index if not exists invoices_report_open on invoices (customer_id, private_label_id)
      include (id, due_date, currency, total_minor, balance_minor) where status in ('open', 'partially_paid');
  `);
  await knex.raw(`
    create index if not exists invoice_lines_report on invoice_lines (invoice_id) include (contract_id, amount_minor);
  `);
  await knex.raw(`
    create index if not exists payments_report_initiated on payments (customer_id, private_label_id, initiated_at, id)
      include (status, currency, amount_minor);
  `);
  await knex.raw(`
    create index if not exists schedule_lines_report_due on schedule_lines (due_date, id) include (contract_id);
  `);
  await knex.raw(`
    create index if not exists schedule_lines_report_amounts on schedule_lines (contract_id, due_date)
      include (rent_minor, tax_minor);
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    drop index if exists schedule_lines_report_amounts;
    drop index if exists schedule_lines_report_due;
    drop index if exists payments_report_initiated;
    drop index if exists invoice_lines_report;
    drop index if exists invoices_report_open;
    drop index if exists contracts_report_sums;
    drop index if exists assets_report_location;
    drop function if exists report_asset_location(text, text, text);
  `);
}
