/**
 * A customer's payments, exactly as many as planned, through the seed builder's addPayment
 * (payment, allocations, status history). Every invoice planned as paid is covered in full by
 * one settled payment, which may pay several invoices falling due together; a few open invoices
 * get a partial payment, an ACH payment still in progress, a declined attempt or a scheduled
 * payment. Balances follow the rule of docs/domain.md: only settled allocations reduce them.
 */
import { addDays, daysBetween } from '../../src/lib/clock.ts';
import {
  ts,
  type ContractRec,
  type CustomerRec,
  type DemoBuilder,
  type InvoiceRec,
} from '../../seeds/builder.ts';

type Special = 'partial' | 'in_progress' | 'failed' | 'scheduled';

interface Payer {
  customer: CustomerRec;
  labelId: number;
  currency: string;
  userId: number;
}

export function addPayments(
  b: DemoBuilder,
  o: { customer: CustomerRec; userId: number; contracts: ContractRec[]; count: number },
): void {
  const first = o.contracts[0];
  if (!first || o.count === 0) return;
  const p: Payer = {
    customer: o.customer,
    labelId: first.label.id,
    currency: first.currency,
    userId: o.userId,
  };
  const invoices = o.contracts
    .flatMap((c) => c.invoices)
    .sort((x, y) => (x.due < y.due ? -1 : x.due > y.due ? 1 : x.id - y.id));
  const paid = invoices.filter((i) => i.plan === 'paid');
  const specials = chooseSpecials(b, invoices).slice(0, Math.max(0, o.count - (paid.length > 0 ? 1 : 0)));
  const settled = Math.min(paid.length, o.count - specials.length);
  const attempts = o.count - specials.length - settled;

  for (const [kind, inv] of specials) addSpecial(b, p, kind, inv);
  // Declined attempts fill any remaining count: on paid invoices before their payment, else on open ones.
  const pool = paid.length > 0 ? paid : invoices;
  for (let k = 0; k < attempts; k++) addDeclined(b, p, pool[Math.floor((k * pool.length) / attempts)]!);
  for (let g = 0; g < settled; g++) {
    const from = Math.floor((g * paid.length) / settled);
    const to = Math.floor(((g + 1) * paid.length) / settled);
    paySettled(b, p, paid.slice(from, to));
  }
}

/** At most one special payment per open invoice, by chance. */
function chooseSpecials(b: DemoBuilder, invoices: InvoiceRec[]): [Special, InvoiceRec][] {
  const out: [Special, InvoiceRec][] = [];
  for (const inv of invoices) {
    if (inv.plan !== 'open') continue;
    const roll = b.faker.number.float();
    if (inv.due < b.asOf) {
      if (roll < 0.12 && inv.total >= 1_000) out.push(['partial', inv]);
      else if (roll < 0.2) out.push(['in_progress', inv]);
      else if (roll < 0.24) out.push(['failed', inv]);
    } else if (roll < 0.05 && daysBetween(b.asOf, inv.due) >= 3) out.push(['scheduled', inv]);
    else if (roll < 0.07) out.push(['in_progress', inv]);
  }
  return out;
}

function method(b: DemoBuilder, c: CustomerRec, cardShare: number) {
  const card = c.methods.find((m) => m.kind === 'card');
  return card && b.chance(cardShare) ? card : c.methods.find((m) => m.kind === 'ach')!;
}

function paySettled(b: DemoBuilder, p: Payer, group: InvoiceRec[]): void {
  const last = group[group.length - 1]!;
  const m = method(b, p.customer, 0.25);
  const initiated = addDays(last.due, -b.int(3, 8));
  const settledAt = m.kind === 'ach' ? ts(addDays(initiated, 2), 13) : ts(initiated, 16, 1);
  b.addPayment({
    customer: p.customer,
    labelId: p.labelId,
    method: m,
    amount: group.reduce((s, i) => s + i.total, 0),
    currency: p.currency,
    status: 'settled',
    initiatedBy: p.userId,
    initiatedAt: ts(initiated, 16),
    settledAt,
    allocations: group.map((invoice) => ({ invoice, amount: invoice.total })),
  });
  for (const inv of group) Object.assign(inv.row, { balance_minor: 0, status: 'paid', paid_at: settledAt });
}

function addSpecial(b: DemoBuilder, p: Payer, kind: Special, inv: InvoiceRec): void {
  const base = { customer: p.customer, labelId: p.labelId, currency: p.currency, initiatedBy: p.userId };
  if (kind === 'partial') {
    const m = method(b, p.customer, 0.5);
    const amount = Math.max(100, Math.round((inv.total * b.int(20, 80)) / 10_000) * 100);
    const initiated = b.day(-b.int(3, 12));
    const settledAt = m.kind === 'ach' ? ts(addDays(initiated, 2), 13) : ts(initiated, 14, 6);
    b.addPayment({
      ...base,
      method: m,
      amount,
      status: 'settled',
      initiatedAt: ts(initiated, 14, 5),
      settledAt,
      allocations: [{ invoice: inv, amount }],
    });
    inv.plan = { partial: amount };
    Object.assign(inv.row, { balance_minor: inv.total - amount, status: 'partially_paid' });
  } else if (kind === 'in_progress') {
    b.addPayment({
      ...base,
      method: method(b, p.customer, 0),
      amount: inv.total,
      status: 'in_progress',
      initiatedAt: ts(b.day(-b.int(0, 1)), 15, b.int(0, 59)),
      allocations: [{ invoice: inv, amount: inv.total }],
    });
  } else if (kind === 'scheduled') {
    b.addPayment({
      ...base,
      method: method(b, p.customer, 0),
      amount: inv.total,
      status: 'scheduled',
      initiatedAt: ts(b.day(-b.int(0, 2)), 17, 20),
      scheduledFor: b.day(b.int(1, daysBetween(b.asOf, inv.due) - 1)),
      allocations: [{ invoice: inv, amount: inv.total }],
    });
  } else {
    addDeclined(b, p, inv);
  }
}

/** A declined card or returned ACH payment: before the due date of a paid invoice, recently for an open one. */
function addDeclined(b: DemoBuilder, p: Payer, inv: InvoiceRec): void {
  const m = method(b, p.customer, 0.7);
  const before = inv.plan === 'paid' ? addDays(inv.due, -b.int(9, 14)) : b.day(-b.int(3, 15));
  const latest = b.day(-3); // an ACH return comes two days later, still in the past
  const initiated = before < latest ? before : latest;
  const failedAt = m.kind === 'ach' ? ts(addDays(initiated, 2), 12) : ts(initiated, 15, 31);
  b.addPayment({
    customer: p.customer,
    labelId: p.labelId,
    method: m,
    amount: inv.total,
    currency: p.currency,
    status: 'failed',
    initiatedBy: p.userId,
    initiatedAt: ts(initiated, 15, 30),
    settledAt: failedAt,
    failureReason:
      m.kind === 'card'
        ? 'Card declined: insufficient funds'
        : 'Bank returned the debit: insufficient funds (R01)',
    allocations: [{ invoice: inv, amount: inv.total }],
  });
}
