/**
 * Performance at scale (issue 8, bench/README.md), second round.
 *
 * - The open-invoice list (and its overdue filter) pages in (due date, id) order from a partial
 *   index of open invoices with a balance: 20 index entries read instead of all of a fleet's
 *   6,000 open invoices sorted. It also carries Home's open-balance figures (balance and
 *   currency included), so it replaces invoices_open_cover.
 * - invoices_scope_status_due had the same key as invoices_scope_sums, which includes more.
 */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    create index if not exists invoices_open_page on invoices (customer_id, private_label_id, due_date, id)
      include (balance_minor, currency) where status in ('open', 'partially_paid') and balance_minor > 0;
    drop index if exists invoices_open_cover;
    drop index if exists invoices_scope_status_due;
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    create index if not exists invoices_scope_status_due on invoices (customer_id, private_label_id, status, due_date);
    create index if not exists invoices_open_cover on invoices (customer_id, private_label_id, due_date)
      include (balance_minor, currency) where status in ('open', 'partially_paid');
    drop index if exists invoices_open_page;
  `);
}
