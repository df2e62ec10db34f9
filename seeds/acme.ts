/**
 * Acme Construction Inc. (C-10001), the richest demo customer: every product under Northwind,
 * one contract under Maple, and every state a page has to show (overdue at 12/45/75 days, a
 * partial payment, a late fee, an ACH payment in progress, a failed card payment, a scheduled
 * payment, open requests, payoff quotes in review / issued / expired).
 */
import { CA_PLACES, EQUIPMENT, US_PLACES, type Place } from './catalog.ts';
import {
  ts,
  type ContractRec,
  type CustomerRec,
  type DemoBuilder,
  type InvoiceRec,
  type UserRec,
} from './builder.ts';
import { addCustomer, addMethod, addUser, ALL_PERMISSIONS, MAPLE, NORTHWIND } from './parties.ts';
import { addAcmeAudit, addAcmeRequests } from './acme-requests.ts';

const place = (list: Place[], city: string): Place => list.find((p) => p.city === city)!;
const eq = (industry: string, model: string) => EQUIPMENT[industry]!.find((e) => e.model === model)!;

export interface AcmeResult {
  customer: CustomerRec;
  contracts: ContractRec[];
  ap: UserRec;
  admin: UserRec;
}

export function addAcme(b: DemoBuilder, passwordHash: string, superuser: UserRec): AcmeResult {
  const acme = addCustomer(b, {
    number: 'C-10001',
    name: 'Acme Construction Inc.',
    currency: 'USD',
    creditLimit: 2_500_000_00,
  });
  const user = (
    email: string,
    name: string,
    role: 'user' | 'portal_admin',
    permissions: string[],
    status = 'active',
  ) =>
    addUser(b, acme, {
      email,
      name,
      role,
      permissions,
      status,
      passwordHash: status === 'invited' ? null : passwordHash,
      phone: '(713) 555-0' + String(100 + acme.users.length),
    });
  const admin = user('admin@acme.example', 'Dana Whitfield', 'portal_admin', ALL_PERMISSIONS);
  const ap = user('ap@acme.example', 'Priya Raman', 'user', ALL_PERMISSIONS);
  user('viewer@acme.example', 'Marcus Lee', 'user', ['invoices.view', 'contracts.view']);
  const former = user(
    'former@acme.example',
    'Gordon Pratt',
    'user',
    ['invoices.view', 'payments.make'],
    'inactive',
  );
  const invited = user(
    'new@acme.example',
    'Tess Alvarez',
    'user',
    ['invoices.view', 'payments.make'],
    'invited',
  );

  const ach = addMethod(b, acme, {
    kind: 'ach',
    last4: '6789',
    bank: 'First National Bank',
    nickname: 'Operating account',
    isDefault: true,
  });
  const visa = addMethod(b, acme, {
    kind: 'card',
    brand: 'Visa',
    last4: '4242',
    exp: [8, 2028],
    nickname: 'Company Visa',
    isDefault: false,
  });
  addMethod(b, acme, {
    kind: 'card',
    brand: 'Mastercard',
    last4: '5454',
    exp: [3, 2025],
    nickname: 'Old fuel card',
    isDefault: false,
    status: 'removed',
  });

  const HOU = place(US_PLACES, 'Houston');
  const DAL = place(US_PLACES, 'Dallas');
  const PHX = place(US_PLACES, 'Phoenix');
  const DEN = place(US_PLACES, 'Denver');
  const nw = { customer: acme, label: NORTHWIND };
  const excavators = b.addContract({
    ...nw,
    product: 'fmv',
    status: 'active',
    frequency: 'monthly',
    termMonths: 48,
    anchor: b.day(-75),
    anchorIndex: 22,
    equipment: eq('construction', '336 Next Gen'),
    unitCosts: [412_500_00, 408_900_00],
    rate: '0.074500',
    place: HOU,
    otherPlace: DAL,
    residualPercent: 20,
    deposit: true,
  });
  const trucks = b.addContract({
    ...nw,
    product: 'one_dollar_buyout',
    status: 'active',
    frequency: 'monthly',
    termMonths: 60,
    anchor: b.day(-45),
    anchorIndex: 30,
    equipment: eq('transport', 'Cascadia 126'),
    unitCosts: [168_400_00, 168_400_00, 171_250_00],
    rate: '0.082500',
    place: DAL,
  });
  const pickups = b.addContract({
    ...nw,
    product: 'trac',
    status: 'active',
    frequency: 'monthly',
    termMonths: 36,
    anchor: b.day(-12),
    anchorIndex: 8,
    equipment: eq('transport', 'F-550 Super Duty'),
    unitCosts: [74_900_00, 74_900_00, 76_350_00, 76_350_00],
    rate: '0.069900',
    place: PHX,
    otherPlace: DEN,
    residualPercent: 25,
  });
  const loader = b.addContract({
    ...nw,
    product: 'loan',
    status: 'active',
    frequency: 'quarterly',
    termMonths: 48,
    anchor: b.day(20),
    anchorIndex: 6,
    equipment: eq('construction', 'L120H'),
    unitCosts: [286_000_00],
    rate: '0.069000',
    place: HOU,
  });
  const forklifts = b.addContract({
    ...nw,
    product: 'fmv',
    status: 'active',
    frequency: 'quarterly',
    termMonths: 36,
    anchor: b.day(5),
    anchorIndex: 4,
    equipment: eq('warehouse', '8FGCU25'),
    unitCosts: [36_800_00, 36_800_00, 36_800_00, 36_800_00],
    rate: '0.078000',
    place: HOU,
    residualPercent: 15,
  });
  const servers = b.addContract({
    ...nw,
    product: 'fmv',
    status: 'matured',
    frequency: 'monthly',
    termMonths: 36,
    anchor: b.day(-40),
    anchorIndex: 35,
    equipment: eq('it', 'PowerEdge R760'),
    unitCosts: [24_600_00, 24_600_00, 24_600_00],
    rate: '0.065000',
    place: HOU,
    residualPercent: 10,
  });
  const skidSteers = b.addContract({
    ...nw,
    product: 'one_dollar_buyout',
    status: 'paid_off',
    frequency: 'monthly',
    termMonths: 36,
    anchor: b.day(-200),
    anchorIndex: 20,
    endedOn: b.day(-190),
    equipment: eq('construction', 'S650'),
    unitCosts: [62_300_00, 62_300_00],
    rate: '0.071000',
    place: DAL,
  });
  const lifts = b.addContract({
    customer: acme,
    label: MAPLE,
    product: 'fmv',
    status: 'active',
    frequency: 'monthly',
    termMonths: 48,
    anchor: b.day(8),
    anchorIndex: 14,
    equipment: eq('access', 'S-65 XC'),
    unitCosts: [134_500_00, 134_500_00],
    rate: '0.071000',
    place: place(CA_PLACES, 'Mississauga'),
    residualPercent: 15,
  });

  const at = (c: ContractRec, due: string): InvoiceRec => c.invoices.find((i) => i.due === due)!;
  // 75 days past due, with the label's late fee, and a declined card payment against it.
  const inv75 = at(excavators, b.day(-75));
  inv75.plan = 'open';
  b.addLateFee(inv75);
  b.addPayment({
    customer: acme,
    labelId: NORTHWIND.id,
    method: visa,
    amount: inv75.total,
    currency: 'USD',
    status: 'failed',
    initiatedBy: ap.id,
    initiatedAt: ts(b.day(-20), 15, 12),
    failureReason: 'Card declined: insufficient funds',
    allocations: [{ invoice: inv75, amount: inv75.total }],
  });
  // 45 days past due, partly paid by card three days ago (the latest settled payment).
  const inv45 = at(trucks, b.day(-45));
  inv45.plan = { partial: 5_000_00 };
  b.addPayment({
    customer: acme,
    labelId: NORTHWIND.id,
    method: visa,
    amount: 5_000_00,
    currency: 'USD',
    status: 'settled',
    initiatedBy: ap.id,
    initiatedAt: ts(b.day(-3), 14, 5),
    settledAt: ts(b.day(-3), 14, 6),
    allocations: [{ invoice: inv45, amount: 5_000_00 }],
  });
  Object.assign(inv45.row, { balance_minor: inv45.total - 5_000_00, status: 'partially_paid' });
  // 12 days past due, an ACH payment for it submitted two days ago and not settled yet.
  const inv12 = at(pickups, b.day(-12));
  inv12.plan = 'open';
  b.addPayment({
    customer: acme,
    labelId: NORTHWIND.id,
    method: ach,
    amount: inv12.total,
    currency: 'USD',
    status: 'in_progress',
    initiatedBy: ap.id,
    initiatedAt: ts(b.day(-2), 15, 40),
    allocations: [{ invoice: inv12, amount: inv12.total }],
  });
  // The loan's next instalment, scheduled to be paid five days before it is due.
  const loanNext = at(loader, b.day(20));
  b.addPayment({
    customer: acme,
    labelId: NORTHWIND.id,
    method: ach,
    amount: loanNext.total,
    currency: 'USD',
    status: 'scheduled',
    initiatedBy: ap.id,
    initiatedAt: ts(b.day(-1), 17, 20),
    scheduledFor: b.day(15),
    allocations: [{ invoice: loanNext, amount: loanNext.total }],
  });

  addAcmeRequests(b, { acme, ap, admin, superuser, excavators, trucks, pickups, forklifts });
  addAcmeAudit(b, { acme, admin, ap, superuser, former, invited, visaId: visa.id });
  return {
    customer: acme,
    contracts: [excavators, trucks, pickups, loader, forklifts, servers, skidSteers, lifts],
    ap,
    admin,
  };
}
