/**
 * Makes the scale data set one customer at a time with the demo seed's DemoBuilder, handing each
 * customer's rows to the COPY sink and emptying the builder before the next. The builder's id
 * counters run on across customers, so ids are global, explicit and deterministic: the same
 * (asOf, seed, scale) gives the same rows, byte for byte.
 */
import { DemoBuilder, TABLES, type CustomerRec, type Row } from '../../seeds/builder.ts';
import { addActivities } from '../../seeds/activities.ts';
import { DEMO_PASSWORD, demoPasswordHash } from '../../seeds/demo.ts';
import { ALL_PERMISSIONS, addExchangeRates, addLabels, addUser } from '../../seeds/parties.ts';
import type { CopySink } from './copy-sink.ts';
import { addContracts, addParties } from './customer.ts';
import { targetsAt } from './options.ts';
import { addPayments } from './payments.ts';
import { planCustomers } from './plan.ts';
import { addRequests } from './requests.ts';

export const SUPERUSER_LOGIN = 'super@northwind.example';
export { DEMO_PASSWORD };

export async function generate(
  o: { asOf: string; seed: number; scale: number },
  sink: CopySink,
  onCustomer: (done: number, total: number) => void,
): Promise<void> {
  const b = new DemoBuilder(o.asOf, o.seed);
  // A second builder only for the activity feed: its own activity ids, fed the recent rows.
  const feed = new DemoBuilder(o.asOf, o.seed);
  const pw = await demoPasswordHash(o.seed); // argon2id, hashed once for every user
  addLabels(b);
  addExchangeRates(b);
  const lessor = addUser(b, null, {
    email: SUPERUSER_LOGIN,
    name: 'Sam Rivera',
    role: 'superuser',
    permissions: ALL_PERMISSIONS,
    passwordHash: pw,
  });
  const plans = planCustomers(b, targetsAt(o.scale));
  await handOver(b, sink);
  let fleetId = 0;
  for (const [k, plan] of plans.entries()) {
    const { customer, admin } = addParties(b, plan, pw);
    if (plan.fleet) fleetId = customer.id;
    const contracts = addContracts(b, plan, customer);
    addPayments(b, { customer, userId: admin.id, contracts, count: plan.payments });
    addRequests(b, contracts, { users: customer.users, lessor });
    addRecentActivities(b, feed, customer, fleetId);
    await handOver(b, sink);
    await sink.put('activities', feed.rows.activities);
    feed.rows.activities.length = 0;
    await sink.settle();
    onCustomer(k + 1, plans.length);
  }
}

/** Passes every row the builder holds to the sink, in foreign-key order, and empties it. */
async function handOver(b: DemoBuilder, sink: CopySink): Promise<void> {
  for (const table of TABLES) {
    await sink.put(table, b.rows[table]);
    b.rows[table].length = 0;
  }
  b.contracts.length = 0;
}

const FEED_SOURCES = [
  'invoices',
  'payments',
  'service_requests',
  'location_change_requests',
  'payoff_quotes',
] as const;

/**
 * The seeds' Recent Activities feed (seeds/activities.ts) for one customer. It keeps the latest
 * 4 events (18 for the fleet) of the last 60 days, so only the latest that many rows of each
 * kind are passed in: the same feed without formatting a million amounts.
 */
function addRecentActivities(
  b: DemoBuilder,
  feed: DemoBuilder,
  customer: CustomerRec,
  fleetId: number,
): void {
  const keep = customer.id === fleetId ? 18 : 4;
  const from = `${b.day(-60)}T00:00:00Z`;
  const until = `${b.day(1)}T00:00:00Z`;
  for (const table of FEED_SOURCES) {
    const recent = b.rows[table]
      .map((r) => [eventAt(table, r), r] as const)
      .filter(([at]) => at !== undefined && at >= from && at < until)
      .sort(([x], [y]) => (x! < y! ? 1 : x! > y! ? -1 : 0))
      .slice(0, keep)
      .map(([, r]) => r);
    feed.rows[table].push(...recent);
  }
  addActivities(feed, [customer], fleetId);
  for (const table of FEED_SOURCES) feed.rows[table].length = 0;
}

/** When seeds/activities.ts dates a row's event (undefined: no event). */
function eventAt(table: (typeof FEED_SOURCES)[number], r: Row): string | undefined {
  if (table !== 'payments') return r.created_at as string;
  const column = PAYMENT_EVENT_AT[r.status as string];
  return column ? (r[column] as string) : undefined;
}

const PAYMENT_EVENT_AT: Record<string, string> = {
  settled: 'settled_at',
  in_progress: 'initiated_at',
  failed: 'failed_at',
  scheduled: 'initiated_at',
};
