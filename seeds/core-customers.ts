/** The four fixed customers besides Acme: Birch, Cedar (nothing overdue), Maple Harvest, Lakeshore. */
import { ts, type ContractRec, type CustomerRec, type DemoBuilder, type UserRec } from './builder.ts';
import { CA_PLACES, EQUIPMENT, US_PLACES } from './catalog.ts';
import {
  ALL_PERMISSIONS,
  MAPLE,
  NORTHWIND,
  addBankAccount,
  addCustomer,
  addMethod,
  addUser,
  makeOverdue,
  randomContract,
  setCreditLimit,
} from './parties.ts';

const eq = (industry: string, model: string) => EQUIPMENT[industry]!.find((e) => e.model === model)!;

export function addCoreCustomers(
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
    number: `SR-${b.asOf.slice(0, 4)}-${String(b.rows.service_requests.length + 1).padStart(6, '0')}`,
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

export function enrolAutopay(
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
