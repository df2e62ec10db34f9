/**
 * One number format for payoff quotes: PQ-<year quoted>-<id, 6 digits>, as the portal issues them
 * (quoteNumber in src/modules/payoff-quotes/payoff.calc.ts). Quotes seeded before were numbered
 * PQ-000001, PQ-000002, …: renumbered here. The new number is built from the row's own id, which
 * is unique, so it cannot collide. Down leaves the numbers as they are (the old ones were a count,
 * not kept anywhere).
 */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    update payoff_quotes
       set number = 'PQ-' || to_char(quote_date, 'YYYY') || '-' || lpad(id::text, 6, '0')
     where number ~ '^PQ-[0-9]{6}$'
  `);
}

export async function down(): Promise<void> {}
