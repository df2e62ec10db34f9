/**
 * Performance at scale (issue 8, bench/README.md): Home's open-balance figures read only the
 * open invoices, from the index alone (balance and currency included), instead of fetching
 * thousands of invoice rows of a large fleet.
 */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    create index if not exists invoices_open_cover on invoices (customer_id, private_label_id, due_date)
      include (balance_minor, currency) where status in ('open', 'partially_paid');
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`drop index if exists invoices_open_cover;`);
}
