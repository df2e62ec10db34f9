/**
 * The customer data version (migrations/20261129001000_customer_changes.ts) missed eleven tables
 * of customer data: a write to them left kept figures standing (an invoice line moved from
 * contract A to B left A's kept page showing the amount past due). They get the same
 * statement-level change counters now.
 *
 * A row that names its customer itself (report_schedules, audit_log) uses note_customer_changes;
 * a row that reaches its customer only through a parent (an invoice line through its invoice, a
 * comment through its service request…) uses note_customer_changes_via(parent, fk, column): the
 * customer is the parent's `column`, found by `parent.id = row.fk`, for the old and the new rows.
 * A cascade delete needs nothing here: the parent's own delete counter has already counted it.
 *
 * tests/integration/schema.test.ts lists every table of the database and fails when one of a
 * customer's data has no such counter and is not exempt with a reason.
 */
import type { Knex } from 'knex';

type How = { column: string } | { parent: string; fk: string; column: string };

/** Table → how a written row names its customer. */
const TRACKED: [table: string, how: How][] = [
  ['invoice_lines', { parent: 'invoices', fk: 'invoice_id', column: 'customer_id' }],
  ['payment_allocations', { parent: 'payments', fk: 'payment_id', column: 'customer_id' }],
  ['payment_status_history', { parent: 'payments', fk: 'payment_id', column: 'customer_id' }],
  ['autopay_attempts', { parent: 'autopay_enrollments', fk: 'enrollment_id', column: 'customer_id' }],
  [
    'service_request_comments',
    { parent: 'service_requests', fk: 'service_request_id', column: 'customer_id' },
  ],
  [
    'location_change_request_assets',
    { parent: 'location_change_requests', fk: 'request_id', column: 'customer_id' },
  ],
  [
    'location_change_request_events',
    { parent: 'location_change_requests', fk: 'request_id', column: 'customer_id' },
  ],
  ['asset_location_history', { parent: 'assets', fk: 'asset_id', column: 'customer_id' }],
  ['report_schedules', { column: 'customer_id' }],
  ['report_runs', { parent: 'report_schedules', fk: 'schedule_id', column: 'customer_id' }],
  ['audit_log', { column: 'acting_customer_id' }],
];

const call = (how: How): string =>
  'parent' in how
    ? `note_customer_changes_via('${how.parent}', '${how.fk}', '${how.column}')`
    : `note_customer_changes('${how.column}')`;

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    -- TG_ARGV: the parent table, the row's column naming the parent's id, the parent's customer column.
    create function note_customer_changes_via() returns trigger language plpgsql as $$
    declare
      pick text := format('select p.%I from %%1$s r join %I p on p.id = r.%I where p.%I is not null',
                          TG_ARGV[2], TG_ARGV[0], TG_ARGV[1], TG_ARGV[2]);
      src text;
    begin
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
        referencing new table as new_rows for each statement execute function ${call(how)};
      create trigger ${table}_changes_upd after update on ${table}
        referencing old table as old_rows new table as new_rows
        for each statement execute function ${call(how)};
      create trigger ${table}_changes_del after delete on ${table}
        referencing old table as old_rows for each statement execute function ${call(how)};
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
  await knex.raw('drop function if exists note_customer_changes_via();');
}
