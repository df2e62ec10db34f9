import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Knex } from 'knex';
import { createKnex } from '../../src/db/knex.ts';
import { isSeeded, seedDemo } from '../../seeds/demo.ts';
import { createContract, createCustomer, labelId } from '../factories/index.ts';

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
