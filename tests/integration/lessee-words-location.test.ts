/**
 * An asset's current address (issue 20, item 10): a location change completed before its move
 * date leaves the current address as it is and shows the move ahead ("Moving to … on <date>");
 * from the move date on (the business date in the label's zone) the new address is the current one,
 * on the asset page, in the asset row (lists, filters, reports) once the worker's job has run.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createContract, createCustomer, createUser, FACTORY_PASSWORD, labelId } from '../factories/index.ts';
import { createAsset, createLocationChangeRequest } from '../factories/assets.ts';
import { postForm, signIn, startApp, type Agent, type TestApp, pageText } from '../helpers/app.ts';

let t: TestApp;
let nw: number;
let customer: { id: number };
let user: { id: number; email: string };
let contract: { id: number };
let lessee: Agent;
let su: Agent;

const text = pageText;

/** The asset page's "Current location" section, as text. */
const currentSection = (html: string): string =>
  text(/<h2[^>]*>Current location<\/h2>([\s\S]*?)<h2/.exec(html)?.[1] ?? '');

/** The address the asset page gives as current, as text. */
const currentAddress = (html: string): string =>
  text(/<h2[^>]*>Current location<\/h2>\s*<address[^>]*>([\s\S]*?)<\/address>/.exec(html)?.[1] ?? '');

/** An approved request (Tulsa) with its effective date, completed by the lessor; returns the asset and request. */
async function completedMove(effectiveDate: string) {
  const db = t.deps.db;
  const asset = await createAsset(db, {
    customer_id: customer.id,
    private_label_id: nw,
    contract_id: contract.id,
  });
  const r = await createLocationChangeRequest(db, {
    customer_id: customer.id,
    private_label_id: nw,
    asset_ids: [asset.id],
    requested_by: user.id,
    status: 'approved',
  });
  await db('location_change_requests').where({ id: r.id }).update({ effective_date: effectiveDate });
  const done = await postForm(
    su,
    `/location-change-requests/${r.id}`,
    `/location-change-requests/${r.id}/status`,
    {
      status: 'completed',
      comment: '',
    },
  );
  expect(done.status).toBe(303);
  return { asset, request: r };
}

beforeAll(async () => {
  t = await startApp();
  const db = t.deps.db;
  nw = await labelId(db, 'northwind');
  customer = await createCustomer(db, { name: 'Moving Day Test Co' });
  user = await createUser(db, { customer_id: customer.id, permissions: ['assets.view'] });
  contract = await createContract(db, { customer_id: customer.id, private_label_id: nw });
  ({ agent: lessee } = await signIn(t.app, user.email, FACTORY_PASSWORD));
  ({ agent: su } = await signIn(t.app, 'super@northwind.example'));
  const sw = await postForm(su, '/customers/switch', '/customers/switch', {
    customerId: String(customer.id),
  });
  expect(sw.status).toBe(303);
});
afterAll(async () => {
  await t?.close();
});

describe('a completed location change moves the asset on its effective date, not before', () => {
  it('completed with a move date after today: the current address stays, the move shows ahead', async () => {
    // Today is 2026-11-16 (TEST_SYSTEM_DATE).
    const { asset, request } = await completedMove('2026-12-01');
    const page = await lessee.get(`/assets/${asset.id}`);
    expect(page.status).toBe(200);
    const address = currentAddress(page.text);
    expect(address).toContain('1 Test Way');
    expect(address).toContain('Austin');
    expect(address).not.toContain('Tulsa');
    const current = currentSection(page.text);
    expect(current).toContain('Moving to 9 Factory Road, Tulsa, OK 74103');
    expect(current).toContain('on Dec 1, 2026');
    expect(current).toContain(request.number);
    // The row the lists, filters and reports read is unchanged too.
    expect(await t.deps.db('assets').where({ id: asset.id }).first('city')).toEqual({ city: 'Austin' });
    expect(text((await lessee.get(`/assets?q=${asset.number}`)).text)).not.toContain('Tulsa');
    // The history lists where it has been, not where it will be.
    const history = text(/<h2[^>]*>Location history<\/h2>([\s\S]*?)<h2/.exec(page.text)?.[1] ?? '');
    expect(history).not.toContain('Tulsa');

    // On the move date (the worker's job runs), the new address is the current one.
    const later = await startApp({ SYSTEM_DATE: '2026-12-01' });
    try {
      const labels = await later.deps.labels.all();
      expect(await later.deps.locationChanges.applyDueMoves(labels)).toBeGreaterThanOrEqual(1);
      expect(await later.deps.locationChanges.applyDueMoves(labels)).toBe(0);
      const { agent } = await signIn(later.app, user.email, FACTORY_PASSWORD);
      const moved = currentSection((await agent.get(`/assets/${asset.id}`)).text);
      expect(moved).toContain('Tulsa');
      expect(moved).not.toContain('Moving to');
    } finally {
      await later.close();
    }
    expect(await t.deps.db('assets').where({ id: asset.id }).first('city', 'address_line1')).toEqual({
      city: 'Tulsa',
      address_line1: '9 Factory Road',
    });
  });

  it('on the move date the asset page shows the new address even before the job has run', async () => {
    const { asset } = await completedMove('2026-11-20');
    const later = await startApp({ SYSTEM_DATE: '2026-11-20' });
    try {
      const { agent } = await signIn(later.app, user.email, FACTORY_PASSWORD);
      const current = currentSection((await agent.get(`/assets/${asset.id}`)).text);
      expect(current).toContain('Tulsa');
      expect(current).not.toContain('Austin');
      expect(current).not.toContain('Moving to');
    } finally {
      await later.close();
    }
  });

  it('completed on or after its move date: the new address is current at once', async () => {
    for (const date of ['2026-11-16', '2026-11-10']) {
      const { asset } = await completedMove(date);
      const current = currentSection((await lessee.get(`/assets/${asset.id}`)).text);
      expect(current, date).toContain('9 Factory Road');
      expect(current, date).toContain('Tulsa');
      expect(current, date).not.toContain('Austin');
      expect(current, date).not.toContain('Moving to');
      expect(await t.deps.db('assets').where({ id: asset.id }).first('city')).toEqual({ city: 'Tulsa' });
    }
  });
});
