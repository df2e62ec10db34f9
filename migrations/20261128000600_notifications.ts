/**
 * Notification preferences on /account: receipts for one's own payments (on by default; a
 * failed payment is always told), and a reminder of invoices falling due (off by default).
 */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    alter table users
      add column notify_payment_receipts boolean not null default true,
      add column notify_due_reminders boolean not null default false;
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    alter table users
      drop column if exists notify_due_reminders,
      drop column if exists notify_payment_receipts;
  `);
}
