/**
 * The whole demo data set as rows, computed from (asOf, scale, seed) alone: no clock, no
 * database. The same inputs give byte-identical rows.
 */
import { addDays } from '../src/lib/clock.ts';
import { addAcme } from './acme.ts';
import { addActivities } from './activities.ts';
import { addCoreCustomers, enrolAutopay } from './core-customers.ts';
import { DemoBuilder, TABLES, type CustomerRec, type Row, type Table } from './builder.ts';
import { CA_PLACES, INDUSTRIES, US_PLACES } from './catalog.ts';
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

/** Words for generated customer names, by industry (also used by bench/load.ts). */
export const NAME_WORDS: Record<string, string[]> = {
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

export { TABLES };
