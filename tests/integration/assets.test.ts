import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createContract, createCustomer, createUser, FACTORY_PASSWORD, labelId } from '../factories/index.ts';
import { createAsset, createLocationChangeRequest } from '../factories/assets.ts';
import { signIn, startApp, type Agent, type TestApp, pageText } from '../helpers/app.ts';

let t: TestApp;
let nw: number;
let maple: number;
let mine: { id: number };
let user: { id: number; email: string };
let agent: Agent;
let other: { id: number; name: string };
let otherAsset: { id: number; number: string };
let mapleAsset: { id: number };
let assets: { id: number; number: string; serialNumber: string }[];
let contractA: { id: number; number: string };
let contractB: { id: number; number: string };

const text = pageText;

/** Asset numbers in the list's table, in order. */
const listed = (html: string): string[] =>
  [...html.matchAll(/href="\/assets\/\d+">([^<]+)</g)].map((m) => m[1]!);

beforeAll(async () => {
  t = await startApp();
  const db = t.deps.db;
  nw = await labelId(db, 'northwind');
  maple = await labelId(db, 'maple');
  const c = await createCustomer(db, { name: 'Quarry Works Assets Test' });
  mine = c;
  user = await createUser(db, {
    customer_id: c.id,
    permissions: [
      'assets.view',
      'assets.request_location_change',
      'contracts.view',
      'service_requests.manage',
    ],
  });
  contractA = await createContract(db, { customer_id: c.id, private_label_id: nw });
  contractB = await createContract(db, { customer_id: c.id, private_label_id: nw });
  const specs = [
    { contract_id: contractA.id, make: 'Caterpillar', model: '320', category: 'Excavator', city: 'Austin', region: 'TX', cost_minor: 300_000_00 },
    { contract_id: contractA.id, make: 'Caterpillar', model: '320', category: 'Excavator', city: 'Denver', region: 'CO', postal_code: '80202', cost_minor: 310_000_00 },
    { contract_id: contractB.id, make: 'Ford', model: 'F-550', category: 'Truck', city: 'Austin', region: 'TX', vin: '1FDUF5HT0NEC12345', cost_minor: 90_000_00 },
    { contract_id: contractB.id, make: 'Ford', model: 'F-550', category: 'Truck', city: 'Tulsa', region: 'OK', postal_code: '74103', cost_minor: 95_000_00, status: 'sold' },
  ]; // prettier-ignore
  assets = [];
  for (const s of specs)
    assets.push(await createAsset(db, { customer_id: c.id, private_label_id: nw, ...s }));
  // 24 more plain assets on contract B, for paging (28 in all, 25 a page).
  for (let i = 0; i < 24; i++)
    await createAsset(db, {
      customer_id: c.id,
      private_label_id: nw,
      contract_id: contractB.id,
      cost_minor: 1_000_00 + i,
    });
  // The same customer under the other label: never shown under northwind.
  const mapleContract = await createContract(db, {
    customer_id: c.id,
    private_label_id: maple,
    currency: 'CAD',
  });
  mapleAsset = await createAsset(db, {
    customer_id: c.id,
    private_label_id: maple,
    contract_id: mapleContract.id,
  });

  other = await createCustomer(db, { name: 'Other Assets Customer' });
  const otherContract = await createContract(db, { customer_id: other.id, private_label_id: nw });
  otherAsset = await createAsset(db, {
    customer_id: other.id,
    private_label_id: nw,
    contract_id: otherContract.id,
    serial_number: 'OTHERSERIAL1',
  });
  ({ agent } = await signIn(t.app, user.email, FACTORY_PASSWORD));
});
afterAll(async () => {
  await t?.close();
});

describe('GET /assets', () => {
  it('lists the customer’s assets of this label only, 25 a page, with a count', async () => {
    const res = await agent.get('/assets');
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toContain('no-store');
    expect(text(res.text)).toContain('28 assets.');
    expect(listed(res.text)).toHaveLength(25);
    expect(res.text).not.toContain(`/assets/${mapleAsset.id}"`);
    expect(res.text).not.toContain('OTHERSERIAL1');
    const page2 = await agent.get('/assets?page=2');
    expect(listed(page2.text)).toHaveLength(3);
    expect(page2.text).toContain('rel="prev"');
  });

  it('finds an asset by serial number, VIN, asset number, make or model', async () => {
    const bySerial = await agent.get(`/assets?q=${assets[1]!.serialNumber.toLowerCase()}`);
    expect(listed(bySerial.text)).toEqual([assets[1]!.number]);
    const byVin = await agent.get('/assets?q=NEC12345');
    expect(listed(byVin.text)).toEqual([assets[2]!.number]);
    const byNumber = await agent.get(`/assets?q=${assets[0]!.number}`);
    expect(listed(byNumber.text)).toEqual([assets[0]!.number]);
    const byMakeModel = await agent.get('/assets?q=ford%20f-550');
    expect(listed(byMakeModel.text)).toEqual([assets[2]!.number, assets[3]!.number]);
    const none = await agent.get('/assets?q=OTHERSERIAL1');
    expect(text(none.text)).toContain('No assets match.');
  });

  it('filters by contract, category, status, state and city', async () => {
    const byContract = await agent.get(`/assets?contract=${contractA.id}`);
    expect(listed(byContract.text)).toEqual([assets[0]!.number, assets[1]!.number]);
    const byCategory = await agent.get('/assets?category=Truck');
    expect(listed(byCategory.text)).toEqual([assets[2]!.number, assets[3]!.number]);
    const byStatus = await agent.get('/assets?status=sold');
    expect(listed(byStatus.text)).toEqual([assets[3]!.number]);
    const byRegion = await agent.get('/assets?region=CO');
    expect(listed(byRegion.text)).toEqual([assets[1]!.number]);
    const byCity = await agent.get('/assets?city=Tulsa&category=Truck');
    expect(listed(byCity.text)).toEqual([assets[3]!.number]);
    // Values kept in the form.
    expect(byCity.text).toMatch(/<option value="Tulsa" selected>/);
  });

  it('sorts on the server and ignores unknown sorts and junk', async () => {
    const byCost = await agent.get('/assets?sort=cost-desc');
    expect(listed(byCost.text).slice(0, 2)).toEqual([assets[1]!.number, assets[0]!.number]);
    const junk = await agent.get('/assets?sort=drop%20table&page=abc&contract=x&status=gone');
    expect(junk.status).toBe(200);
    expect(text(junk.text)).toContain('28 assets.');
  });

  it('offers selection for a location change to those allowed, not for sold assets', async () => {
    const res = await agent.get('/assets?category=Truck');
    expect(res.text).toContain('action="/assets/location-change/new"');
    expect(res.text).toContain(`name="asset" value="${assets[2]!.id}"`);
    expect(res.text).not.toContain(`name="asset" value="${assets[3]!.id}"`);
  });

  it('answers 403 without assets.view (viewer@acme.example and a user of this customer)', async () => {
    const viewer = await signIn(t.app, 'viewer@acme.example');
    expect((await viewer.agent.get('/assets')).status).toBe(403);
    const noView = await createUser(t.deps.db, { customer_id: mine.id, permissions: ['invoices.view'] });
    const s = await signIn(t.app, noView.email, FACTORY_PASSWORD);
    expect((await s.agent.get('/assets')).status).toBe(403);
    expect((await s.agent.get(`/assets/${assets[0]!.id}`)).status).toBe(403);
  });

  it('hides the selection from a user who may view but not request', async () => {
    const viewOnly = await createUser(t.deps.db, { customer_id: mine.id, permissions: ['assets.view'] });
    const s = await signIn(t.app, viewOnly.email, FACTORY_PASSWORD);
    const res = await s.agent.get('/assets');
    expect(res.status).toBe(200);
    expect(res.text).not.toContain('/assets/location-change/new');
  });

  it('sends anonymous visitors to sign in', async () => {
    const res = await (await import('supertest')).default(t.app).get('/assets');
    expect(res.status).toBe(303);
    expect(res.headers.location).toContain('/login?returnTo=%2Fassets');
  });
});

describe('GET /assets/:id', () => {
  it('shows details, contract link, location, history, open requests and service requests', async () => {
    const db = t.deps.db;
    const a = assets[0]!;
    const lcr = await createLocationChangeRequest(db, {
      customer_id: mine.id,
      private_label_id: nw,
      asset_ids: [a.id],
      requested_by: user.id,
      status: 'in_review',
    });
    const [sr] = (await db('service_requests')
      .insert({
        number: `SR-T-${a.id}`,
        customer_id: mine.id,
        private_label_id: nw,
        asset_id: a.id,
        category: 'maintenance',
        subject: 'Hydraulic leak on boom',
        description: 'Leaking',
      })
      .returning('id')) as { id: number }[];
    const res = await agent.get(`/assets/${a.id}`);
    expect(res.status).toBe(200);
    const page = text(res.text);
    expect(page).toContain('Caterpillar');
    expect(page).toContain('Excavator');
    expect(page).toContain('$300,000.00');
    expect(page).toContain(a.serialNumber);
    expect(res.text).toContain(`href="/contracts/${contractA.id}"`);
    expect(page).toContain('1 Test Way');
    expect(page).toContain('Initial location');
    expect(res.text).toContain(`href="/location-change-requests/${lcr.id}"`);
    expect(page).toContain('In review');
    expect(res.text).toContain(`href="/service-requests/${sr!.id}"`);
    expect(page).toContain('Hydraulic leak on boom');
    // With an open request, no new request is offered, and the list says so.
    expect(res.text).not.toContain(`/assets/location-change/new?asset=${a.id}"`);
    const list = await agent.get(`/assets?q=${a.number}`);
    expect(text(list.text)).toContain('Move requested');
    expect(text((await agent.get(`/assets?q=${assets[2]!.number}`)).text)).not.toContain('Move requested');
  });

  it('offers a location change for an active asset without an open request', async () => {
    const res = await agent.get(`/assets/${assets[2]!.id}`);
    expect(res.text).toContain(`href="/assets/location-change/new?asset=${assets[2]!.id}"`);
    expect(text(res.text)).toContain('VIN 1FDUF5HT0NEC12345');
  });

  it('answers 404 for another customer’s asset, another label’s, and ids that are not ids', async () => {
    for (const id of [otherAsset.id, mapleAsset.id, 'abc', '0', '99999999999', '-1']) {
      const res = await agent.get(`/assets/${id}`);
      expect(res.status, String(id)).toBe(404);
      expect(res.text).not.toContain('OTHERSERIAL1');
    }
  });
});
