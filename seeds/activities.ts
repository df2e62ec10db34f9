/** The Recent Activities feed derived from the generated invoices, payments and requests. */
import { formatMoney } from '../src/lib/money.ts';
import type { CustomerRec, DemoBuilder, Row } from './builder.ts';
import { MAPLE } from './parties.ts';

/** The Recent Activities feed: the last 60 days of invoices, payments and requests per customer. */
export function addActivities(b: DemoBuilder, customers: CustomerRec[], richId: number): void {
  const from = `${b.day(-60)}T00:00:00Z`;
  const until = `${b.day(1)}T00:00:00Z`;
  type Ev = {
    customer_id: number;
    private_label_id: number | null;
    actor_user_id: number | null;
    kind: string;
    subject: string;
    link: string;
    at: string;
  };
  const byCustomer = new Map<number, Ev[]>();
  const push = (e: Ev): void => {
    if (e.at < from || e.at >= until) return;
    const list = byCustomer.get(e.customer_id) ?? [];
    list.push(e);
    byCustomer.set(e.customer_id, list);
  };
  const money = (minor: unknown, cur: unknown, labelId: unknown): string =>
    formatMoney(Number(minor), String(cur), labelId === MAPLE.id ? 'en-CA' : 'en-US');
  const base = (r: Row) => ({
    customer_id: r.customer_id as number,
    private_label_id: r.private_label_id as number,
  });
  for (const r of b.rows.invoices) {
    push({
      ...base(r),
      actor_user_id: null,
      kind: 'invoice.issued',
      subject: `Invoice ${String(r.number)} issued for ${money(r.total_minor, r.currency, r.private_label_id)}, due ${String(r.due_date)}`,
      link: `/invoices/${Number(r.id)}`,
      at: String(r.created_at),
    });
  }
  for (const r of b.rows.payments) {
    const amount = money(r.amount_minor, r.currency, r.private_label_id);
    const ev = {
      ...base(r),
      actor_user_id: (r.initiated_by as number | null) ?? null,
      link: `/payments/${Number(r.id)}`,
    };
    if (r.status === 'settled')
      push({
        ...ev,
        kind: 'payment.settled',
        subject: `Payment of ${amount} received`,
        at: String(r.settled_at),
      });
    if (r.status === 'in_progress')
      push({
        ...ev,
        kind: 'payment.submitted',
        subject: `Bank payment of ${amount} submitted`,
        at: String(r.initiated_at),
      });
    if (r.status === 'failed')
      push({
        ...ev,
        kind: 'payment.failed',
        subject: `Card payment of ${amount} was declined`,
        at: String(r.failed_at),
      });
    if (r.status === 'scheduled')
      push({
        ...ev,
        kind: 'payment.scheduled',
        subject: `Payment of ${amount} scheduled for ${String(r.scheduled_for)}`,
        at: String(r.initiated_at),
      });
  }
  for (const r of b.rows.service_requests) {
    push({
      ...base(r),
      actor_user_id: r.created_by as number,
      kind: 'service_request.opened',
      subject: `Service request ${String(r.number)} opened: ${String(r.subject)}`,
      link: `/service-requests/${Number(r.id)}`,
      at: String(r.created_at),
    });
  }
  for (const r of b.rows.location_change_requests) {
    push({
      ...base(r),
      actor_user_id: r.requested_by as number,
      kind: 'location_change.submitted',
      subject: `Location change ${String(r.number)} to ${String(r.city)} submitted`,
      link: `/location-change-requests/${Number(r.id)}`,
      at: String(r.created_at),
    });
  }
  for (const r of b.rows.payoff_quotes) {
    push({
      ...base(r),
      actor_user_id: r.requested_by as number,
      kind: 'payoff_quote.requested',
      subject: `Payoff quote ${String(r.number)} requested`,
      link: `/payoff-quotes/${Number(r.id)}`,
      at: String(r.created_at),
    });
  }
  for (const c of customers) {
    const list = (byCustomer.get(c.id) ?? []).sort((x, y) => (x.at < y.at ? 1 : x.at > y.at ? -1 : 0));
    const keep = list.slice(0, c.id === richId ? 18 : 4).reverse();
    for (const e of keep) b.add('activities', e);
  }
}
