import { describe, expect, it } from 'vitest';
import {
  applyAllocation,
  readAllocations,
  requestHash,
  sumMinor,
  type Payable,
} from '../../src/modules/payments/payments.money.ts';

const inv = (id: number, payableMinor: number, currency = 'USD', dueDate = '2026-11-01'): Payable => ({
  id,
  number: `INV-${id}`,
  currency,
  payableMinor,
  dueDate,
});

describe('readAllocations (minor units, decimal-safe)', () => {
  const payables = [inv(1, 1_000_00), inv(2, 333_33), inv(3, 0)];

  it('empty amount pays what is left; typed amounts are parsed without floats', () => {
    const r = readAllocations([1, 2], { amount_1: '0.10', amount_2: '' }, payables);
    expect(r).toEqual({
      ok: true,
      allocations: [
        { invoiceId: 1, amountMinor: 10 },
        { invoiceId: 2, amountMinor: 333_33 },
      ],
      currency: 'USD',
      totalMinor: 333_43,
    });
  });

  it('0.1 + 0.2 is exactly 0.30, and 1,234.56 with grouping is 123456 minor', () => {
    const r = readAllocations([1, 2], { amount_1: '0.1', amount_2: '0.2' }, payables);
    expect(r.ok && r.totalMinor).toBe(30);
    const g = readAllocations([1], { amount_1: '$1,000.00' }, payables);
    expect(g.ok && g.allocations[0]!.amountMinor).toBe(1_000_00);
  });

  it('refuses more than the balance, zero, negative, three decimals, words; asks for at least one invoice', () => {
    const field = (body: Record<string, string>) => {
      const r = readAllocations([1], body, payables);
      return r.ok ? 'ok' : r.errors.map((e) => `${e.field}: ${e.message}`).join(' | ');
    };
    expect(field({ amount_1: '1000.01' })).toBe(
      'amount_1: The amount for invoice INV-1 must be $1,000.00 or less',
    );
    expect(field({ amount_1: '1000.00' })).toBe('ok');
    expect(field({ amount_1: '0' })).toBe('amount_1: The amount for invoice INV-1 must be more than zero');
    expect(field({ amount_1: '-1' })).toMatch(/as a number/);
    expect(field({ amount_1: '1.005' })).toMatch(/as a number/);
    expect(field({ amount_1: 'ten' })).toMatch(/as a number/);
    expect(field({ amount_1: '1e3' })).toMatch(/as a number/);
    const none = readAllocations([], {}, payables);
    expect(none).toEqual({
      ok: false,
      errors: [{ field: 'invoice', message: 'Choose at least one invoice to pay' }],
    });
  });

  it('refuses an invoice with nothing left, an unknown id, and mixed currencies', () => {
    expect(readAllocations([3], {}, payables).ok).toBe(false);
    const unknown = readAllocations([99], {}, payables);
    expect(!unknown.ok && unknown.errors[0]!.field).toBe('invoice');
    const mixed = readAllocations([1, 4], {}, [...payables, inv(4, 5_00, 'CAD')]);
    expect(!mixed.ok && mixed.errors[0]!.message).toBe('Pay invoices in one currency at a time');
  });

  it('uses the currency’s own minor digits (JPY has none)', () => {
    const r = readAllocations([5], { amount_5: '1500' }, [inv(5, 2000, 'JPY')]);
    expect(r.ok && r.totalMinor).toBe(1500);
    expect(readAllocations([5], { amount_5: '1500.5' }, [inv(5, 2000, 'JPY')]).ok).toBe(false);
  });
});

describe('allocation arithmetic', () => {
  it('partial then full: partially_paid, then paid at exactly zero', () => {
    const a = applyAllocation(1_000_00, 400_25);
    expect(a).toEqual({ balanceMinor: 599_75, status: 'partially_paid' });
    expect(applyAllocation(a.balanceMinor, 599_75)).toEqual({ balanceMinor: 0, status: 'paid' });
  });

  it('never below zero, never zero or negative amounts', () => {
    expect(() => applyAllocation(100, 101)).toThrow(RangeError);
    expect(() => applyAllocation(100, 0)).toThrow(RangeError);
    expect(() => applyAllocation(100, -1)).toThrow(RangeError);
  });

  it('sums integers exactly and refuses non-integers', () => {
    expect(sumMinor([1, 2, 3])).toBe(6);
    expect(sumMinor(Array.from({ length: 1000 }, () => 10))).toBe(10_000);
    expect(() => sumMinor([0.1])).toThrow(RangeError);
    expect(() => sumMinor([Number.MAX_SAFE_INTEGER, 1])).toThrow(RangeError);
  });

  it('one request hash per request, independent of allocation order', () => {
    const base = { customerId: 1, labelId: 1, methodId: 2, payDate: '2026-11-16' };
    const h1 = requestHash({
      ...base,
      allocations: [
        { invoiceId: 1, amountMinor: 5 },
        { invoiceId: 2, amountMinor: 7 },
      ],
    });
    const h2 = requestHash({
      ...base,
      allocations: [
        { invoiceId: 2, amountMinor: 7 },
        { invoiceId: 1, amountMinor: 5 },
      ],
    });
    const h3 = requestHash({
      ...base,
      allocations: [
        { invoiceId: 1, amountMinor: 6 },
        { invoiceId: 2, amountMinor: 7 },
      ],
    });
    expect(h1).toBe(h2);
    expect(h1).not.toBe(h3);
  });
});
