/**
 * What customers asked the lessor for, on a few percent of their contracts: service requests
 * with comments, asset location changes (a completed one moves its assets and records the
 * history) and payoff quotes priced by the seeds' (and the portal's) payoff formula.
 */
import { ts, type ContractRec, type DemoBuilder, type Row, type UserRec } from '../../seeds/builder.ts';
import { CA_PLACES, US_PLACES } from '../../seeds/catalog.ts';
import { MAPLE } from '../../seeds/parties.ts';
import { addPayoffQuote } from '../../seeds/requests.ts';

const SHARE = { serviceRequest: 0.03, locationChange: 0.015, payoffQuote: 0.02 } as const;

interface Asker {
  users: UserRec[];
  lessor: UserRec;
}

const pad = (id: number): string => String(id).padStart(6, '0');

export function addRequests(b: DemoBuilder, contracts: ContractRec[], who: Asker): void {
  for (const c of contracts) {
    if (b.chance(SHARE.serviceRequest)) addServiceRequest(b, c, who);
    if (c.row.status !== 'active') continue;
    if (c.assets.length > 0 && b.chance(SHARE.locationChange)) addLocationChange(b, c, who);
    if (b.chance(SHARE.payoffQuote)) addQuote(b, c, who);
  }
}

const TOPICS: { category: string; subject: (c: ContractRec, a: Row) => string; description: string }[] = [
  {
    category: 'maintenance',
    subject: (_c, a) => `Service needed on ${String(a.description)} (${String(a.serial_number)})`,
    description: 'The operator reports a fault; the unit is parked until a technician has looked at it.',
  },
  {
    category: 'billing_question',
    subject: (c) => `Question about the latest invoice on ${c.number}`,
    description: 'The amount differs from what our purchase order shows. Please explain the charges.',
  },
  {
    category: 'insurance_certificate',
    subject: (c) => `Renewed certificate of insurance for ${c.number}`,
    description: 'Our policy renewed this month. Please confirm what the certificate must show.',
  },
  {
    category: 'title_registration',
    subject: (_c, a) => `Registration renewal for ${String(a.number)}`,
    description: 'The registration expires next month; please send the renewal paperwork.',
  },
  {
    category: 'end_of_term',
    subject: (c) => `End-of-term options for ${c.number}`,
    description: 'We would like to know the options to return, renew or purchase at the end of the term.',
  },
  {
    category: 'early_termination',
    subject: (c) => `Early termination of ${c.number}`,
    description: 'We are replacing this equipment and would like to end the lease early.',
  },
  {
    category: 'general',
    subject: () => 'Update our accounts-payable contact',
    description: 'Please send statements to our new accounts-payable mailbox from next month.',
  },
];

function addServiceRequest(b: DemoBuilder, c: ContractRec, who: Asker): void {
  const topic = b.pick(TOPICS);
  const asset = b.pick(c.assets); // every contract has at least one
  const status = b.faker.helpers.weightedArrayElement([
    { weight: 3, value: 'open' },
    { weight: 2, value: 'in_progress' },
    { weight: 1, value: 'waiting_on_customer' },
    { weight: 3, value: 'resolved' },
    { weight: 3, value: 'closed' },
  ]);
  const opened = -b.int(1, 180);
  const author = b.pick(who.users);
  const comments = b.int(0, 3);
  const id = b.add('service_requests', {});
  Object.assign(b.rows.service_requests.at(-1)!, {
    number: `SR-${pad(id)}`,
    customer_id: c.customer.id,
    private_label_id: c.label.id,
    contract_id: c.id,
    asset_id: topic.category === 'maintenance' || topic.category === 'title_registration' ? asset.id : null,
    category: topic.category,
    subject: topic.subject(c, asset),
    description: topic.description,
    status,
    priority: b.faker.helpers.weightedArrayElement([
      { weight: 1, value: 'low' },
      { weight: 4, value: 'normal' },
      { weight: 1, value: 'high' },
    ]),
    created_by: author.id,
    created_at: ts(b.day(opened), 14, b.int(0, 59)),
    updated_at: ts(b.day(Math.min(0, opened + comments)), 16),
  });
  for (let k = 1; k <= comments; k++) {
    const lessor = k % 2 === 1;
    b.add('service_request_comments', {
      service_request_id: id,
      author_user_id: lessor ? who.lessor.id : author.id,
      body: lessor
        ? 'Thank you, we are looking into it and will update this request.'
        : 'Thanks. Please let us know if you need anything else from us.',
      is_lessor: lessor,
      created_at: ts(b.day(Math.min(0, opened + k)), 15 + k, 10),
    });
  }
}

const LCR_STEPS = ['submitted', 'in_review', 'approved', 'completed'];
const LCR_REJECTED = ['submitted', 'in_review', 'rejected'];

/** A request to move 1-3 of a contract's assets; a completed one moves them and records the history. */
function addLocationChange(b: DemoBuilder, c: ContractRec, who: Asker): void {
  const status = b.faker.helpers.weightedArrayElement([
    { weight: 3, value: 'submitted' },
    { weight: 2, value: 'in_review' },
    { weight: 1, value: 'approved' },
    { weight: 3, value: 'completed' },
    { weight: 1, value: 'rejected' },
  ]);
  const place = b.pick(c.label === MAPLE ? CA_PLACES : US_PLACES);
  const address = {
    address_line1: b.faker.location.streetAddress(),
    address_line2: null,
    city: place.city,
    region: place.region,
    postal_code: place.postal,
    country: place.country,
  };
  const closed = status === 'completed' || status === 'rejected';
  const created = closed ? -b.int(30, 200) : -b.int(0, 20);
  const effective = closed ? created + 20 : b.int(1, 45);
  const steps = status === 'rejected' ? LCR_REJECTED : LCR_STEPS.slice(0, LCR_STEPS.indexOf(status) + 1);
  // Days (from the business date) of each step: two days apart, the completion on the effective date.
  const days = steps.map((step, k) => (step === 'completed' ? effective : Math.min(created + 2 * k, 0)));
  const contact = b.pick(who.users);
  const id = b.add('location_change_requests', {});
  Object.assign(b.rows.location_change_requests.at(-1)!, {
    number: `LCR-${pad(id)}`,
    customer_id: c.customer.id,
    private_label_id: c.label.id,
    requested_by: contact.id,
    ...address,
    effective_date: b.day(effective),
    contact_name: contact.name,
    contact_phone: b.faker.phone.number({ style: 'national' }),
    contact_email: contact.email,
    reason: `Moving equipment to our ${place.city} site.`,
    status,
    created_at: ts(b.day(created), 14),
    updated_at: ts(b.day(days.at(-1)!), 15),
  });
  const moved = b.faker.helpers.arrayElements(c.assets, { min: 1, max: Math.min(3, c.assets.length) });
  for (const a of moved) b.push('location_change_request_assets', { request_id: id, asset_id: a.id });
  steps.forEach((step, k) => {
    b.add('location_change_request_events', {
      request_id: id,
      status: step,
      comment: step === 'rejected' ? 'The new site is outside the insured territory.' : null,
      actor_user_id: k === 0 ? contact.id : who.lessor.id,
      at: ts(b.day(days[k]!), 15),
    });
  });
  if (status !== 'completed') return;
  for (const a of moved) {
    Object.assign(a, address);
    b.add('asset_location_history', {
      asset_id: a.id,
      ...address,
      effective_date: b.day(effective),
      location_change_request_id: id,
      recorded_at: ts(b.day(effective), 18),
    });
  }
}

function addQuote(b: DemoBuilder, c: ContractRec, who: Asker): void {
  const quoteDate = b.day(-b.int(0, 60));
  const id = addPayoffQuote(b, {
    contract: c,
    requestedBy: b.pick(who.users).id,
    quoteDate,
    status: 'issued',
  });
  const row = b.rows.payoff_quotes.at(-1)!;
  // The seed numbers quotes by its row count; here rows leave the builder customer by customer.
  row.number = `PQ-${pad(id)}`;
  if (String(row.valid_until) < b.asOf) row.status = 'expired';
  else if (b.chance(0.4)) row.status = 'in_review';
}
