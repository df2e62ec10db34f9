/** Acme's requests (service, location change, payoff quotes) and a few audit rows. */
import { addDays } from '../src/lib/clock.ts';
import { US_PLACES, type Place } from './catalog.ts';
import { ts, type ContractRec, type CustomerRec, type DemoBuilder, type UserRec } from './builder.ts';
import { NORTHWIND } from './parties.ts';
import { addPayoffQuote } from './requests.ts';

const place = (list: Place[], city: string): Place => list.find((p) => p.city === city)!;

export function addAcmeRequests(
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
      number: `SR-${b.asOf.slice(0, 4)}-${String(b.rows.service_requests.length + 1).padStart(6, '0')}`,
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

export function addAcmeAudit(
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
  row(-30, k.admin, 'user.deactivate', 'user', k.former.id, { status: 'active' }, { status: 'inactive' });
  row(-10, k.admin, 'user.create', 'user', k.invited.id, null, {
    email: k.invited.email,
    permissions: k.invited.permissions,
  });
  row(-3, k.superuser, 'service_request.commented', 'service_request', 1, null, { isLessor: true });
  row(
    -1,
    k.admin,
    'user.update',
    'user',
    k.ap.id,
    { permissions: ['invoices.view', 'payments.make'] },
    { permissions: k.ap.permissions },
  );
}
