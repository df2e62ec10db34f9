/**
 * The whole demo data set as rows, computed from (asOf, scale, seed) alone: no clock, no
 * database. The same inputs give byte-identical rows.
 */
import { addDays } from '../src/lib/clock.ts';
import { formatMoney } from '../src/lib/money.ts';
import { addAcme } from './acme.ts';
import {
  DemoBuilder,
  TABLES,
  ts,
  type ContractRec,
  type CustomerRec,
  type Row,
  type Table,
  type UserRec,
} from './builder.ts';
import { CA_PLACES, EQUIPMENT, INDUSTRIES, US_PLACES } from './catalog.ts';
import {
  ALL_PERMISSIONS,
  MAPLE,
  NORTHWIND,
  addBankAccount,
  addCustomer,
  addExchangeRates,
  addLabels,
  addMethod,
  addUser,
  makeOverdue,
  randomContract,
  setCreditLimit,
} from './parties.ts';

export interface DemoSummary {
  labels: number;
  customers: number;
  users: number;
  contracts: number;
  invoices: number;
  payments: number;
  assets: number;
}

export interface DemoData {
  rows: Record<Table, Row[]>;
  summary: DemoSummary;
}

const eq = (industry: string, model: string) => EQUIPMENT[industry]!.find((e) => e.model === model)!;

const NAME_WORDS: Record<string, string[]> = {
  construction: ['Construction', 'Earthworks', 'Builders', 'Civil Contractors'],
  transport: ['Freight', 'Logistics', 'Transport', 'Haulage'],
  warehouse: ['Distribution', 'Warehousing', 'Supply'],
  medical: ['Medical Group', 'Imaging Center', 'Health Partners'],
  it: ['Data Systems', 'Technologies', 'Cloud Services'],
  print: ['Printing', 'Graphics', 'Press'],
  agriculture: ['Farms', 'Agri Services', 'Growers'],
  access: ['Equipment Rentals', 'Site Services'],
};

export function generateDemo(o: {
  asOf: string;
  scale: number;
  seed: number;
  passwordHash: string;
}): DemoData {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(o.asOf) || addDays(o.asOf, 0) !== o.asOf) {
    throw new RangeError(`asOf must be a real date as YYYY-MM-DD, not ${o.asOf}`);
  }
  if (!Number.isInteger(o.scale) || o.scale < 1 || o.scale > 1000)
    throw new RangeError('scale must be an integer 1..1000');
  const b = new DemoBuilder(o.asOf, o.seed);
  const pw = o.passwordHash;
  addLabels(b);
  addExchangeRates(b);
  const superuser = addUser(b, null, {
    email: 'super@northwind.example',
    name: 'Sam Rivera',
    role: 'superuser',
    permissions: ALL_PERMISSIONS,
    passwordHash: pw,
  });
  const customers: CustomerRec[] = [];
  const autopay = new Set<number>();

  const acme = addAcme(b, pw, superuser);
  customers.push(acme.customer);
  customers.push(...addCoreCustomers(b, pw, superuser, autopay));

  const generated = 6 * o.scale - 3;
  let nw = 0;
  let ml = 0;
  for (let k = 0; k < generated; k++) {
    const label = k % 3 === 2 ? MAPLE : NORTHWIND;
    const number = label === MAPLE ? customerNumber(2, 3 + ml++) : customerNumber(1, 4 + nw++);
    customers.push(addGeneratedCustomer(b, label, number, pw, autopay));
  }

  b.settleInvoices((c) => {
    const method = c.customer.methods.find((m) => m.kind === 'ach') ?? c.customer.methods[0]!;
    if (autopay.has(c.id)) return { method, userId: null, source: 'autopay' };
    const payer =
      c.customer.users.find((u) => u.permissions.includes('payments.make') && u.role === 'user') ??
      c.customer.users[0]!;
    const card = c.customer.methods.find((m) => m.kind === 'card');
    return { method: card && b.chance(0.25) ? card : method, userId: payer.id, source: 'portal' };
  });
  addActivities(b, customers, acme.customer.id);

  const rows = b.rows;
  return {
    rows,
    summary: {
      labels: rows.private_labels.length,
      customers: rows.customers.length,
      users: rows.users.length,
      contracts: rows.contracts.length,
      invoices: rows.invoices.length,
      payments: rows.payments.length,
      assets: rows.assets.length,
    },
  };
}

function customerNumber(series: 1 | 2, k: number): string {
  return `C-${series}${String(k).padStart(k < 10_000 ? 4 : 6, '0')}`;
}

function addCoreCustomers(
  b: DemoBuilder,
  pw: string,
  superuser: UserRec,
  autopay: Set<number>,
): CustomerRec[] {
  const admin = (c: CustomerRec, email: string, name: string): UserRec =>
    addUser(b, c, { email, name, role: 'portal_admin', permissions: ALL_PERMISSIONS, passwordHash: pw });

  const birch = addCustomer(b, { number: 'C-10002', name: 'Birch Logistics LLC', currency: 'USD' });
  admin(birch, 'admin@birch.example', 'Renee Castillo');
  addUser(b, birch, {
    email: 'fleet@birch.example',
    name: 'Tomás Herrera',
    role: 'user',
    permissions: [
      'assets.view',
      'assets.request_location_change',
      'contracts.view',
      'service_requests.manage',
    ],
    passwordHash: pw,
  });
  addBankAccount(b, birch, 'US');
  const birchContracts = [
    randomContract(b, birch, NORTHWIND, US_PLACES, {
      equipment: eq('transport', 'T680'),
      units: 2,
      product: 'trac',
      frequency: 'monthly',
      termMonths: 48,
      status: 'active',
    }),
    randomContract(b, birch, NORTHWIND, US_PLACES, {
      equipment: eq('warehouse', 'H50FT'),
      units: 3,
      product: 'fmv',
      frequency: 'monthly',
      termMonths: 36,
      status: 'active',
    }),
    randomContract(b, birch, NORTHWIND, US_PLACES, {
      equipment: eq('transport', 'NPR-HD'),
      units: 4,
      product: 'one_dollar_buyout',
      frequency: 'quarterly',
      termMonths: 60,
      status: 'active',
    }),
    randomContract(b, birch, NORTHWIND, US_PLACES, {
      equipment: eq('transport', 'ProMaster 2500'),
      units: 4,
      product: 'loan',
      frequency: 'monthly',
      termMonths: 48,
      status: 'matured',
    }),
  ];
  makeOverdue(b, birchContracts, { count: 1, lateFee: true });
  setCreditLimit(b, birch, birchContracts);
  b.add('service_requests', {
    number: `SR-${String(b.rows.service_requests.length + 1).padStart(6, '0')}`,
    customer_id: birch.id,
    private_label_id: NORTHWIND.id,
    contract_id: birchContracts[0]!.id,
    asset_id: null,
    category: 'title_registration',
    subject: 'Registration renewal for the T680 tractors',
    description: 'The Texas registrations expire next month; please send the renewal paperwork.',
    status: 'in_progress',
    priority: 'normal',
    created_by: birch.users[0]!.id,
    created_at: ts(b.day(-6), 15),
    updated_at: ts(b.day(-5), 15),
  });

  const cedar = addCustomer(b, { number: 'C-10003', name: 'Cedar Medical Group', currency: 'USD' });
  admin(cedar, 'admin@cedar.example', 'Helen Okafor');
  const cedarAch = addBankAccount(b, cedar, 'US');
  const cedarContracts = [
    randomContract(b, cedar, NORTHWIND, US_PLACES, {
      equipment: eq('medical', 'SIGNA Explorer 1.5T'),
      units: 1,
      product: 'fmv',
      frequency: 'monthly',
      termMonths: 60,
      status: 'active',
    }),
    randomContract(b, cedar, NORTHWIND, US_PLACES, {
      equipment: eq('medical', 'SOMATOM go.Up'),
      units: 1,
      product: 'loan',
      frequency: 'monthly',
      termMonths: 60,
      status: 'active',
    }),
    randomContract(b, cedar, NORTHWIND, US_PLACES, {
      equipment: eq('medical', 'EPIQ Elite'),
      units: 2,
      product: 'fmv',
      frequency: 'annual',
      termMonths: 36,
      status: 'active',
    }),
    randomContract(b, cedar, NORTHWIND, US_PLACES, {
      equipment: eq('it', 'PowerEdge R760'),
      units: 4,
      product: 'fmv',
      frequency: 'semiannual',
      termMonths: 36,
      status: 'active',
    }),
  ];
  setCreditLimit(b, cedar, cedarContracts);
  enrolAutopay(b, cedar, cedarContracts[0]!, cedarAch.id, autopay);

  const harvest = addCustomer(b, { number: 'C-20001', name: 'Maple Harvest Farms Ltd.', currency: 'CAD' });
  admin(harvest, 'admin@mapleharvest.example', 'Marc Tremblay');
  addBankAccount(b, harvest, 'CA');
  const farm = CA_PLACES.filter((p) => ['SK', 'MB', 'AB'].includes(p.region));
  const harvestContracts = [
    randomContract(b, harvest, MAPLE, farm, {
      equipment: eq('agriculture', '8R 370'),
      units: 2,
      product: 'fmv',
      frequency: 'annual',
      termMonths: 60,
      status: 'active',
    }),
    randomContract(b, harvest, MAPLE, farm, {
      equipment: eq('agriculture', 'Axial-Flow 8250'),
      units: 1,
      product: 'one_dollar_buyout',
      frequency: 'semiannual',
      termMonths: 60,
      status: 'active',
    }),
    randomContract(b, harvest, MAPLE, farm, {
      equipment: eq('agriculture', 'Guardian SP310F'),
      units: 1,
      product: 'loan',
      frequency: 'monthly',
      termMonths: 48,
      status: 'active',
    }),
  ];
  makeOverdue(b, harvestContracts.slice(2), { count: 1, lateFee: true });
  setCreditLimit(b, harvest, harvestContracts);

  const lakeshore = addCustomer(b, { number: 'C-20002', name: 'Lakeshore Print Co.', currency: 'CAD' });
  admin(lakeshore, 'admin@lakeshore.example', 'Janet Kowalski');
  addBankAccount(b, lakeshore, 'CA');
  addMethod(b, lakeshore, {
    kind: 'card',
    brand: 'Mastercard',
    last4: '4444',
    exp: [11, 2027],
    nickname: 'Purchasing card',
    isDefault: false,
  });
  const ont = CA_PLACES.filter((p) => p.region === 'ON');
  const lakeshoreContracts = [
    randomContract(b, lakeshore, MAPLE, ont, {
      equipment: eq('print', 'Indigo 7K'),
      units: 1,
      product: 'fmv',
      frequency: 'monthly',
      termMonths: 60,
      status: 'active',
    }),
    randomContract(b, lakeshore, MAPLE, ont, {
      equipment: eq('print', 'Versant 280'),
      units: 2,
      product: 'fmv',
      frequency: 'monthly',
      termMonths: 36,
      status: 'active',
    }),
    randomContract(b, lakeshore, MAPLE, ont, {
      equipment: eq('print', 'AccurioPress C4080'),
      units: 1,
      product: 'one_dollar_buyout',
      frequency: 'monthly',
      termMonths: 36,
      status: 'matured',
    }),
  ];
  setCreditLimit(b, lakeshore, lakeshoreContracts);
  void superuser;
  return [birch, cedar, harvest, lakeshore];
}

function enrolAutopay(
  b: DemoBuilder,
  c: CustomerRec,
  k: ContractRec,
  methodId: number,
  autopay: Set<number>,
): void {
  const start = String(k.row.start_date);
  b.add('autopay_enrollments', {
    customer_id: c.id,
    contract_id: k.id,
    payment_method_id: methodId,
    days_before_due: 3,
    active: true,
    accepted_terms_at: ts(start, 13),
    created_by: c.users[0]?.id ?? null,
    created_at: ts(start, 13),
    cancelled_at: null,
  });
  autopay.add(k.id);
}

function addGeneratedCustomer(
  b: DemoBuilder,
  label: typeof NORTHWIND,
  number: string,
  pw: string,
  autopay: Set<number>,
): CustomerRec {
  const industry = b.pick(INDUSTRIES);
  const canadian = label === MAPLE;
  const suffix = b.pick(canadian ? ['Ltd.', 'Inc.', 'Corp.'] : ['Inc.', 'LLC', 'Corp.', 'Co.']);
  const root = b.faker.person.lastName();
  const name = `${root} ${b.pick(NAME_WORDS[industry]!)} ${suffix}`;
  const c = addCustomer(b, { number, name, currency: label.currency });
  const domain = `${root.toLowerCase().replace(/[^a-z]/g, '')}${number.slice(2)}.example`;
  const person = (): [string, string] => [b.faker.person.firstName(), b.faker.person.lastName()];
  const [f1, l1] = person();
  const slug = (s: string): string => s.toLowerCase().replace(/[^a-z]/g, '');
  addUser(b, c, {
    email: `${slug(f1)}.${slug(l1)}@${domain}`,
    name: `${f1} ${l1}`,
    role: 'portal_admin',
    permissions: ALL_PERMISSIONS,
    passwordHash: pw,
  });
  if (b.chance(0.6)) {
    const [f2, l2] = person();
    const perms = ALL_PERMISSIONS.filter((p) => p.endsWith('.view') || b.chance(0.5));
    addUser(b, c, {
      email: `${slug(f2)}.${slug(l2)}.2@${domain}`,
      name: `${f2} ${l2}`,
      role: 'user',
      permissions: perms,
      passwordHash: pw,
    });
  }
  const ach = addBankAccount(b, c, canadian ? 'CA' : 'US');
  if (b.chance(0.5)) {
    const brand = b.pick(['Visa', 'Mastercard', 'American Express']);
    addMethod(b, c, {
      kind: 'card',
      brand,
      last4: b.faker.string.numeric(4),
      exp: [b.int(1, 12), 2027 + b.int(0, 3)],
      nickname: `${brand} card`,
      isDefault: false,
    });
  }
  const places = canadian ? CA_PLACES : US_PLACES;
  const contracts = Array.from({ length: b.int(2, 6) }, () =>
    randomContract(b, c, label, places, {
      equipment: b.equipmentFor(b.chance(0.7) ? industry : b.pick(INDUSTRIES)),
    }),
  );
  if (b.chance(0.35)) makeOverdue(b, contracts, { count: b.chance(0.3) ? 2 : 1, lateFee: b.chance(0.5) });
  const auto = contracts.find((k) => k.row.status === 'active');
  if (auto && b.chance(0.15)) enrolAutopay(b, c, auto, ach.id, autopay);
  setCreditLimit(b, c, contracts);
  return c;
}

/** The Recent Activities feed: the last 60 days of invoices, payments and requests per customer. */
function addActivities(b: DemoBuilder, customers: CustomerRec[], richId: number): void {
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

export { TABLES };
