/**
 * Performance at scale (issue 8, bench/README.md): schedule lines carry their contract's
 * customer and label, so "upcoming payments" pages in due-date order from an index of the
 * customer's lines (25 entries read) instead of walking every customer's lines due in the window
 * and looking each contract up (548 for the fleet's first page, and far more for a small customer).
 *
 * The copy is kept by the database, whoever writes: a line always takes its contract's (what an
 * INSERT says is overwritten); a contract moved to another customer or label moves its lines. The lines' change
 * counter (migrations/20261129001000_customer_changes.ts) now reads the customer from the line.
 */
import type { Knex } from 'knex';

/** The lines' change-counter triggers, naming the customer through `how` (see …001000). */
const changeCounters = (how: 'customer_id' | 'contract_id'): string => `
  drop trigger if exists schedule_lines_changes_ins on schedule_lines;
  drop trigger if exists schedule_lines_changes_upd on schedule_lines;
  drop trigger if exists schedule_lines_changes_del on schedule_lines;
  create trigger schedule_lines_changes_ins after insert on schedule_lines
    referencing new table as new_rows for each statement execute function note_customer_changes('${how}');
  create trigger schedule_lines_changes_upd after update on schedule_lines
    referencing old table as old_rows new table as new_rows
    for each statement execute function note_customer_changes('${how}');
  create trigger schedule_lines_changes_del after delete on schedule_lines
    referencing old table as old_rows for each statement execute function note_customer_changes('${how}');
`;

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    alter table schedule_lines add column customer_id integer, add column private_label_id integer;
    update schedule_lines l set customer_id = c.customer_id, private_label_id = c.private_label_id
      from contracts c where c.id = l.contract_id;
    alter table schedule_lines
      alter column customer_id set not null,
      alter column private_label_id set not null;

    create function schedule_lines_take_scope() returns trigger language plpgsql as $$
    begin
      select customer_id, private_label_id into new.customer_id, new.private_label_id
        from contracts where id = new.contract_id;
      return new;
    end $$;
    create trigger schedule_lines_take_scope before insert or update of contract_id on schedule_lines
      for each row execute function schedule_lines_take_scope();

    create function contracts_give_scope() returns trigger language plpgsql as $$
    begin
      update schedule_lines set customer_id = new.customer_id, private_label_id = new.private_label_id
        where contract_id = new.id;
      return null;
    end $$;
    create trigger contracts_give_scope after update of customer_id, private_label_id on contracts
      for each row when (old.customer_id is distinct from new.customer_id
                         or old.private_label_id is distinct from new.private_label_id)
      execute function contracts_give_scope();

    create index schedule_lines_scope_due on schedule_lines (customer_id, private_label_id, due_date, id)
      include (contract_id, seq, rent_minor, tax_minor);
  `);
  await knex.raw(changeCounters('customer_id'));
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(changeCounters('contract_id'));
  await knex.raw(`
    drop trigger if exists contracts_give_scope on contracts;
    drop function if exists contracts_give_scope();
    drop trigger if exists schedule_lines_take_scope on schedule_lines;
    drop function if exists schedule_lines_take_scope();
    drop index if exists schedule_lines_scope_due;
    alter table schedule_lines drop column customer_id, drop column private_label_id;
  `);
}
