/**
 * Performance of the list pages at scale (issue 8, bench/README.md), for a fleet customer with
 * 5,000 contracts, 50,000 invoices, 30,000 payments and 20,000 assets:
 *
 * - invoices_scope_sums: the list's count and sums (per currency) from the index alone; with
 *   the id, the contract list's overdue amounts read the overdue invoices from it too.
 * - contracts_scope_number: the contract list in number order, the customer's rows only
 *   (it walked the global number index, skipping other customers' contracts).
 * - contracts_scope_lower_number: a typed contract number (any case, whole or its start) found
 *   by the invoice and asset filters instead of a 5,000-option select.
 * - assets_scope_number: the asset list in number order.
 * - assets_search_trgm: the asset search (`ilike '%term%'` over seven columns) through trigrams
 *   of one text of those columns (pg_trgm; PGlite loads it in src/db/embedded.ts). The expression
 *   must stay identical to SEARCH_TEXT in src/modules/assets/assets.repository.ts.
 * - customers_name_trgm: the superuser's customer search by a word of the name
 *   (`lower(name) like '% term%'`) without reading every customer.
 * - payments_scope_list_date: the payment history's date order (settled, else scheduled, else
 *   made; UTC dates so that the expression is immutable). Must stay identical to
 *   PAYMENT_LIST_DATE in src/modules/payments/payments.repository.ts.
 */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`create extension if not exists pg_trgm;`);
  await knex.raw(`
    create index if not exists invoices_scope_sums on invoices (customer_id, private_label_id, status, due_date)
      include (id, currency, total_minor, balance_minor);
  `);
  await knex.raw(`
    create index if not exists contracts_scope_number on contracts (customer_id, private_label_id, number);
  `);
  await knex.raw(`
    create index if not exists contracts_scope_lower_number
      on contracts (customer_id, private_label_id, lower(number) text_pattern_ops);
  `);
  await knex.raw(`
    create index if not exists assets_scope_number on assets (customer_id, private_label_id, number);
  `);
  await knex.raw(`
    create index if not exists assets_search_trgm on assets using gin (
      (number || ' ' || coalesce(serial_number, '') || ' ' || coalesce(vin, '') || ' ' || coalesce(make, '')
        || ' ' || coalesce(model, '') || ' ' || description) gin_trgm_ops);
  `);
  await knex.raw(`
    create index if not exists customers_name_trgm on customers using gin (lower(name) gin_trgm_ops);
  `);
  await knex.raw(`
    create index if not exists payments_scope_list_date on payments (customer_id, private_label_id,
      coalesce((settled_at at time zone 'UTC')::date, scheduled_for, (initiated_at at time zone 'UTC')::date) desc,
      id desc);
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    drop index if exists payments_scope_list_date;
    drop index if exists customers_name_trgm;
    drop index if exists assets_search_trgm;
    drop index if exists assets_scope_number;
    drop index if exists contracts_scope_lower_number;
    drop index if exists contracts_scope_number;
    drop index if exists invoices_scope_sums;
  `);
}
