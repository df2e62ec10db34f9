/**
 * The arithmetic of a payment, in integer minor units only: reading the amounts typed per
 * invoice, checking each against what is left to pay, and an invoice's status afterwards.
 */
import { createHash } from 'node:crypto';
import type { FieldError } from '../../http/errors.ts';
import { formatMoney, parseMoney } from '../../lib/money.ts';

export interface Payable {
  id: number;
  number: string;
  currency: string;
  /** Balance less what unsettled payments already hold. */
  payableMinor: number;
  dueDate: string;
}

export interface Allocation {
  invoiceId: number;
  amountMinor: number;
}

/**
 * Reads `amount_<id>` for each chosen invoice; an empty amount means "pay in full".
 * Returns the allocations in the order of `payables`, or field errors.
 */
export function readAllocations(
  chosen: number[],
  body: Record<string, unknown>,
  payables: Payable[],
  locale = 'en-US',
):
  | { ok: true; allocations: Allocation[]; currency: string; totalMinor: number }
  | { ok: false; errors: FieldError[] } {
  const errors: FieldError[] = [];
  if (chosen.length === 0)
    return { ok: false, errors: [{ field: 'invoice', message: 'Choose at least one invoice to pay' }] };
  const allocations: Allocation[] = [];
  const currencies = new Set<string>();
  for (const p of payables) {
    if (!chosen.includes(p.id)) continue;
    const field = `amount_${p.id}`;
    currencies.add(p.currency);
    if (Array.isArray(body[field])) {
      // Two amounts for one invoice: neither is taken (nor "pay in full").
      errors.push({ field, message: `Enter one amount for invoice ${p.number}` });
      continue;
    }
    const raw = typeof body[field] === 'string' ? body[field].trim() : '';
    if (raw === '') {
      if (p.payableMinor <= 0) errors.push({ field, message: `Invoice ${p.number} has nothing left to pay` });
      else allocations.push({ invoiceId: p.id, amountMinor: p.payableMinor });
      continue;
    }
    const minor = parseMoney(raw, p.currency);
    if (minor === undefined)
      errors.push({ field, message: `Enter the amount for invoice ${p.number} as a number, like 125.50` });
    else if (minor <= 0)
      errors.push({ field, message: `The amount for invoice ${p.number} must be more than zero` });
    else if (minor > p.payableMinor)
      errors.push({
        field,
        message: `The amount for invoice ${p.number} must be ${formatMoney(p.payableMinor, p.currency, locale)} or less`,
      });
    else allocations.push({ invoiceId: p.id, amountMinor: minor });
  }
  const known = new Set(payables.map((p) => p.id));
  if (chosen.some((id) => !known.has(id)))
    errors.unshift({
      field: 'invoice',
      message: 'One of the chosen invoices can no longer be paid; choose again',
    });
  if (currencies.size > 1)
    errors.unshift({ field: 'invoice', message: 'Pay invoices in one currency at a time' });
  if (errors.length) return { ok: false, errors };
  return {
    ok: true,
    allocations,
    currency: [...currencies][0]!,
    totalMinor: sumMinor(allocations.map((a) => a.amountMinor)),
  };
}

export function sumMinor(values: number[]): number {
  let s = 0n;
  for (const v of values) {
    if (!Number.isSafeInteger(v)) throw new RangeError(`not an integer amount: ${v}`);
    s += BigInt(v);
  }
  if (s > BigInt(Number.MAX_SAFE_INTEGER)) throw new RangeError('total too large');
  return Number(s);
}

/** An invoice's balance and status after a settled allocation. */
export function applyAllocation(
  balanceMinor: number,
  amountMinor: number,
): { balanceMinor: number; status: 'paid' | 'partially_paid' } {
  if (amountMinor <= 0 || amountMinor > balanceMinor) throw new RangeError('allocation exceeds the balance');
  const left = balanceMinor - amountMinor;
  return { balanceMinor: left, status: left === 0 ? 'paid' : 'partially_paid' };
}

/** An invoice's balance and status when a settled allocation is returned (ACH return). */
export function reverseAllocation(
  balanceMinor: number,
  totalMinor: number,
  amountMinor: number,
): { balanceMinor: number; status: 'open' | 'partially_paid' } {
  const b = Math.min(totalMinor, balanceMinor + amountMinor);
  return { balanceMinor: b, status: b === totalMinor ? 'open' : 'partially_paid' };
}

/** What a confirmation asks for; the same idempotency key must always carry the same hash. */
export function requestHash(r: {
  customerId: number;
  labelId: number;
  methodId: number;
  payDate: string;
  allocations: Allocation[];
}): string {
  const a = [...r.allocations]
    .sort((x, y) => x.invoiceId - y.invoiceId)
    .map((x) => [x.invoiceId, x.amountMinor]);
  return createHash('sha256')
    .update(JSON.stringify([r.customerId, r.labelId, r.methodId, r.payDate, a]))
    .digest('hex');
}
