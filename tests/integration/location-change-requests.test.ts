import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import type { Scope } from '../../src/http/types.ts';
import { OpenRequestConflict } from '../../src/modules/location-changes/location-changes.service.ts';
import { createContract, createCustomer, createUser, FACTORY_PASSWORD, labelId } from '../factories/index.ts';
import { createAsset, createLocationChangeRequest } from '../factories/assets.ts';
import { csrfFrom, postForm, signIn, startApp, type Agent, type TestApp, pageText } from '../helpers/app.ts';

let t: TestApp;
let nw: number;
let customer: { id: number; name: string };
let user: { id: number; email: string };
let agent: Agent;
let contract: { id: number };
let otherAsset: { id: number };
let otherRequest: { id: number; number: string };

const NEW = '/assets/location-change/new';
const REVIEW = '/assets/location-change/review';

const text = pageText;

const answers = (assetIds: number[], o: Record<string, string> = {}) => ({
  asset: assetIds.map(String),
  country: 'US',
  shownCountry: 'US',
  addressLine1: '8800 Ambassador Row',
  addressLine2: 'Gate 3',
  city: 'Dallas',
  region: 'TX',
  postalCode: '75247',
  effectiveDate: '2026-12-01',
  contactName: 'Luis Ortega',
  contactPhone: '(713) 555-0188',
  contactEmail: 'luis@quarry.example',
  reason: 'New distribution yard',
  action: 'continue',
  ...o,
});

/** Home's Pending actions card. */
const pendingCard = (html: string): string => /id="card-pending"[\s\S]*?<\/section>/.exec(html)?.[0] ?? '';

/** Posts the form with the CSRF token of the page at `from` (arrays as repeated fields). */
async function post(a: Agent, from: string, to: string, body: Record<string, string | string[]>) {
  const page = await a.get(from);
  return a
    .post(to)
    .type('form')
    .send(new URLSearchParams(flatten({ ...body, _csrf: csrfFrom(page.text) })).toString());
}
function flatten(body: Record<string, string | string[]>): [string, string][] {
  return Object.entries(body).flatMap(([k, v]) =>
    Array.isArray(v) ? v.map((x) => [k, x] as [string, string]) : [[k, v]],
  );
}

/** Form → review → submit; returns the new request's id. */
async function submitRequest(a: Agent, assetIds: number[], o: Record<string, string> = {}): Promise<number> {
  const form = await post(a, NEW, NEW, answers(assetIds, o));
  expect(form.status, text(form.text).slice(0, 500)).toBe(303);
  expect(form.headers.location).toBe(REVIEW);
  const done = await post(a, REVIEW, REVIEW, {});
  expect(done.status).toBe(303);
  const m = /^\/location-change-requests\/(\d+)$/.exec(done.headers.location ?? '');
  expect(m).not.toBeNull();
  return Number(m![1]);
}

async function newAssets(n: number, o: Partial<Parameters<typeof createAsset>[1]> = {}) {
  const out = [];
  for (let i = 0; i < n; i++)
    out.push(
      await createAsset(t.deps.db, {
        customer_id: customer.id,
        private_label_id: nw,
        contract_id: contract.id,
        ...o,
      }),
    );
  return out;
}

beforeAll(async () => {
  t = await startApp();
  const db = t.deps.db;
  nw = await labelId(db, 'northwind');
  customer = await createCustomer(db, { name: 'Quarry Works LCR Test' });
  user = await createUser(db, {
    customer_id: customer.id,
    name: 'Rosa Quarry',
    permissions: ['assets.view', 'assets.request_location_change'],
  });
  contract = await createContract(db, { customer_id: customer.id, private_label_id: nw });
  const other = await createCustomer(db, { name: 'Other LCR Customer' });
  const otherUser = await createUser(db, { customer_id: other.id });
  const otherContract = await createContract(db, { customer_id: other.id, private_label_id: nw });
  otherAsset = await createAsset(db, {
    customer_id: other.id,
    private_label_id: nw,
    contract_id: otherContract.id,
  });
  otherRequest = await createLocationChangeRequest(db, {
    customer_id: other.id,
    private_label_id: nw,
    asset_ids: [otherAsset.id],
    requested_by: otherUser.id,
    city: 'Secretville',
  });
  ({ agent } = await signIn(t.app, user.email, FACTORY_PASSWORD));
});
afterAll(async () => {
  await t?.close();
});

describe('GET /assets/location-change/new', () => {
  it('offers every active asset as a checkbox when none is chosen', async () => {
    const [a, b] = await newAssets(2);
    const [sold] = await newAssets(1, { status: 'sold' });
    const res = await agent.get(NEW);
    expect(res.status).toBe(200);
    expect(res.text).toContain(`name="asset" value="${a!.id}"`);
    expect(res.text).toContain(`name="asset" value="${b!.id}"`);
    expect(res.text).not.toContain(`value="${sold!.id}"`);
    expect(res.text).not.toContain(`value="${otherAsset.id}"`);
    expect(res.text).toContain('name="region"'); // US fields by default
    expect(text(res.text)).toContain('ZIP code');
  });

  it('starts from a selection (?asset=1&asset=2), checked', async () => {
    const [a, b] = await newAssets(2);
    const res = await agent.get(`${NEW}?asset=${a!.id}&asset=${b!.id}`);
    expect(res.status).toBe(200);
    expect(res.text).toMatch(new RegExp(`value="${a!.id}" checked`));
    expect(res.text).toMatch(new RegExp(`value="${b!.id}" checked`));
    expect(res.text).toContain(`name="offered" value="${a!.id}"`);
  });

  it('"Add other assets" (?all=1) lists every active asset with the selection ticked', async () => {
    const [a, b] = await newAssets(2);
    const one = await agent.get(`${NEW}?asset=${a!.id}`);
    expect(one.text).not.toContain(`value="${b!.id}"`);
    expect(one.text).toContain(`href="/assets/location-change/new?all=1&amp;asset=${a!.id}"`);
    const all = await agent.get(`${NEW}?all=1&asset=${a!.id}`);
    expect(all.text).toMatch(new RegExp(`value="${a!.id}" checked`));
    expect(all.text).toMatch(new RegExp(`value="${b!.id}" aria-describedby`));
    expect(all.text).not.toContain('name="offered"');
    expect((await agent.get(`${NEW}?all=1&asset=${otherAsset.id}`)).status).toBe(404);
  });

  it('answers 404 when the selection holds another customer’s asset', async () => {
    const [a] = await newAssets(1);
    expect((await agent.get(`${NEW}?asset=${otherAsset.id}`)).status).toBe(404);
    expect((await agent.get(`${NEW}?asset=${a!.id}&asset=${otherAsset.id}`)).status).toBe(404);
  });

  it('answers 403 without assets.request_location_change', async () => {
    const viewOnly = await createUser(t.deps.db, { customer_id: customer.id, permissions: ['assets.view'] });
    const s = await signIn(t.app, viewOnly.email, FACTORY_PASSWORD);
    expect((await s.agent.get(NEW)).status).toBe(403);
    const viewer = await signIn(t.app, 'viewer@acme.example');
    expect((await viewer.agent.get(NEW)).status).toBe(403);
  });
});

describe('POST the form', () => {
  it('400 with an error summary linking to each field and the typed values kept', async () => {
    const [a] = await newAssets(1);
    const res = await post(
      agent,
      NEW,
      NEW,
      answers([a!.id], {
        postalCode: '7524',
        effectiveDate: '2026-11-15',
        contactEmail: 'luis@',
        city: 'Dallas <b>',
      }),
    );
    expect(res.status).toBe(400);
    expect(res.text).toContain('data-error-summary');
    expect(res.text).toContain('href="#postalCode"');
    expect(res.text).toContain('href="#effectiveDate"');
    expect(res.text).toContain('href="#contactEmail"');
    expect(text(res.text)).toContain('today (2026-11-16) or later');
    expect(res.text).toContain('value="luis@"');
    expect(res.text).toContain('value="Dallas &lt;b&gt;"');
    expect(res.text).not.toContain('Dallas <b>');
    expect(res.text).toContain('aria-invalid="true"');
    expect(res.text).toMatch(new RegExp(`value="${a!.id}" checked`));
  });

  it('400 when no asset is selected', async () => {
    const res = await post(agent, NEW, NEW, answers([]));
    expect(res.status).toBe(400);
    expect(res.text).toContain('href="#asset"');
    expect(text(res.text)).toContain('Select at least one asset to move');
  });

  it('switches to Canadian fields and checks the postal code against the province', async () => {
    const [a] = await newAssets(1);
    const switched = await post(agent, NEW, NEW, answers([a!.id], { country: 'CA', action: 'country' }));
    expect(switched.status).toBe(200);
    expect(text(switched.text)).toContain('Province or territory');
    expect(switched.text).not.toContain('data-error-summary');
    expect(switched.text).toContain('value="luis@quarry.example"'); // nothing lost
    const bad = await post(
      agent,
      NEW,
      NEW,
      answers([a!.id], { country: 'CA', shownCountry: 'CA', region: 'ON', postalCode: 'V6B 1A1' }),
    );
    expect(bad.status).toBe(400);
    expect(text(bad.text)).toContain('Postal code V6B 1A1 is not in Ontario');
  });

  it('refuses a sold asset, and 404s another customer’s asset', async () => {
    const [sold] = await newAssets(1, { status: 'sold' });
    const res = await post(agent, NEW, NEW, answers([sold!.id]));
    expect(res.status).toBe(400);
    expect(text(res.text)).toContain('is sold: only active assets can move');
    expect((await post(agent, NEW, NEW, answers([otherAsset.id]))).status).toBe(404);
  });

  it('needs a CSRF token', async () => {
    const [a] = await newAssets(1);
    const res = await agent
      .post(NEW)
      .type('form')
      .send(answers([a!.id]));
    expect(res.status).toBe(403);
  });
});

describe('review and submit', () => {
  it('reviews the answers without asking again, then submits one request for two assets', async () => {
    const db = t.deps.db;
    const [a, b] = await newAssets(2);
    const form = await post(agent, `${NEW}?asset=${a!.id}&asset=${b!.id}`, NEW, answers([a!.id, b!.id]));
    expect(form.status).toBe(303);
    const review = await agent.get(REVIEW);
    expect(review.status).toBe(200);
    const page = text(review.text);
    expect(page).toContain('Check your location change request');
    for (const s of [
      a!.number,
      b!.number,
      '8800 Ambassador Row, Gate 3',
      'Texas (TX)',
      '75247',
      'Dec 1, 2026',
    ]) {
      expect(page).toContain(s);
    }
    expect(review.text).toContain('href="/assets/location-change/new?edit=1#city"');
    // "Change" brings the answers back.
    const edit = await agent.get(`${NEW}?edit=1`);
    expect(edit.text).toContain('value="luis@quarry.example"');
    expect(edit.text).toMatch(new RegExp(`value="${b!.id}" checked`));

    const submitted = await post(agent, REVIEW, REVIEW, {});
    expect(submitted.status).toBe(303);
    const id = Number(/(\d+)$/.exec(submitted.headers.location!)![1]);

    const r = await db('location_change_requests').where({ id }).first();
    expect(r).toMatchObject({
      customer_id: customer.id,
      private_label_id: nw,
      requested_by: user.id,
      status: 'submitted',
      city: 'Dallas',
      region: 'TX',
      postal_code: '75247',
      effective_date: '2026-12-01',
      contact_email: 'luis@quarry.example',
    });
    expect(r.number).toMatch(/^LCR-\d{6,}$/);
    const linked = await db('location_change_request_assets').where({ request_id: id }).orderBy('asset_id');
    expect(linked.map((x: { asset_id: number }) => x.asset_id)).toEqual([a!.id, b!.id]);
    const events = await db('location_change_request_events').where({ request_id: id });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ status: 'submitted', actor_user_id: user.id });
    const audit = await db('audit_log').where({
      entity_type: 'location_change_request',
      entity_id: String(id),
    });
    expect(audit.map((x: { action: string }) => x.action)).toEqual(['location_change.submit']);
    expect(audit[0].actor_user_id).toBe(user.id);
    const act = await db('activities').where({
      customer_id: customer.id,
      link: `/location-change-requests/${id}`,
    });
    expect(act[0]).toMatchObject({ kind: 'location_change.submitted' });

    // The request page, with the flash, and Home's pending actions.
    const show = await agent.get(`/location-change-requests/${id}`);
    expect(show.status).toBe(200);
    expect(text(show.text)).toContain(`${r.number} submitted`);
    expect(show.text).toContain('role="status"');
    const home = await agent.get('/');
    expect(pendingCard(home.text)).toContain(`href="/location-change-requests/${id}"`);
    expect(text(home.text)).toContain('Asset location change to Dallas');

    // Submitting again (back button, double click) makes no second request.
    const again = await post(agent, NEW, REVIEW, {});
    expect(again.status).toBe(303);
    expect(again.headers.location).toBe(NEW);
    expect(await db('location_change_request_assets').whereIn('asset_id', [a!.id, b!.id])).toHaveLength(2);
  });

  it('refuses an asset already in an open request, with a link to that request', async () => {
    const [a, b] = await newAssets(2);
    const firstId = await submitRequest(agent, [a!.id]);
    const first = (await t.deps.db('location_change_requests').where({ id: firstId }).first()) as {
      number: string;
    };
    const res = await post(agent, NEW, NEW, answers([a!.id, b!.id]));
    expect(res.status).toBe(409);
    expect(res.text).toContain(`href="/location-change-requests/${firstId}"`);
    expect(text(res.text)).toContain(
      `${a!.number} already has an open location change request (${first.number})`,
    );
    expect(res.text).toContain('href="#asset"');
    // The form shows it too, before anyone submits.
    const form = await agent.get(`${NEW}?asset=${a!.id}`);
    expect(text(form.text)).toContain(`Already in open request ${first.number}`);
  });

  it('refuses at submit time too, when another request took the asset after the review', async () => {
    const [a] = await newAssets(1);
    const form = await post(agent, NEW, NEW, answers([a!.id]));
    expect(form.status).toBe(303);
    await createLocationChangeRequest(t.deps.db, {
      customer_id: customer.id,
      private_label_id: nw,
      asset_ids: [a!.id],
      requested_by: user.id,
    });
    const res = await post(agent, REVIEW, REVIEW, {});
    expect(res.status).toBe(409);
    expect(text(res.text)).toContain('already has an open location change request');
  });

  it('sends /review back to the form when there is nothing to review', async () => {
    const s = await signIn(t.app, user.email, FACTORY_PASSWORD);
    const res = await s.agent.get(REVIEW);
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(NEW);
  });
});

describe('GET /location-change-requests/:id', () => {
  it('shows status, assets and history', async () => {
    const [a] = await newAssets(1);
    const id = await submitRequest(agent, [a!.id]);
    const res = await agent.get(`/location-change-requests/${id}`);
    const page = text(res.text);
    expect(res.status).toBe(200);
    expect(page).toContain('8800 Ambassador Row, Gate 3, Dallas, TX 75247, United States');
    expect(page).toContain(a!.number);
    expect(page).toContain('by Rosa Quarry');
    expect(res.text).toContain('aria-current="step"');
    expect(res.text).not.toContain('/status"'); // no lessor form for a customer
  });

  it('answers 404 for another customer’s request and for junk ids', async () => {
    for (const id of [otherRequest.id, 'abc', '0']) {
      const res = await agent.get(`/location-change-requests/${id}`);
      expect(res.status, String(id)).toBe(404);
      expect(res.text).not.toContain('Secretville');
    }
  });

  it('answers 403 to a user with neither assets permission (viewer@acme.example)', async () => {
    const viewer = await signIn(t.app, 'viewer@acme.example');
    expect((await viewer.agent.get(`/location-change-requests/${otherRequest.id}`)).status).toBe(403);
  });

  it('refuses status changes from a customer user (403)', async () => {
    const [a] = await newAssets(1);
    const id = await submitRequest(agent, [a!.id]);
    const res = await post(
      agent,
      `/location-change-requests/${id}`,
      `/location-change-requests/${id}/status`,
      {
        status: 'in_review',
      },
    );
    expect(res.status).toBe(403);
    const r = (await t.deps.db('location_change_requests').where({ id }).first()) as { status: string };
    expect(r.status).toBe('submitted');
  });
});

describe('the lessor moves a request through its statuses', () => {
  let su: Agent;
  beforeAll(async () => {
    ({ agent: su } = await signIn(t.app, 'super@northwind.example'));
    const sw = await postForm(su, '/customers/switch', '/customers/switch', {
      customerId: String(customer.id),
    });
    expect(sw.status).toBe(303);
  });

  const move = (id: number, status: string, comment = '', from?: string) =>
    post(su, `/location-change-requests/${id}`, `/location-change-requests/${id}/status`, {
      status,
      comment,
      ...(from ? { from } : {}),
    });

  it('in review → approved → completed moves both assets and writes their history, in one go', async () => {
    const db = t.deps.db;
    const [a, b] = await newAssets(2);
    // Dated today, so completing it moves the assets at once (a later date: lessee-words-location).
    const id = await submitRequest(agent, [a!.id, b!.id], { effectiveDate: '2026-11-16' });
    const page = await su.get(`/location-change-requests/${id}`);
    expect(page.text).toContain(`action="/location-change-requests/${id}/status"`);
    expect(page.text).toContain('value="in_review"');

    expect((await move(id, 'in_review', 'Checking insurance for the new site.', 'submitted')).status).toBe(
      303,
    );
    expect((await move(id, 'approved')).status).toBe(303);
    // Not moved before completion.
    expect(await db('assets').where({ id: a!.id }).first()).toMatchObject({ city: 'Austin' });
    const done = await move(id, 'completed', 'Location records updated.');
    expect(done.status).toBe(303);

    for (const asset of [a!, b!]) {
      expect(await db('assets').where({ id: asset.id }).first()).toMatchObject({
        address_line1: '8800 Ambassador Row',
        address_line2: 'Gate 3',
        city: 'Dallas',
        region: 'TX',
        postal_code: '75247',
        country: 'US',
      });
      const hist = await db('asset_location_history').where({ asset_id: asset.id }).orderBy('id');
      expect(hist).toHaveLength(2);
      expect(hist[1]).toMatchObject({
        city: 'Dallas',
        effective_date: '2026-11-16',
        location_change_request_id: id,
      });
    }
    const events = await db('location_change_request_events').where({ request_id: id }).orderBy('id');
    expect(events.map((e: { status: string }) => e.status)).toEqual([
      'submitted',
      'in_review',
      'approved',
      'completed',
    ]);
    const audit = await db('audit_log')
      .where({ entity_type: 'location_change_request', entity_id: String(id) })
      .orderBy('id');
    expect(audit.map((x: { action: string }) => x.action)).toEqual([
      'location_change.submit',
      'location_change.status',
      'location_change.status',
      'location_change.status',
    ]);
    expect(audit[3].after).toMatchObject({ status: 'completed', movedAssetIds: [a!.id, b!.id] });
    const kinds = await db('activities')
      .where({ link: `/location-change-requests/${id}` })
      .orderBy('id');
    expect(kinds.map((k: { kind: string }) => k.kind)).toEqual([
      'location_change.submitted',
      'location_change.in_review',
      'location_change.approved',
      'location_change.completed',
    ]);

    // The customer sees the comment, the new location and its history.
    const show = text((await agent.get(`/location-change-requests/${id}`)).text);
    expect(show).toContain('Checking insurance for the new site.');
    expect(show).toContain('Completed');
    const assetPage = text((await agent.get(`/assets/${a!.id}`)).text);
    expect(assetPage).toContain('8800 Ambassador Row');
    expect(assetPage).toMatch(
      /Nov 16, 2026 8800 Ambassador Row, Gate 3, Dallas, TX 75247, United States LCR-/,
    );
    // No longer pending on Home (the activity feed still links to it).
    expect(pendingCard((await agent.get('/')).text)).not.toContain(`href="/location-change-requests/${id}"`);
  });

  it('refuses invalid transitions with a message and changes nothing', async () => {
    const db = t.deps.db;
    const [a] = await newAssets(1);
    const id = await submitRequest(agent, [a!.id]);
    const skip = await move(id, 'completed');
    expect(skip.status).toBe(409);
    expect(text(skip.text)).toContain(
      'A request that is submitted cannot become completed. It can become: in review.',
    );
    expect(skip.text).toContain('data-error-summary');
    const stale = await move(id, 'in_review', '', 'approved');
    expect(stale.status).toBe(409);
    expect(text(stale.text)).toContain('someone changed it');
    const bad = await move(id, 'finished');
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('href="#status"');
    expect(await db('location_change_request_events').where({ request_id: id })).toHaveLength(1);
    expect(await db('assets').where({ id: a!.id }).first()).toMatchObject({ city: 'Austin' });
  });

  it('rejects only with a comment; a rejected request frees its assets', async () => {
    const [a] = await newAssets(1);
    const id = await submitRequest(agent, [a!.id]);
    expect((await move(id, 'in_review')).status).toBe(303);
    const noComment = await move(id, 'rejected');
    expect(noComment.status).toBe(400);
    expect(noComment.text).toContain('href="#comment"');
    expect((await move(id, 'rejected', 'The yard is outside the insured area.')).status).toBe(303);
    const after = await move(id, 'approved');
    expect(after.status).toBe(409);
    expect(text(after.text)).toContain('its status can no longer change');
    expect(text((await agent.get(`/location-change-requests/${id}`)).text)).toContain(
      'The yard is outside the insured area.',
    );
    await submitRequest(agent, [a!.id]); // the asset may be requested again
  });

  it('answers 404 for another customer’s request, in every verb', async () => {
    expect((await su.get(`/location-change-requests/${otherRequest.id}`)).status).toBe(404);
    const res = await post(
      su,
      `/location-change-requests/${await someOwnRequest()}`,
      `/location-change-requests/${otherRequest.id}/status`,
      {
        status: 'in_review',
      },
    );
    expect(res.status).toBe(404);
    const r = (await t.deps.db('location_change_requests').where({ id: otherRequest.id }).first()) as {
      status: string;
    };
    expect(r.status).toBe('submitted');
  });

  it('needs a customer chosen first', async () => {
    const fresh = await signIn(t.app, 'super@northwind.example');
    const res = await fresh.agent.get(`/location-change-requests/${otherRequest.id}`);
    expect(res.status).toBe(303);
    expect(res.headers.location).toContain('/customers/switch');
  });

  async function someOwnRequest(): Promise<number> {
    const [a] = await newAssets(1);
    return submitRequest(agent, [a!.id]);
  }
});

describe('anonymous', () => {
  it('is sent to sign in', async () => {
    const res = await request(t.app).get(`/location-change-requests/${otherRequest.id}`);
    expect(res.status).toBe(303);
    expect(res.headers.location).toContain('/login');
  });
});

describe('robustness', () => {
  it('pressing Enter in a field (first button: "Update address fields") carries on when the country is unchanged', async () => {
    const [a] = await newAssets(1);
    const res = await post(agent, NEW, NEW, answers([a!.id], { action: 'country' }));
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(REVIEW);
  });

  it('two simultaneous submissions for the same asset make exactly one request', async () => {
    const [a] = await newAssets(1);
    const scope = {
      customerId: customer.id,
      labelId: nw,
      today: '2026-11-16',
      user: { id: user.id },
    } as unknown as Scope;
    const input = {
      assetIds: [a!.id],
      address: {
        line1: '1 Race St',
        line2: null,
        city: 'Tulsa',
        region: 'OK',
        postalCode: '74103',
        country: 'US',
      },
      effectiveDate: '2026-12-01',
      contactName: 'A',
      contactPhone: '9185550100',
      contactEmail: 'a@test.example',
      reason: 'race',
    };
    const ctx = { ip: null, requestId: 'race' };
    const results = await Promise.allSettled(
      [1, 2, 3].map(() => t.deps.locationChanges.submit(scope, input, ctx)),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results.filter((x) => x.status === 'rejected')) {
      expect((r as PromiseRejectedResult).reason).toBeInstanceOf(OpenRequestConflict);
    }
    expect(await t.deps.db('location_change_request_assets').where({ asset_id: a!.id })).toHaveLength(1);
  });

  it('a request under the other label is not found under this one', async () => {
    const maple = await labelId(t.deps.db, 'maple');
    const mapleContract = await createContract(t.deps.db, {
      customer_id: customer.id,
      private_label_id: maple,
      currency: 'CAD',
    });
    const asset = await createAsset(t.deps.db, {
      customer_id: customer.id,
      private_label_id: maple,
      contract_id: mapleContract.id,
    });
    const r = await createLocationChangeRequest(t.deps.db, {
      customer_id: customer.id,
      private_label_id: maple,
      asset_ids: [asset.id],
      requested_by: user.id,
    });
    expect((await agent.get(`/location-change-requests/${r.id}`)).status).toBe(404);
    expect((await agent.get(`${NEW}?asset=${asset.id}`)).status).toBe(404);
  });

  it('a user who may request but not view assets can ask and follow the request', async () => {
    const asker = await createUser(t.deps.db, {
      customer_id: customer.id,
      permissions: ['assets.request_location_change'],
    });
    const s = await signIn(t.app, asker.email, FACTORY_PASSWORD);
    expect((await s.agent.get('/assets')).status).toBe(403);
    const [a] = await newAssets(1);
    const id = await submitRequest(s.agent, [a!.id]);
    const page = await s.agent.get(`/location-change-requests/${id}`);
    expect(page.status).toBe(200);
    expect(page.text).not.toContain(`href="/assets/${a!.id}"`); // no link to a page they cannot open
  });

  const CANARY = '<script>alert("xss")</script>';
  it('any input on the form answers without 5xx, stack trace or reflected script', async () => {
    const [a] = await newAssets(1);
    const token = csrfFrom((await agent.get(NEW)).text);
    const field = fc.oneof(
      fc.string({ maxLength: 120 }),
      fc.array(fc.string({ maxLength: 10 }), { maxLength: 3 }),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          asset: fc.oneof(field, fc.constant(String(a!.id))),
          country: fc.oneof(field, fc.constantFrom('US', 'CA', 'GB')),
          region: field,
          postalCode: field,
          effectiveDate: fc.oneof(field, fc.constantFrom('2026-02-30', '9999-99-99', '2026-11-16')),
          contactPhone: field,
          contactEmail: field,
          city: field,
          action: fc.oneof(field, fc.constantFrom('country', 'continue')),
        }),
        async (body) => {
          const withCanary = { ...answers([a!.id]), ...body, addressLine1: `x${CANARY}`, _csrf: token };
          const res = await agent
            .post(NEW)
            .type('form')
            .send(new URLSearchParams(flatten(withCanary as Record<string, string | string[]>)).toString());
          expect([200, 303, 400, 404, 409]).toContain(res.status);
          expect(res.text).not.toContain(CANARY);
          expect(res.text).not.toMatch(/\n\s+at .+\(.+:\d+:\d+\)/);
        },
      ),
      { numRuns: 40 },
    );
    // The status form too.
    const [b] = await newAssets(1);
    const id = await submitRequest(agent, [b!.id]);
    const su = (await signIn(t.app, 'super@northwind.example')).agent;
    await postForm(su, '/customers/switch', '/customers/switch', { customerId: String(customer.id) });
    const suToken = csrfFrom((await su.get(`/location-change-requests/${id}`)).text);
    await fc.assert(
      fc.asyncProperty(field, field, field, async (status, comment, from) => {
        const res = await su
          .post(`/location-change-requests/${id}/status`)
          .type('form')
          .send(
            new URLSearchParams(
              flatten({ status, comment: `${String(comment)}${CANARY}`, from, _csrf: suToken }),
            ).toString(),
          );
        expect([303, 400, 409]).toContain(res.status);
        expect(res.text).not.toContain(CANARY);
      }),
      { numRuns: 30 },
    );
  });
});
