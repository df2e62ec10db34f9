/** Service requests: raise, list, comment, lessor status changes, Home's Pending Actions, scoping. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createContract, createCustomer, createUser, FACTORY_PASSWORD, labelId } from '../factories/index.ts';
import { createAsset } from '../factories/assets.ts';
import { csrfFrom, postForm, signIn, startApp, type Agent, type TestApp } from '../helpers/app.ts';

let t: TestApp;
let agent: Agent;
let customer: { id: number };
let contract: { id: number; number: string };
let otherContract: { id: number };
let asset: { id: number; number: string };
let foreignRequest: number;

const text = (html: string): string =>
  html
    .replace(/<[^>]+>/g, ' ')
    .replace(/&amp;/g, '&')
    .replace(/&#39;/g, "'")
    .replace(/\s+/g, ' ');

beforeAll(async () => {
  t = await startApp();
  const db = t.deps.db;
  const nw = await labelId(db, 'northwind');
  customer = await createCustomer(db, { name: 'Service Requests Test Co' });
  const user = await createUser(db, {
    customer_id: customer.id,
    permissions: ['service_requests.manage', 'contracts.view'],
  });
  contract = await createContract(db, { customer_id: customer.id, private_label_id: nw });
  otherContract = await createContract(db, { customer_id: customer.id, private_label_id: nw });
  asset = await createAsset(db, { customer_id: customer.id, private_label_id: nw, contract_id: contract.id });
  const other = await createCustomer(db);
  const [r] = (await db('service_requests')
    .insert({
      number: `SR-FOREIGN-${other.id}`,
      customer_id: other.id,
      private_label_id: nw,
      category: 'general',
      subject: 'Not yours',
      description: 'x',
    })
    .returning('id')) as { id: number }[];
  foreignRequest = r!.id;
  ({ agent } = await signIn(t.app, user.email, FACTORY_PASSWORD));
});
afterAll(async () => {
  await t.close();
});

describe('raising a request', () => {
  it('answers 400 with the error summary and keeps what was typed', async () => {
    const res = await postForm(agent, '/service-requests/new', '/service-requests', {
      subject: 'Keep <this>',
      description: '',
      priority: 'normal',
    });
    expect(res.status).toBe(400);
    expect(res.text).toContain('There is a problem');
    expect(res.text).toContain('href="#category"');
    expect(res.text).toContain('href="#description"');
    expect(res.text).toContain('value="Keep &lt;this&gt;"');
  });

  it('refuses an asset that is not on the chosen contract', async () => {
    const res = await postForm(agent, '/service-requests/new', '/service-requests', {
      category: 'maintenance',
      contract: String(otherContract.id),
      asset: String(asset.id),
      subject: 'Hydraulic leak',
      description: 'Leaking',
      priority: 'high',
    });
    expect(res.status).toBe(400);
    expect(text(res.text)).toContain('Choose an asset on the chosen contract');
  });

  it('raises one about an asset, shows it, lists it, and puts it under Pending Actions', async () => {
    const form = await agent.get(`/service-requests/new?asset=${asset.id}`);
    expect(form.status).toBe(200);
    const res = await agent
      .post('/service-requests')
      .type('form')
      .send({
        _csrf: csrfFrom(form.text),
        category: 'maintenance',
        contract: '',
        asset: String(asset.id),
        subject: 'Hydraulic leak on boom',
        description: 'Oil under the boom since Monday.\nPlease send a technician.',
        priority: 'high',
      });
    expect(res.status).toBe(303);
    const id = Number(/\/service-requests\/(\d+)$/.exec(res.headers.location!)![1]);
    const row = (await t.deps.db('service_requests').where({ id }).first()) as {
      contract_id: number;
      status: string;
      number: string;
    };
    // The asset's contract is filled in.
    expect(row.contract_id).toBe(contract.id);
    expect(row.status).toBe('open');
    const show = await agent.get(`/service-requests/${id}`);
    expect(text(show.text)).toContain(`${row.number} raised`);
    expect(text(show.text)).toContain(asset.number);
    const list = await agent.get('/service-requests');
    expect(list.text).toContain(`href="/service-requests/${id}"`);
    const home = await agent.get('/');
    expect(text(home.text)).toContain(row.number);
    const contractPage = await agent.get(`/contracts/${contract.id}`);
    expect(contractPage.text).toContain(`href="/service-requests/${id}"`);
    const audit = await t.deps
      .db('audit_log')
      .where({ entity_type: 'service_request', entity_id: String(id) });
    expect(audit).toHaveLength(1);

    // A customer comment; an empty one is a 400.
    const empty = await postForm(agent, `/service-requests/${id}`, `/service-requests/${id}/comments`, {
      body: ' ',
    });
    expect(empty.status).toBe(400);
    expect(empty.text).toContain('href="#body"');
    const c = await postForm(agent, `/service-requests/${id}`, `/service-requests/${id}/comments`, {
      body: 'Photos attached later.',
    });
    expect(c.status).toBe(303);
    expect(text((await agent.get(`/service-requests/${id}`)).text)).toContain('Photos attached later.');

    // The customer may not change the status.
    const st = await postForm(agent, `/service-requests/${id}`, `/service-requests/${id}/status`, {
      status: 'closed',
    });
    expect(st.status).toBe(403);

    // The lessor replies and changes the status.
    const { agent: su } = await signIn(t.app, 'super@northwind.example');
    await postForm(su, '/customers/switch', '/customers/switch', { customerId: String(customer.id) });
    const page = await su.get(`/service-requests/${id}`);
    expect(page.text).toContain('Change status');
    await postForm(su, `/service-requests/${id}`, `/service-requests/${id}/comments`, {
      body: 'Technician booked.',
    });
    const moved = await postForm(su, `/service-requests/${id}`, `/service-requests/${id}/status`, {
      status: 'waiting_on_customer',
    });
    expect(moved.status).toBe(303);
    const comments = (await t.deps
      .db('service_request_comments')
      .where({ service_request_id: id })
      .orderBy('id')) as {
      is_lessor: boolean;
    }[];
    expect(comments.map((m) => m.is_lessor)).toEqual([false, true]);
    // The customer's reply moves it back to in progress.
    await postForm(agent, `/service-requests/${id}`, `/service-requests/${id}/comments`, {
      body: 'Thursday works.',
    });
    expect(((await t.deps.db('service_requests').where({ id }).first()) as { status: string }).status).toBe(
      'in_progress',
    );
  });
});

describe('scoping and permissions', () => {
  it("answers 404 for another customer's request, also when commenting", async () => {
    expect((await agent.get(`/service-requests/${foreignRequest}`)).status).toBe(404);
    const res = await postForm(
      agent,
      '/service-requests/new',
      `/service-requests/${foreignRequest}/comments`,
      {
        body: 'hello',
      },
    );
    expect(res.status).toBe(404);
    expect(
      await t.deps.db('service_request_comments').where({ service_request_id: foreignRequest }),
    ).toHaveLength(0);
  });

  it('answers 403 without service_requests.manage', async () => {
    const { agent: viewer } = await signIn(t.app, 'viewer@acme.example');
    expect((await viewer.get('/service-requests')).status).toBe(403);
    expect((await viewer.get('/service-requests/new')).status).toBe(403);
  });
});
