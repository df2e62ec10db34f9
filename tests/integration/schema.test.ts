import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Knex } from 'knex';
import { createKnex } from '../../src/db/knex.ts';
import { isSeeded, seedDemo } from '../../seeds/demo.ts';
import { createContract, createCustomer, labelId } from '../factories/index.ts';

/**
 * Tables that are not counted in a customer's data version (migrations/20261129001000_customer_changes.ts),
 * each with the reason. Every other table of the database must carry the change counters. A new
 * table: if any page, list, report or job shows or sums its rows for a customer, give it the
 * counters in a migration (note_customer_changes('customer_id'), or note_customer_changes_via(parent,
 * fk, column) for a row that reaches its customer through a parent; see
 * migrations/20261204000200_tracked_children.ts). Only when nothing kept per data version can read
 * it, add it here with the reason.
 */
const EXEMPT: Record<string, string> = {
  customer_changes: 'the counter itself: counting its own rows would never end',
  knex_migrations: "the migrations' bookkeeping, no customer data",
  knex_migrations_lock: "the migrations' lock, no customer data",
  sessions: 'sign-in state (connect-pg-simple), written on every request; no page figure reads it',
  rate_limits: 'sign-in throttling keyed by address and e-mail, not by customer; no page figure reads it',
  email_outbox: 'queued e-mail: addresses only, no customer id; no page figure reads it',
  private_labels: "the lessor's brands, shared by many customers; kept by time (label settings), not version",
  exchange_rates: 'rates shared by every customer; kept by time, not version',
  password_reset_tokens: "a user's one-time secrets; no page lists them and no figure counts them",
  user_recovery_codes: "a user's two-step recovery secrets; no page lists them and no figure counts them",
  gateway_charges:
    "the sandbox gateway's own book of charges by idempotency key; no customer id, no page reads it",
};

const COUNTERS = ['note_customer_changes', 'note_customer_changes_via'];

interface Catalog {
  tables: string[];
  columns: Map<string, Set<string>>;
  parents: Map<string, Set<string>>;
  /** table → event (INSERT/UPDATE/DELETE) → the counter's call, e.g. note_customer_changes('customer_id'). */
  counters: Map<string, Map<string, { fn: string; args: string[] }>>;
}

/** Every table of the migrated database (pg_catalog), its columns, foreign keys and change counters. */
async function catalog(k: Knex): Promise<Catalog> {
  const tables = (
    (await k.raw(`select c.relname as name from pg_class c
                   where c.relnamespace = 'public'::regnamespace and c.relkind in ('r', 'p')
                     and not c.relispartition order by 1`)) as { rows: { name: string }[] }
  ).rows.map((r) => r.name);
  const columns = new Map<string, Set<string>>(tables.map((t) => [t, new Set<string>()]));
  for (const r of (
    (await k.raw(`select a.attrelid::regclass::text as t, a.attname as col from pg_attribute a
                   join pg_class c on c.oid = a.attrelid
                  where c.relnamespace = 'public'::regnamespace and c.relkind in ('r', 'p')
                    and a.attnum > 0 and not a.attisdropped`)) as { rows: { t: string; col: string }[] }
  ).rows)
    columns.get(r.t)?.add(r.col);
  const parents = new Map<string, Set<string>>(tables.map((t) => [t, new Set<string>()]));
  for (const r of (
    (await k.raw(`select conrelid::regclass::text as t, confrelid::regclass::text as parent
                    from pg_constraint where contype = 'f'
                     and connamespace = 'public'::regnamespace`)) as { rows: { t: string; parent: string }[] }
  ).rows)
    parents.get(r.t)?.add(r.parent);
  const counters = new Map<string, Map<string, { fn: string; args: string[] }>>();
  for (const r of (
    (await k.raw(
      `select c.relname as t, p.proname as fn, t.tgtype, encode(t.tgargs, 'escape') as args
                    from pg_trigger t join pg_class c on c.oid = t.tgrelid join pg_proc p on p.oid = t.tgfoid
                   where c.relnamespace = 'public'::regnamespace and not t.tgisinternal
                     and p.proname = any(?)`,
      [COUNTERS],
    )) as {
      rows: { t: string; fn: string; tgtype: number; args: string }[];
    }
  ).rows) {
    // tgtype bits: 1 row-level, 2 before, 4 insert, 8 delete, 16 update (an after statement trigger has 1 and 2 clear).
    if ((r.tgtype & 3) !== 0) continue;
    const args = r.args.split('\\000').filter((a) => a !== '');
    const events = counters.get(r.t) ?? new Map<string, { fn: string; args: string[] }>();
    if (r.tgtype & 4) events.set('INSERT', { fn: r.fn, args });
    if (r.tgtype & 16) events.set('UPDATE', { fn: r.fn, args });
    if (r.tgtype & 8) events.set('DELETE', { fn: r.fn, args });
    counters.set(r.t, events);
  }
  return { tables, columns, parents, counters };
}

/**
 * Tables holding a customer's data: the customer row, a row naming a customer (a column
 * ending in customer_id, or a foreign key to customers), and any row under one of those
 * through a foreign key, however deep.
 */
function customerTables(c: Catalog): Set<string> {
  const found = new Set(
    c.tables.filter(
      (t) =>
        t === 'customers' ||
        [...c.columns.get(t)!].some((col) => /(^|_)customer_id$/.test(col)) ||
        c.parents.get(t)!.has('customers'),
    ),
  );
  for (let grew = true; grew;) {
    grew = false;
    for (const t of c.tables)
      if (!found.has(t) && [...c.parents.get(t)!].some((p) => found.has(p) && p !== t)) {
        found.add(t);
        grew = true;
      }
  }
  return found;
}

/** What is wrong with a table's change counters, or undefined when it counts every write. */
function counterProblem(c: Catalog, t: string): string | undefined {
  const events = c.counters.get(t);
  const missing = ['INSERT', 'UPDATE', 'DELETE'].filter((e) => !events?.has(e));
  if (missing.length) return `no statement-level change counter on ${missing.join(', ')}`;
  for (const [event, { fn, args }] of events!) {
    if (fn === 'note_customer_changes') {
      const [col] = args;
      if (args.length !== 1 || !c.columns.get(t)!.has(col!))
        return `${event} counter names no column of ${t}: (${args.join(', ')})`;
    } else {
      const [parent, fk, col] = args;
      if (args.length !== 3 || !c.columns.get(t)!.has(fk!) || !c.columns.get(parent!)?.has(col!))
        return `${event} counter names no parent of ${t}: (${args.join(', ')})`;
    }
  }
  return undefined;
}

/** Every customer table without its counters and not exempt, with what is wrong. */
function untracked(c: Catalog): string[] {
  const mine = customerTables(c);
  return c.tables
    .filter((t) => !(t in EXEMPT))
    .map((t) => {
      const problem = counterProblem(c, t);
      if (!problem) return undefined;
      return mine.has(t)
        ? `${t} (customer data): ${problem}`
        : `${t} (no customer link found, but every table must be counted or exempt): ${problem}`;
    })
    .filter((x): x is string => x !== undefined);
}

let db: Knex;
beforeAll(() => {
  db = createKnex(inject('databaseUrl'), 2);
});
afterAll(async () => {
  await db.destroy();
});

describe('schema rules the database enforces itself', () => {
  it('keeps the audit log append-only', async () => {
    await db('audit_log').insert({ action: 'test.append', entity_type: 'test' });
    await expect(db('audit_log').where({ action: 'test.append' }).update({ action: 'x' })).rejects.toThrow(
      /append-only/,
    );
    await expect(db('audit_log').where({ action: 'test.append' }).del()).rejects.toThrow(/append-only/);
  });

  it("keeps each schedule line's customer and label those of its contract", async () => {
    const [nw, maple] = await Promise.all(['northwind', 'maple'].map(async (code) => labelId(db, code)));
    const a = await createCustomer(db);
    const b = await createCustomer(db);
    const k = await createContract(db, { customer_id: a.id, private_label_id: nw! });
    // What an INSERT says is overwritten with the contract's.
    const [line] = (await db('schedule_lines')
      .insert({
        contract_id: k.id,
        seq: 1,
        due_date: '2026-12-01',
        rent_minor: 100,
        balance_after_minor: 0,
        customer_id: b.id,
      })
      .returning(['id', 'customer_id', 'private_label_id'])) as {
      id: number;
      customer_id: number;
      private_label_id: number;
    }[];
    expect(line).toMatchObject({ customer_id: a.id, private_label_id: nw });
    // A contract moved to another customer and label moves its lines.
    await db('contracts').where({ id: k.id }).update({ customer_id: b.id, private_label_id: maple });
    expect(
      await db('schedule_lines').where({ id: line!.id }).first('customer_id', 'private_label_id'),
    ).toEqual({
      customer_id: b.id,
      private_label_id: maple,
    });
  });

  it('allows one default label only', async () => {
    await expect(
      db('private_labels').insert({
        code: 'second-default',
        name: 'X',
        primary_currency: 'USD',
        is_default: true,
      }),
    ).rejects.toThrow(/private_labels_one_default/);
  });

  it('refuses a superuser tied to a customer and an invoice balance above its total', async () => {
    const customer = (await db('customers').first('id')) as { id: number };
    await expect(
      db('users').insert({
        email: 'bad-super@test.example',
        name: 'X',
        role: 'superuser',
        customer_id: customer.id,
      }),
    ).rejects.toThrow(/check constraint/);
    await expect(
      db('invoices').insert({
        number: 'BAD-1',
        customer_id: customer.id,
        private_label_id: 1,
        issue_date: '2026-01-01',
        due_date: '2026-01-21',
        currency: 'USD',
        total_minor: 100,
        balance_minor: 101,
      }),
    ).rejects.toThrow(/check constraint/);
  });

  it('refuses to seed over existing data', async () => {
    expect(await isSeeded(db)).toBe(true);
    await expect(seedDemo(db, { asOf: '2026-11-16' })).rejects.toThrow(/refusing/);
  });

  it('moves identities past the seeded ids', async () => {
    const [row] = (await db('activities')
      .insert({ customer_id: 1, kind: 'test', subject: 'after seed' })
      .returning('id')) as { id: number }[];
    const max = (await db('activities').max('id as m').first()) as { m: number };
    expect(row!.id).toBe(max.m);
  });
});

describe("every table is counted in its customer's data version, or exempt with a reason", () => {
  it('finds a change counter on every insert, update and delete of every table not exempt', async () => {
    const c = await catalog(db);
    expect(c.tables).toContain('invoices'); // the catalog query sees the migrated tables
    expect(
      untracked(c),
      'give these tables change counters in a migration, or exempt them with a reason',
    ).toEqual([]);
    // The exempt list names existing tables only, and none of them is counted after all.
    expect(Object.keys(EXEMPT).filter((t) => !c.tables.includes(t))).toEqual([]);
    expect(Object.keys(EXEMPT).filter((t) => c.counters.has(t))).toEqual([]);
    expect(Object.values(EXEMPT).every((why) => why.length > 20)).toBe(true);
  });

  it('flags a new table of customer data, directly or through its parent, that has no counter', async () => {
    // The check itself, on tables made and dropped inside one rolled-back transaction.
    await db
      .transaction(async (trx) => {
        await trx.raw(`
          create table schema_probe_parent (id integer primary key, owner_customer_id integer);
          create table schema_probe_child (id integer primary key,
            parent_id integer references schema_probe_parent (id));
          create table schema_probe_global (id integer primary key, name text);
        `);
        const c = await catalog(trx);
        const mine = customerTables(c);
        expect(mine.has('schema_probe_parent')).toBe(true);
        expect(mine.has('schema_probe_child')).toBe(true);
        expect(mine.has('schema_probe_global')).toBe(false);
        const flagged = untracked(c).filter((s) => s.startsWith('schema_probe_'));
        expect(flagged).toEqual([
          expect.stringMatching(/^schema_probe_child \(customer data\): no statement-level change counter/),
          expect.stringMatching(/^schema_probe_global \(no customer link found/),
          expect.stringMatching(/^schema_probe_parent \(customer data\)/),
        ]);
        // A counter naming a wrong column is flagged too; the right one is accepted.
        await trx.raw(`
          create trigger p_ins after insert on schema_probe_parent referencing new table as new_rows
            for each statement execute function note_customer_changes('customer_id');
          create trigger p_upd after update on schema_probe_parent
            referencing old table as old_rows new table as new_rows
            for each statement execute function note_customer_changes('owner_customer_id');
          create trigger p_del after delete on schema_probe_parent referencing old table as old_rows
            for each statement execute function note_customer_changes('owner_customer_id');
        `);
        expect(untracked(await catalog(trx))).toContainEqual(
          expect.stringMatching(/^schema_probe_parent .*INSERT counter names no column/),
        );
        await trx.raw(`
          drop trigger p_ins on schema_probe_parent;
          create trigger p_ins after insert on schema_probe_parent referencing new table as new_rows
            for each statement execute function note_customer_changes('owner_customer_id');
        `);
        expect(untracked(await catalog(trx)).some((s) => s.startsWith('schema_probe_parent'))).toBe(false);
        throw new Error('rollback');
      })
      .catch((e: Error) => {
        if (e.message !== 'rollback') throw e;
      });
  });
});
