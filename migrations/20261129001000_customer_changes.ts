/**
 * A change counter per customer (issue 8, bench/README.md): every statement that writes a
 * customer's contracts, schedules, invoices, payments, payment methods, assets, requests, quotes, activities,
 * users or the customer row itself adds one row here, in the same transaction, through
 * statement-level triggers. The sum of a customer's `changes` is its data version: it grows with
 * every committed write and with nothing else, so figures computed at one version may be shown
 * again while the version is the same, in any process. The counter is read with the session's
 * user in the statement every request makes anyway (src/modules/auth/users.repository.ts).
 *
 * Rows are only ever inserted (no row lock, so two payments of one customer never wait on each
 * other here, nor deadlock); the `compact-customer-changes` job folds them into one row per
 * customer in one transaction, which keeps every sum as it was.
 *
 * Why a sum and not a sequence number: a transaction that took a lower number may commit after
 * one that took a higher number, and a "latest number" would then not move.
 */
import type { Knex } from 'knex';

/** Table → how a written row names its customer. */
const TRACKED: [table: string, how: 'customer_id' | 'id' | 'contract_id'][] = [
  ['customers', 'id'],
  ['users', 'customer_id'],
  ['contracts', 'customer_id'],
  ['schedule_lines', 'contract_id'],
  ['invoices', 'customer_id'],
  ['payments', 'customer_id'],
  ['payment_methods', 'customer_id'],
  ['autopay_enrollments', 'customer_id'],
  ['assets', 'customer_id'],
  ['service_requests', 'customer_id'],
  ['location_change_requests', 'customer_id'],
  ['documents', 'customer_id'],
  ['payoff_quotes', 'customer_id'],
  ['activities', 'customer_id'],
];

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    create table customer_changes (
      id bigint generated always as identity primary key,
      customer_id integer not null,
      changes bigint not null default 1
    );
    create index customer_changes_customer on customer_changes (customer_id) include (changes);

    -- TG_ARGV[0]: the column naming the customer, or 'contract_id' (looked up in contracts).
    create function note_customer_changes() returns trigger language plpgsql as $$
    declare
      col text := TG_ARGV[0];
      pick text;
      src text;
    begin
      if col = 'contract_id' then
        pick := 'select c.customer_id from %1$s r join contracts c on c.id = r.contract_id';
      else
        pick := 'select r.' || quote_ident(col) || ' from %1$s r where r.' || quote_ident(col) || ' is not null';
      end if;
      if TG_OP = 'INSERT' then
        src := format(pick, 'new_rows');
      elsif TG_OP = 'DELETE' then
        src := format(pick, 'old_rows');
      else
        src := format(pick, 'new_rows') || ' union ' || format(pick, 'old_rows');
      end if;
      execute 'insert into customer_changes (customer_id) select distinct customer_id from (' || src
        || ') as changed (customer_id)';
      return null;
    end $$;
  `);
  for (const [table, how] of TRACKED) {
    await knex.raw(`
      create trigger ${table}_changes_ins after insert on ${table}
        referencing new table as new_rows for each statement execute function note_customer_changes('${how}');
      create trigger ${table}_changes_upd after update on ${table}
        referencing old table as old_rows new table as new_rows
        for each statement execute function note_customer_changes('${how}');
      create trigger ${table}_changes_del after delete on ${table}
        referencing old table as old_rows for each statement execute function note_customer_changes('${how}');
    `);
  }
}

export async function down(knex: Knex): Promise<void> {
  for (const [table] of TRACKED) {
    await knex.raw(`
      drop trigger if exists ${table}_changes_ins on ${table};
      drop trigger if exists ${table}_changes_upd on ${table};
      drop trigger if exists ${table}_changes_del on ${table};
    `);
  }
  await knex.raw(`drop function if exists note_customer_changes(); drop table if exists customer_changes;`);
}
