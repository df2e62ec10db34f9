/**
 * The shape of the whole data set, decided before any row is made: each customer's label and
 * contracts, and each contract's product, term, status, number of invoices and of assets. The
 * counts are drawn at random but add up exactly to the targets (bench/loader/options.ts), so a
 * full-size load has exactly 100,000 contracts, 1,000,000 invoices and so on. A plan is a few
 * small objects per contract; the rows themselves are made one customer at a time.
 */
import type { ContractStatus, DemoBuilder, LabelRec, Product } from '../../seeds/builder.ts';
import { INDUSTRIES, type Equipment } from '../../seeds/catalog.ts';
import { MAPLE, NORTHWIND } from '../../seeds/parties.ts';
import { MONTHS_PER_PERIOD, type Frequency } from '../../seeds/schedule.ts';
import type { Targets } from './options.ts';

export interface ContractPlan {
  product: Product;
  status: ContractStatus;
  frequency: Frequency;
  termMonths: number;
  equipment: Equipment;
  /** Invoices billed so far (schedule lines due by the business date + 30 days, or until it ended). */
  invoices: number;
  /** Assets (units of equipment) on the contract. */
  units: number;
}

export interface CustomerPlan {
  number: string;
  label: LabelRec;
  fleet: boolean;
  industry: string;
  contracts: ContractPlan[];
  /** Payments of every status, each with at least one allocation. */
  payments: number;
}

interface Profile {
  frequency: { weight: number; value: Frequency }[];
  terms: number[];
  status: { weight: number; value: ContractStatus }[];
  maxUnits: number;
  /** Chance a contract's equipment comes from the customer's own industry. */
  ownIndustry: number;
}

const STANDARD: Profile = {
  frequency: [
    { weight: 12, value: 'monthly' },
    { weight: 4, value: 'quarterly' },
    { weight: 1, value: 'semiannual' },
    { weight: 2, value: 'annual' },
  ],
  terms: [24, 36, 48, 60],
  status: [
    { weight: 16, value: 'active' },
    { weight: 2, value: 'matured' },
    { weight: 2, value: 'paid_off' },
    { weight: 1, value: 'terminated' },
  ],
  maxUnits: 4,
  ownIndustry: 0.7,
};

/** The hard case: a trucking fleet on long monthly schedules (60 to 84 rows), many units each. */
const FLEET: Profile = {
  frequency: [
    { weight: 9, value: 'monthly' },
    { weight: 1, value: 'quarterly' },
  ],
  terms: [36, 48, 60, 60, 72, 72, 84],
  status: [
    { weight: 18, value: 'active' },
    { weight: 1, value: 'matured' },
    { weight: 1, value: 'paid_off' },
  ],
  maxUnits: 10,
  ownIndustry: 0.85,
};

export const FLEET_NUMBER = 'C-100001';

export function planCustomers(b: DemoBuilder, t: Targets): CustomerPlan[] {
  const others = t.customers - 1;
  const perCustomer = apportion(
    Array.from({ length: others }, () => ({
      min: 1,
      max: 5_000,
      want: 2 + 60 * b.faker.number.float() ** 4,
    })),
    t.contracts - t.fleetContracts,
  );
  let northwind = 1;
  let maple = 0;
  const customers: CustomerPlan[] = [
    {
      number: FLEET_NUMBER,
      label: NORTHWIND,
      fleet: true,
      industry: 'transport',
      contracts: planContracts(b, FLEET, 'transport', t.fleetContracts, t.fleetInvoices, t.fleetAssets),
      payments: 0,
    },
  ];
  const standard: ContractPlan[][] = [];
  const industries: string[] = [];
  for (let k = 0; k < others; k++) {
    const industry = b.pick(INDUSTRIES);
    industries.push(industry);
    standard.push(Array.from({ length: perCustomer[k]! }, () => drawContract(b, STANDARD, industry)));
  }
  const flat = standard.flat();
  fillCounts(b, flat, STANDARD, t.invoices - t.fleetInvoices, t.assets - t.fleetAssets);
  standard.forEach((contracts, k) => {
    const label = k % 3 === 2 ? MAPLE : NORTHWIND;
    const serial =
      label === MAPLE ? `2${String(++maple).padStart(5, '0')}` : `1${String(++northwind).padStart(5, '0')}`;
    customers.push({
      number: `C-${serial}`,
      label,
      fleet: false,
      industry: industries[k]!,
      contracts,
      payments: 0,
    });
  });
  const invoices = customers.map((c) => c.contracts.reduce((s, k) => s + k.invoices, 0));
  const payments = apportion(
    invoices.map((n) => ({ min: 0, max: n, want: n })),
    t.payments,
  );
  customers.forEach((c, k) => (c.payments = payments[k]!));
  return customers;
}

function planContracts(
  b: DemoBuilder,
  p: Profile,
  industry: string,
  count: number,
  invoices: number,
  assets: number,
): ContractPlan[] {
  const contracts = Array.from({ length: count }, () => drawContract(b, p, industry));
  fillCounts(b, contracts, p, invoices, assets);
  return contracts;
}

function drawContract(b: DemoBuilder, p: Profile, industry: string): ContractPlan {
  const equipment = b.equipmentFor(b.chance(p.ownIndustry) ? industry : b.pick(INDUSTRIES));
  const products: { weight: number; value: Product }[] = [
    { weight: 4, value: 'fmv' },
    { weight: 3, value: 'one_dollar_buyout' },
    { weight: 2, value: 'loan' },
  ];
  if (equipment.vehicle) products.push({ weight: 2, value: 'trac' }); // TRAC leases are for road vehicles
  const frequency = b.faker.helpers.weightedArrayElement(p.frequency);
  const termMonths = b.pick(p.terms);
  let status = b.faker.helpers.weightedArrayElement(p.status);
  // An ended contract stopped with at least two rents left unbilled: it needs three or more.
  if (status !== 'active' && status !== 'matured' && periods(termMonths, frequency) < 3) status = 'matured';
  const product = b.faker.helpers.weightedArrayElement(products);
  return { product, status, frequency, termMonths, equipment, invoices: 0, units: 0 };
}

/** Sets each contract's invoice and asset counts so that the group's add up to the targets. */
function fillCounts(
  b: DemoBuilder,
  contracts: ContractPlan[],
  p: Profile,
  invoices: number,
  assets: number,
): void {
  const billed = apportion(
    contracts.map((k) => {
      const n = periods(k.termMonths, k.frequency);
      const [min, max] = billedRange(k.status, n);
      return { min, max, want: b.int(min, max) };
    }),
    invoices,
  );
  const units = apportion(
    contracts.map(() => ({ min: 1, max: p.maxUnits, want: b.int(1, p.maxUnits) })),
    assets,
  );
  contracts.forEach((k, i) => {
    k.invoices = billed[i]!;
    k.units = units[i]!;
  });
}

/**
 * How many schedule lines a contract may have billed: an active one at least two (one past, the
 * next due) and up to all; a matured one all; a paid-off or terminated one stopped early.
 */
function billedRange(status: ContractStatus, n: number): [number, number] {
  if (status === 'active') return [Math.min(2, n), n];
  if (status === 'matured') return [n, n];
  return [1, n - 2];
}

export function periods(termMonths: number, frequency: Frequency): number {
  return termMonths / MONTHS_PER_PERIOD[frequency];
}

/**
 * One whole number per item, each within [min, max] and close to its share of `total` by
 * `want`, adding up to exactly `total`. Items with min = max are fixed and set aside first; each
 * later pick is clamped so that what is left can still be placed.
 */
export function apportion(items: { min: number; max: number; want: number }[], total: number): number[] {
  let left = total;
  let minLeft = 0;
  let maxLeft = 0;
  let wantLeft = 0;
  for (const it of items) {
    if (it.min === it.max) left -= it.min;
    else {
      minLeft += it.min;
      maxLeft += it.max;
      wantLeft += it.want;
    }
  }
  if (left < minLeft || left > maxLeft)
    throw new RangeError(`cannot place ${total} over ${items.length} items: ${minLeft}..${maxLeft} fit`);
  return items.map((it) => {
    if (it.min === it.max) return it.min;
    minLeft -= it.min;
    maxLeft -= it.max;
    const target = wantLeft > 0 ? Math.round((it.want * left) / wantLeft) : it.min;
    wantLeft -= it.want;
    const v = Math.min(Math.max(target, it.min, left - maxLeft), it.max, left - minLeft);
    left -= v;
    return v;
  });
}
