/** Labels, exchange rates, customers, users, payment methods and the generic contract maker. */
import { addDays } from '../src/lib/clock.ts';
import { CA_BANKS, US_BANKS, type Equipment, type Place } from './catalog.ts';
import {
  ts,
  type ContractRec,
  type ContractStatus,
  type CustomerRec,
  type DemoBuilder,
  type LabelRec,
  type MethodRec,
  type Product,
  type UserRec,
} from './builder.ts';
import { MONTHS_PER_PERIOD, type Frequency } from './schedule.ts';
import { PERMISSIONS } from '../src/http/types.ts';

export const ALL_PERMISSIONS: string[] = [...PERMISSIONS];

export const NORTHWIND: LabelRec = {
  id: 1,
  code: 'northwind',
  prefix: 'NW',
  currency: 'USD',
  lateFee: { graceDays: 10, percent: 5, minimumMinor: 2500 },
  payoffFeeMinor: 25000,
  discountRate: null,
};
export const MAPLE: LabelRec = {
  id: 2,
  code: 'maple',
  prefix: 'ML',
  currency: 'CAD',
  lateFee: { graceDays: 15, percent: 3, minimumMinor: 3500 },
  payoffFeeMinor: 35000,
  discountRate: '0.050000',
};

export function addLabels(b: DemoBuilder): void {
  const created_at = ts(b.day(-1200), 12);
  b.add('private_labels', {
    code: 'northwind',
    name: 'Northwind Equipment Finance',
    hosts: ['localhost', '127.0.0.1', 'northwind.localhost'],
    logo_path: '/img/labels/northwind.svg',
    primary_color: '#1d4f91',
    accent_color: '#0b6e4f',
    support_email: 'support@northwind.example',
    support_phone: '+1 800 555 0142',
    support_hours: 'Monday to Friday, 8:00 a.m. to 6:00 p.m. Eastern',
    email_from: 'Northwind Equipment Finance <billing@northwind.example>',
    primary_currency: 'USD',
    secondary_currencies: ['CAD', 'EUR', 'GBP'],
    time_zone: 'America/New_York',
    locale: 'en-US',
    payoff_validity_days: 30,
    payoff_discount_mode: 'contract',
    payoff_discount_rate: null,
    payoff_fee_minor: NORTHWIND.payoffFeeMinor,
    late_fee_rule: JSON.stringify(NORTHWIND.lateFee),
    is_default: true,
    created_at,
  });
  b.add('private_labels', {
    code: 'maple',
    name: 'Maple Leaf Leasing',
    hosts: ['maple.localhost'],
    logo_path: '/img/labels/maple.svg',
    primary_color: '#8a1c1c',
    accent_color: '#3d3d3d',
    support_email: 'service@mapleleaf.example',
    support_phone: '+1 888 555 0199',
    support_hours: 'Monday to Friday, 8:30 a.m. to 5:00 p.m. Eastern',
    email_from: 'Maple Leaf Leasing <accounts@mapleleaf.example>',
    primary_currency: 'CAD',
    secondary_currencies: ['USD', 'EUR'],
    time_zone: 'America/Toronto',
    locale: 'en-CA',
    payoff_validity_days: 30,
    payoff_discount_mode: 'label',
    payoff_discount_rate: MAPLE.discountRate,
    payoff_fee_minor: MAPLE.payoffFeeMinor,
    late_fee_rule: JSON.stringify(MAPLE.lateFee),
    is_default: false,
    created_at,
  });
}

/** Mid-market rates a few weeks apart, the latest a week before the business date. */
export function addExchangeRates(b: DemoBuilder): void {
  const table: [string, string, string[]][] = [
    ['USD', 'CAD', ['1.37120000', '1.37850000', '1.38410000']],
    ['USD', 'EUR', ['0.91830000', '0.92210000', '0.92040000']],
    ['USD', 'GBP', ['0.78620000', '0.79050000', '0.78890000']],
    ['CAD', 'USD', ['0.72930000', '0.72540000', '0.72250000']],
    ['CAD', 'EUR', ['0.66970000', '0.66890000', '0.66500000']],
  ];
  const dates = [b.day(-63), b.day(-35), b.day(-7)];
  for (const [from, to, rates] of table) {
    rates.forEach((rate, k) => {
      b.add('exchange_rates', {
        from_currency: from,
        to_currency: to,
        rate,
        as_of: dates[k],
        created_at: ts(dates[k]!, 21),
      });
    });
  }
}

export function addCustomer(
  b: DemoBuilder,
  o: { number: string; name: string; currency: string; creditLimit?: number },
): CustomerRec {
  const id = b.add('customers', {
    number: o.number,
    name: o.name,
    primary_currency: o.currency,
    credit_limit_minor: o.creditLimit ?? 0,
    status: 'active',
    created_at: ts(b.day(-1100 + b.int(0, 200)), 14),
  });
  return { id, number: o.number, name: o.name, currency: o.currency, users: [], methods: [] };
}

export function addUser(
  b: DemoBuilder,
  customer: CustomerRec | null,
  o: {
    email: string;
    name: string;
    role: 'user' | 'portal_admin' | 'superuser';
    permissions: string[];
    passwordHash: string | null;
    status?: string;
    phone?: string;
  },
): UserRec {
  const created = ts(b.day(-420 + b.int(0, 60)), 15);
  const status = o.status ?? 'active';
  const id = b.add('users', {
    email: o.email,
    name: o.name,
    password_hash: o.passwordHash,
    role: o.role,
    customer_id: customer?.id ?? null,
    permissions: o.permissions,
    status,
    failed_logins: 0,
    locked_until: null,
    last_login_at: status === 'active' ? ts(b.day(-b.int(1, 20)), 14, b.int(0, 59)) : null,
    session_version: 1,
    phone: o.phone ?? null,
    created_at: created,
    updated_at: created,
  });
  const u = { id, email: o.email, name: o.name, role: o.role, permissions: o.permissions };
  customer?.users.push(u);
  return u;
}

export function addMethod(
  b: DemoBuilder,
  c: CustomerRec,
  o: {
    kind: 'card' | 'ach';
    brand?: string;
    last4: string;
    exp?: [number, number];
    bank?: string;
    nickname: string;
    isDefault: boolean;
    status?: string;
  },
): MethodRec {
  const id = b.add('payment_methods', {});
  Object.assign(b.rows.payment_methods.at(-1)!, {
    customer_id: c.id,
    kind: o.kind,
    gateway: 'sandbox',
    gateway_token: `tok_sandbox_${o.kind}_${b.faker.string.alphanumeric({ length: 16, casing: 'lower' })}`,
    brand: o.kind === 'card' ? o.brand : null,
    last4: o.last4,
    exp_month: o.exp?.[0] ?? null,
    exp_year: o.exp?.[1] ?? null,
    bank_name: o.kind === 'ach' ? o.bank : null,
    account_holder: o.kind === 'ach' ? c.name : null,
    nickname: o.nickname,
    is_default: o.isDefault,
    status: o.status ?? 'active',
    created_by: c.users[0]?.id ?? null,
    created_at: ts(b.day(-400 + b.int(0, 30)), 16),
  });
  const m: MethodRec = {
    id,
    kind: o.kind,
    label: o.kind === 'card' ? `${o.brand} ending ${o.last4}` : `${o.bank} account ending ${o.last4}`,
  };
  if ((o.status ?? 'active') === 'active') c.methods.push(m);
  return m;
}

export function addBankAccount(b: DemoBuilder, c: CustomerRec, country: 'US' | 'CA'): MethodRec {
  const bank = b.pick(country === 'US' ? US_BANKS : CA_BANKS);
  return addMethod(b, c, {
    kind: 'ach',
    last4: b.faker.string.numeric(4),
    bank,
    nickname: 'Operating account',
    isDefault: true,
  });
}

export interface ContractChoice {
  product?: Product;
  status?: ContractStatus;
  frequency?: Frequency;
  termMonths?: number;
  equipment: Equipment;
  units?: number;
}

/** A contract with the given equipment; product, frequency, term, status and dates as chosen or drawn. */
export function randomContract(
  b: DemoBuilder,
  customer: CustomerRec,
  label: LabelRec,
  places: Place[],
  o: ContractChoice,
): ContractRec {
  const e = o.equipment;
  const products: { weight: number; value: Product }[] = [
    { weight: 4, value: 'fmv' },
    { weight: 3, value: 'one_dollar_buyout' },
    { weight: 2, value: 'loan' },
  ];
  if (e.vehicle) products.push({ weight: 2, value: 'trac' }); // TRAC leases are for road vehicles only
  const product = o.product ?? b.faker.helpers.weightedArrayElement(products);
  const frequency =
    o.frequency ??
    b.faker.helpers.weightedArrayElement<Frequency>([
      { weight: 12, value: 'monthly' },
      { weight: 4, value: 'quarterly' },
      { weight: 1, value: 'semiannual' },
      { weight: 2, value: 'annual' },
    ]);
  const termMonths = o.termMonths ?? b.pick([24, 36, 48, 60]);
  const status =
    o.status ??
    b.faker.helpers.weightedArrayElement<ContractStatus>([
      { weight: 15, value: 'active' },
      { weight: 3, value: 'matured' },
      { weight: 2, value: 'paid_off' },
      { weight: 1, value: 'terminated' },
    ]);
  const m = MONTHS_PER_PERIOD[frequency];
  const n = termMonths / m;
  let anchorIndex: number;
  let anchor: string;
  let endedOn: string | undefined;
  if (status === 'active') {
    anchorIndex = b.int(1, n - 1);
    anchor = b.day(b.int(1, m * 30 - 1));
  } else if (status === 'matured') {
    anchorIndex = n - 1;
    anchor = b.day(-b.int(m * 31 + 5, m * 31 + 600));
  } else {
    anchorIndex = n > 2 ? b.int(1, n - 2) : 1;
    anchor = b.day(-b.int(40, 400));
    endedOn = addDays(anchor, -b.int(1, 20));
  }
  const place = b.pick(places);
  return b.addContract({
    customer,
    label,
    product,
    status,
    frequency,
    termMonths,
    anchor,
    anchorIndex,
    equipment: e,
    unitCosts: b.unitCosts(e, o.units ?? b.int(1, 4)),
    rate: ((b.int(23, 37) * 25) / 10000).toFixed(6),
    place,
    otherPlace: b.pick(places),
    endedOn,
    residualPercent: product === 'trac' ? b.int(20, 30) : b.int(10, 20),
    deposit: product === 'fmv' && b.chance(0.4),
  });
}

/** Leaves the latest past-due invoice of one active contract unpaid (and sometimes the one before). */
export function makeOverdue(
  b: DemoBuilder,
  contracts: ContractRec[],
  opts: { count: number; lateFee: boolean },
): void {
  const active = contracts.filter((c) => c.row.status === 'active' && c.invoices.some((i) => i.due < b.asOf));
  const c = active[0];
  if (!c) return;
  const past = c.invoices.filter((i) => i.due < b.asOf).slice(-opts.count);
  for (const inv of past) inv.plan = 'open';
  const oldest = past[0];
  if (opts.lateFee && oldest && oldest.due < b.day(-(c.label.lateFee.graceDays + 1))) b.addLateFee(oldest);
}

/** Sets the credit limit to about 1.4 × the financed amounts, in whole ten-thousands. */
export function setCreditLimit(b: DemoBuilder, c: CustomerRec, contracts: ContractRec[]): void {
  const financed = contracts.reduce((s, k) => s + k.financed, 0);
  const row = b.rows.customers.find((r) => r.id === c.id)!;
  row.credit_limit_minor = Math.max(1, Math.round((financed * 14) / 10 / 1_000_000)) * 1_000_000;
}
