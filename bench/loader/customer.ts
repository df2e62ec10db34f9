/**
 * One planned customer's parties and contracts, made with the demo seed's own builders
 * (seeds/parties.ts, seeds/builder.ts): the customer, 1-3 users, payment methods, contracts with
 * their full schedules, billed invoices and assets, some invoices left overdue, autopay on a few.
 */
import { addDays } from '../../src/lib/clock.ts';
import type { ContractRec, CustomerRec, DemoBuilder, UserRec } from '../../seeds/builder.ts';
import { CA_PLACES, US_PLACES, type Place } from '../../seeds/catalog.ts';
import { enrolAutopay } from '../../seeds/core-customers.ts';
import { NAME_WORDS } from '../../seeds/generate.ts';
import {
  ALL_PERMISSIONS,
  MAPLE,
  addBankAccount,
  addCustomer,
  addMethod,
  addUser,
  makeOverdue,
  setCreditLimit,
} from '../../seeds/parties.ts';
import { MONTHS_PER_PERIOD } from '../../seeds/schedule.ts';
import type { ContractPlan, CustomerPlan } from './plan.ts';

export const FLEET_NAME = 'Fleet Logistics Group';
export const FLEET_LOGIN = 'fleet@fleet.example';

export interface Parties {
  customer: CustomerRec;
  /** The portal admin: pays, requests and comments for the customer. */
  admin: UserRec;
}

export function addParties(b: DemoBuilder, plan: CustomerPlan, pw: string): Parties {
  return plan.fleet ? addFleetParties(b, plan, pw) : addStandardParties(b, plan, pw);
}

function addFleetParties(b: DemoBuilder, plan: CustomerPlan, pw: string): Parties {
  const customer = addCustomer(b, { number: plan.number, name: FLEET_NAME, currency: plan.label.currency });
  const user = (email: string, name: string, role: 'user' | 'portal_admin', permissions: string[]) =>
    addUser(b, customer, { email, name, role, permissions, passwordHash: pw });
  const admin = user(FLEET_LOGIN, 'Dana Whitfield', 'portal_admin', ALL_PERMISSIONS);
  user('ap@fleet.example', 'Marcus Bell', 'user', [
    'invoices.view',
    'payments.make',
    'autopay.manage',
    'reports.run',
  ]);
  user('yard@fleet.example', 'Priya Raman', 'user', [
    'assets.view',
    'assets.request_location_change',
    'contracts.view',
    'service_requests.manage',
  ]);
  addBankAccount(b, customer, 'US');
  for (const [brand, last4] of [
    ['Visa', '4242'],
    ['Mastercard', '5454'],
  ] as const) {
    addMethod(b, customer, {
      kind: 'card',
      brand,
      last4,
      exp: [b.int(1, 12), 2027 + b.int(0, 3)],
      nickname: `${brand} fuel card`,
      isDefault: false,
    });
  }
  return { customer, admin };
}

/** Like the demo's generated customers (seeds/generate.ts), with 1-3 users. */
function addStandardParties(b: DemoBuilder, plan: CustomerPlan, pw: string): Parties {
  const canadian = plan.label === MAPLE;
  const suffix = b.pick(canadian ? ['Ltd.', 'Inc.', 'Corp.'] : ['Inc.', 'LLC', 'Corp.', 'Co.']);
  const root = b.faker.person.lastName();
  const name = `${root} ${b.pick(NAME_WORDS[plan.industry]!)} ${suffix}`;
  const customer = addCustomer(b, { number: plan.number, name, currency: plan.label.currency });
  const slug = (s: string): string => s.toLowerCase().replace(/[^a-z]/g, '');
  const domain = `${slug(root)}${plan.number.slice(2)}.example`;
  const person = (k: number, role: 'user' | 'portal_admin', permissions: string[]): UserRec => {
    const first = b.faker.person.firstName();
    const last = b.faker.person.lastName();
    return addUser(b, customer, {
      email: `${slug(first)}.${slug(last)}${k > 1 ? `.${k}` : ''}@${domain}`,
      name: `${first} ${last}`,
      role,
      permissions,
      passwordHash: pw,
    });
  };
  const admin = person(1, 'portal_admin', ALL_PERMISSIONS);
  if (b.chance(0.6))
    person(
      2,
      'user',
      ALL_PERMISSIONS.filter((p) => p.endsWith('.view') || b.chance(0.5)),
    );
  if (b.chance(0.3)) person(3, 'user', ['invoices.view', 'contracts.view', 'assets.view']);
  addBankAccount(b, customer, canadian ? 'CA' : 'US');
  if (b.chance(0.5)) {
    const brand = b.pick(['Visa', 'Mastercard', 'American Express']);
    addMethod(b, customer, {
      kind: 'card',
      brand,
      last4: b.faker.string.numeric(4),
      exp: [b.int(1, 12), 2027 + b.int(0, 3)],
      nickname: `${brand} card`,
      isDefault: false,
    });
  }
  return { customer, admin };
}

export function addContracts(b: DemoBuilder, plan: CustomerPlan, customer: CustomerRec): ContractRec[] {
  const places = plan.label === MAPLE ? CA_PLACES : US_PLACES;
  const contracts = plan.contracts.map((k) => addPlannedContract(b, plan, customer, k, places));
  markOverdue(b, contracts, plan.fleet);
  enrolSome(b, customer, contracts, plan.fleet);
  setCreditLimit(b, customer, contracts);
  return contracts;
}

/**
 * A contract whose due dates are placed so that exactly `k.invoices` schedule lines are billed:
 * an active one has its last billed line within the next 30 days and the one after beyond them
 * (a line falls due at least 28 days × months per period after the previous one).
 */
function addPlannedContract(
  b: DemoBuilder,
  plan: CustomerPlan,
  customer: CustomerRec,
  k: ContractPlan,
  places: Place[],
): ContractRec {
  const m = MONTHS_PER_PERIOD[k.frequency];
  const n = k.termMonths / m;
  let anchorIndex: number;
  let anchor: string;
  let endedOn: string | undefined;
  if (k.status === 'active') {
    anchorIndex = k.invoices - 1;
    anchor = b.day(b.int(33 - 28 * m, 30));
  } else if (k.status === 'matured') {
    anchorIndex = n - 1;
    anchor = b.day(-b.int(m * 31 + 5, m * 31 + 600));
  } else {
    anchorIndex = k.invoices;
    anchor = b.day(-b.int(40, 400));
    endedOn = addDays(anchor, -b.int(1, 20));
  }
  const c = b.addContract({
    customer,
    label: plan.label,
    product: k.product,
    status: k.status,
    frequency: k.frequency,
    termMonths: k.termMonths,
    anchor,
    anchorIndex,
    equipment: k.equipment,
    unitCosts: b.unitCosts(k.equipment, k.units),
    rate: ((b.int(23, 37) * 25) / 10000).toFixed(6),
    place: b.pick(places),
    otherPlace: b.pick(places),
    endedOn,
    residualPercent: k.product === 'trac' ? b.int(20, 30) : b.int(10, 20),
    deposit: k.product === 'fmv' && b.chance(0.4),
  });
  if (c.invoices.length !== k.invoices)
    throw new Error(`${c.number}: planned ${k.invoices} invoices, billed ${c.invoices.length}`);
  return c;
}

/**
 * Leaves the latest rents of some active contracts unpaid (seeds' makeOverdue, one contract at a
 * time): one contract in three customers, or one active contract in five of the fleet's.
 */
function markOverdue(b: DemoBuilder, contracts: ContractRec[], fleet: boolean): void {
  const active = contracts.filter((c) => c.row.status === 'active');
  if (fleet) {
    for (const c of active)
      if (b.chance(0.2)) makeOverdue(b, [c], { count: b.int(1, 4), lateFee: b.chance(0.5) });
  } else if (active.length > 0 && b.chance(0.35)) {
    makeOverdue(b, [b.pick(active)], { count: b.chance(0.3) ? 2 : 1, lateFee: b.chance(0.5) });
  }
}

function enrolSome(b: DemoBuilder, customer: CustomerRec, contracts: ContractRec[], fleet: boolean): void {
  const ach = customer.methods.find((m) => m.kind === 'ach')!;
  const active = contracts.filter((c) => c.row.status === 'active');
  const share = fleet ? 0.02 : 0.1;
  const chosen = fleet ? active.filter(() => b.chance(share)) : b.chance(share) ? active.slice(0, 1) : [];
  for (const c of chosen) enrolAutopay(b, customer, c, ach.id, new Set());
}
