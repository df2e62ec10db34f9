/**
 * Acme Construction Inc. (C-10001), the richest demo customer: every product under Northwind,
 * one contract under Maple, and every state a page has to show (overdue at 12/45/75 days, a
 * partial payment, a late fee, an ACH payment in progress, a failed card payment, a scheduled
 * payment, open requests, payoff quotes in review / issued / expired).
 */
import { addDays } from '../src/lib/clock.ts';
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
import { addPayoffQuote } from './requests.ts';

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

function addAcmeRequests(
  b: DemoBuilder,
  k: {
    acme: CustomerRec;
    ap: UserRec;
    admin: UserRec;
    superuser: UserRec;
    excavators: ContractRec;
    trucks: ContractRec;
    pickups: ContractRec;
    forklifts: ContractRec;
  },
): void {
  const scope = { customer_id: k.acme.id, private_label_id: NORTHWIND.id };
  const excavator = k.excavators.assets[0]!;
  const sr = (row: Record<string, unknown>, comments: [UserRec, boolean, number, string][]): number => {
    const id = b.add('service_requests', {
      number: `SR-${String(b.rows.service_requests.length + 1).padStart(6, '0')}`,
      ...scope,
      ...row,
    });
    for (const [u, lessor, day, body] of comments) {
      b.add('service_request_comments', {
        service_request_id: id,
        author_user_id: u.id,
        body,
        is_lessor: lessor,
        created_at: ts(b.day(day), 16, 10),
      });
    }
    return id;
  };
  sr(
    {
      contract_id: k.excavators.id,
      asset_id: excavator.id,
      category: 'maintenance',
      priority: 'high',
      status: 'open',
      subject: 'Hydraulic leak on excavator boom cylinder',
      description: `The operator reports a steady hydraulic fluid leak at the boom cylinder of ${String(excavator.serial_number)}. The machine is parked until it is repaired under the maintenance agreement.`,
      created_by: k.ap.id,
      created_at: ts(b.day(-4), 14, 20),
      updated_at: ts(b.day(-2), 16, 10),
    },
    [
      [
        k.ap,
        false,
        -4,
        'Fluid is pooling under the boom after about an hour of work. Photos available on request.',
      ],
      [
        k.superuser,
        true,
        -3,
        'Thank you. We have asked the Caterpillar dealer in Houston to schedule a technician this week.',
      ],
      [
        k.ap,
        false,
        -2,
        'The machine is at our Houston yard, gate code 4471. Site contact: Luis Ortega, (713) 555-0188.',
      ],
    ],
  );
  sr(
    {
      contract_id: k.trucks.id,
      category: 'insurance_certificate',
      priority: 'normal',
      status: 'waiting_on_customer',
      subject: 'Renewed certificate of insurance for the Cascadia tractors',
      description: 'Our fleet policy renewed on the 1st. Please confirm what the certificate must show.',
      created_by: k.admin.id,
      created_at: ts(b.day(-9), 15),
      updated_at: ts(b.day(-8), 13),
    },
    [
      [
        k.superuser,
        true,
        -8,
        'Please upload the renewed certificate naming Northwind Equipment Finance as loss payee and additional insured.',
      ],
    ],
  );
  sr(
    {
      contract_id: k.pickups.id,
      category: 'billing_question',
      priority: 'normal',
      status: 'resolved',
      subject: 'Sales tax rate on the F-550 invoices',
      description: 'Two trucks moved to Denver; should the Colorado rate apply?',
      created_by: k.ap.id,
      created_at: ts(b.day(-50), 15),
      updated_at: ts(b.day(-45), 15),
    },
    [
      [
        k.superuser,
        true,
        -48,
        'Tax follows the registered location of each unit; the Denver units are billed at the Colorado rate from the next invoice.',
      ],
      [k.ap, false, -45, 'Understood, thank you.'],
    ],
  );

  // A completed move of two assets months ago, and a submitted one awaiting the lessor.
  const DAL = place(US_PLACES, 'Dallas');
  const moved = [k.excavators.assets[1]!, k.pickups.assets[0]!];
  const done = lcr(
    b,
    scope,
    k.admin.id,
    DAL,
    '2450 Irving Blvd',
    b.day(-120),
    'completed',
    'Moved to the Irving Boulevard project site.',
    b.day(-140),
  );
  for (const a of moved) {
    b.push('location_change_request_assets', { request_id: done, asset_id: a.id });
    Object.assign(a, {
      address_line1: '2450 Irving Blvd',
      address_line2: null,
      city: DAL.city,
      region: DAL.region,
      postal_code: DAL.postal,
      country: 'US',
    });
    b.add('asset_location_history', {
      asset_id: a.id,
      address_line1: '2450 Irving Blvd',
      address_line2: null,
      city: DAL.city,
      region: DAL.region,
      postal_code: DAL.postal,
      country: 'US',
      effective_date: b.day(-120),
      location_change_request_id: done,
      recorded_at: ts(b.day(-120), 18),
    });
  }
  for (const [status, day, actor, comment] of [
    ['submitted', -140, k.admin.id, null],
    ['in_review', -138, k.superuser.id, 'Checking insurance for the new site.'],
    ['approved', -130, k.superuser.id, null],
    ['completed', -120, k.superuser.id, 'Location records updated.'],
  ] as const) {
    b.add('location_change_request_events', {
      request_id: done,
      status,
      comment,
      actor_user_id: actor,
      at: ts(b.day(day), 15),
    });
  }
  const forklift = k.forklifts.assets[0]!;
  const open = lcr(
    b,
    scope,
    k.ap.id,
    DAL,
    '8800 Ambassador Row',
    b.day(14),
    'submitted',
    'Consolidating forklifts at the new Dallas distribution yard.',
    b.day(-6),
  );
  b.push('location_change_request_assets', { request_id: open, asset_id: forklift.id });
  b.add('location_change_request_events', {
    request_id: open,
    status: 'submitted',
    comment: null,
    actor_user_id: k.ap.id,
    at: ts(b.day(-6), 14),
  });

  addPayoffQuote(b, { contract: k.pickups, requestedBy: k.ap.id, quoteDate: b.day(-2), status: 'in_review' });
  addPayoffQuote(b, { contract: k.forklifts, requestedBy: k.ap.id, quoteDate: b.day(-5), status: 'issued' });
  addPayoffQuote(b, {
    contract: k.trucks,
    requestedBy: k.admin.id,
    quoteDate: b.day(-70),
    status: 'expired',
  });
}

function lcr(
  b: DemoBuilder,
  scope: Record<string, number>,
  by: number,
  p: Place,
  street: string,
  effective: string,
  status: string,
  reason: string,
  createdOn: string,
): number {
  return b.add('location_change_requests', {
    number: `LCR-${String(b.rows.location_change_requests.length + 1).padStart(6, '0')}`,
    ...scope,
    requested_by: by,
    address_line1: street,
    address_line2: null,
    city: p.city,
    region: p.region,
    postal_code: p.postal,
    country: p.country,
    effective_date: effective,
    contact_name: 'Luis Ortega',
    contact_phone: '(713) 555-0188',
    contact_email: 'luis.ortega@acme.example',
    reason,
    status,
    created_at: ts(createdOn, 14),
    updated_at: ts(status === 'completed' ? addDays(createdOn, 20) : createdOn, 15),
  });
}

function addAcmeAudit(
  b: DemoBuilder,
  k: {
    acme: CustomerRec;
    admin: UserRec;
    ap: UserRec;
    superuser: UserRec;
    former: UserRec;
    invited: UserRec;
    visaId: number;
  },
): void {
  const row = (
    day: number,
    actor: UserRec,
    action: string,
    entityType: string,
    entityId: number,
    before: unknown,
    after: unknown,
  ) =>
    b.add('audit_log', {
      actor_user_id: actor.id,
      acting_customer_id: k.acme.id,
      action,
      entity_type: entityType,
      entity_id: String(entityId),
      before: before === null ? null : JSON.stringify(before),
      after: after === null ? null : JSON.stringify(after),
      ip: actor === k.superuser ? '198.51.100.7' : '203.0.113.24',
      request_id: `demo-${b.rows.audit_log.length + 1}`,
      at: ts(b.day(day), 15, 30),
    });
  row(-40, k.ap, 'payment_method.added', 'payment_method', k.visaId, null, {
    kind: 'card',
    brand: 'Visa',
    last4: '4242',
  });
  row(-30, k.admin, 'user.deactivated', 'user', k.former.id, { status: 'active' }, { status: 'inactive' });
  row(-10, k.admin, 'user.invited', 'user', k.invited.id, null, {
    email: k.invited.email,
    permissions: k.invited.permissions,
  });
  row(-3, k.superuser, 'service_request.commented', 'service_request', 1, null, { isLessor: true });
  row(
    -1,
    k.admin,
    'user.permissions_changed',
    'user',
    k.ap.id,
    { permissions: ['invoices.view', 'payments.make'] },
    { permissions: k.ap.permissions },
  );
}
