/** Service requests: raise, list, comment, lessor status changes, Home's Pending Actions, scoping. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createContract, createCustomer, createUser, FACTORY_PASSWORD, labelId } from '../factories/index.ts';
import { createAsset } from '../factories/assets.ts';
import { csrfFrom, postForm, signIn, startApp, type Agent, type TestApp, pageText } from '../helpers/app.ts';

let t: TestApp;
let agent: Agent;
let customer: { id: number };
let contract: { id: number; number: string };
let otherContract: { id: number };
let asset: { id: number; number: string };
let foreignRequest: number;

const text = pageText;

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

describe('attachments (the documents rules)', () => {
  const PDF = Buffer.from('%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n');
  const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da6364f8ffbf1e000504020097e0a1c70000000049454e44ae426082', 'hex'); // prettier-ignore
  const EXE = Buffer.concat([Buffer.from('MZ\x90\x00\x03\x00\x00\x00', 'latin1'), Buffer.alloc(200, 1)]);
  const fields = {
    category: 'insurance_certificate',
    contract: '',
    asset: '',
    subject: 'Certificate for 2027',
    description: 'Our renewed certificate, typed <here>.',
    priority: 'normal',
  };
  const srDocs = async (): Promise<number> =>
    Number(
      (
        (await t.deps
          .db('documents')
          .join('service_requests as r', 'r.id', 'documents.service_request_id')
          .where('r.customer_id', customer.id)
          .count({ n: '*' })) as { n: string }[]
      )[0]!.n,
    );
  const requestCount = async (): Promise<number> =>
    Number(
      (
        (await t.deps.db('service_requests').where({ customer_id: customer.id }).count({ n: '*' })) as {
          n: string;
        }[]
      )[0]!.n,
    );

  async function raise(
    files: { bytes: Buffer; name: string }[],
    o: { csrf?: string | null; body?: Record<string, string>; to?: string; from?: string } = {},
  ) {
    const token =
      o.csrf === undefined ? csrfFrom((await agent.get(o.from ?? '/service-requests/new')).text) : o.csrf;
    const req = agent.post(o.to ?? '/service-requests');
    if (token !== null) req.field('_csrf', token);
    for (const [k, v] of Object.entries(o.body ?? fields)) req.field(k, v);
    for (const f of files)
      req.attach('files', f.bytes, {
        ...(f.name.includes('/') ? { filepath: f.name } : { filename: f.name }),
        contentType: 'application/octet-stream',
      });
    return req;
  }

  let requestId: number;
  it('raises a request with two files, lists them and downloads them byte-identical', async () => {
    const res = await raise([
      { bytes: PDF, name: 'Certificate 2027.pdf' },
      { bytes: PNG, name: 'photo.png' },
    ]);
    expect(res.status).toBe(303);
    requestId = Number(/\/service-requests\/(\d+)$/.exec(res.headers.location!)![1]);
    const rows = (await t.deps.db('documents').where({ service_request_id: requestId }).orderBy('id')) as {
      id: number;
      file_name: string;
      media_type: string;
      sha256: string;
      contract_id: number | null;
    }[];
    expect(rows.map((r) => [r.file_name, r.media_type, r.contract_id])).toEqual([
      ['Certificate 2027.pdf', 'application/pdf', null],
      ['photo.png', 'image/png', null],
    ]);
    expect(rows[0]!.sha256).toMatch(/^[0-9a-f]{64}$/);
    const show = await agent.get(`/service-requests/${requestId}`);
    expect(text(show.text)).toContain('raised with 2 attachments');
    expect(show.text).toContain(`href="/documents/${rows[0]!.id}/download"`);
    expect(show.text).toContain(`href="/documents/${rows[1]!.id}/download"`);
    const dl = await agent
      .get(`/documents/${rows[0]!.id}/download`)
      .buffer(true)
      .parse((r, cb) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () => cb(null, Buffer.concat(chunks)));
      });
    expect(dl.status).toBe(200);
    expect(Buffer.compare(dl.body as Buffer, PDF)).toBe(0);
    expect(dl.headers['content-disposition']).toMatch(/^attachment; filename="Certificate 2027\.pdf"/);
    expect(dl.headers['x-content-type-options']).toBe('nosniff');
    expect(
      await t.deps.db('audit_log').where({ entity_type: 'document', entity_id: String(rows[0]!.id) }),
    ).toHaveLength(1);
  });

  it('adds a file with a comment, and refuses the same file again on that request', async () => {
    const before = await srDocs();
    const ok = await raise([{ bytes: Buffer.from('a,b\n1,2\n'), name: 'meter readings.csv' }], {
      from: `/service-requests/${requestId}`,
      to: `/service-requests/${requestId}/comments`,
      body: { body: 'Readings attached.' },
    });
    expect(ok.status).toBe(303);
    expect(await srDocs()).toBe(before + 1);
    const page = await agent.get(`/service-requests/${requestId}`);
    expect(text(page.text)).toContain('Comment added with 1 attachment.');
    expect(text(page.text)).toContain('meter readings.csv');
    const again = await raise([{ bytes: PDF, name: 'again.pdf' }], {
      from: `/service-requests/${requestId}`,
      to: `/service-requests/${requestId}/comments`,
      body: { body: 'Keep this comment' },
    });
    expect(again.status).toBe(400);
    expect(again.text).toContain('href="#files"');
    expect(text(again.text)).toContain('already on the request as “Certificate 2027.pdf”');
    expect(again.text).toContain('Keep this comment');
    expect(await srDocs()).toBe(before + 1);
  });

  it.each([
    ['a .exe renamed .pdf', EXE, 'invoice.pdf', 'its content is not one of these'],
    ['an empty file', Buffer.alloc(0), 'empty.pdf', 'The file is empty'],
    ['../ in the name', PDF, '../../etc/passwd.pdf', 'must not contain a folder path'],
    ['an 11 MB file', Buffer.concat([PDF, Buffer.alloc(11 * 1024 * 1024)]), 'big.pdf', '10 MB or smaller'],
  ])(
    'refuses %s with the error summary, keeps what was typed, stores nothing',
    async (_, bytes, name, msg) => {
      const [docs, requests] = [await srDocs(), await requestCount()];
      const res = await raise([{ bytes, name }]);
      expect(res.status).toBe(400);
      expect(res.text).toContain('There is a problem');
      expect(res.text).toContain('href="#files"');
      expect(text(res.text)).toContain(msg);
      expect(res.text).toContain('value="Certificate for 2027"');
      expect(res.text).toContain('typed &lt;here&gt;.');
      expect(await srDocs()).toBe(docs);
      expect(await requestCount()).toBe(requests);
    },
  );

  it('refuses a multipart post without a CSRF token (403), nothing stored', async () => {
    const [docs, requests] = [await srDocs(), await requestCount()];
    expect((await raise([{ bytes: PDF, name: 'x.pdf' }], { csrf: null })).status).toBe(403);
    expect((await raise([{ bytes: PDF, name: 'x.pdf' }], { csrf: 'forged' })).status).toBe(403);
    const c = await raise([{ bytes: PNG, name: 'y.png' }], {
      csrf: null,
      to: `/service-requests/${requestId}/comments`,
      body: { body: 'no token' },
    });
    expect(c.status).toBe(403);
    expect(await srDocs()).toBe(docs);
    expect(await requestCount()).toBe(requests);
  });

  it('downloads an attachment with service_requests.manage alone; contracts.view alone is not enough', async () => {
    const db = t.deps.db;
    const doc = (await db('documents').where({ service_request_id: requestId }).first('id')) as {
      id: number;
    };
    const onlySr = await createUser(db, {
      customer_id: customer.id,
      permissions: ['service_requests.manage'],
    });
    const onlyContracts = await createUser(db, { customer_id: customer.id, permissions: ['contracts.view'] });
    const { agent: a1 } = await signIn(t.app, onlySr.email, FACTORY_PASSWORD);
    const { agent: a2 } = await signIn(t.app, onlyContracts.email, FACTORY_PASSWORD);
    expect((await a1.get(`/documents/${doc.id}/download`)).status).toBe(200);
    expect((await a2.get(`/documents/${doc.id}/download`)).status).toBe(403);
  });

  it("answers 404 for another customer's attachment and for files on another customer's request", async () => {
    const db = t.deps.db;
    const other = (await db('service_requests').where({ id: foreignRequest }).first('customer_id')) as {
      customer_id: number;
    };
    const [d] = (await db('documents')
      .insert({
        customer_id: other.customer_id,
        service_request_id: foreignRequest,
        category: 'correspondence',
        file_name: 'theirs.pdf',
        media_type: 'application/pdf',
        size_bytes: 10,
        sha256: 'b'.repeat(64),
        storage_key: `foreign-sr-${foreignRequest}`,
      })
      .returning('id')) as { id: number }[];
    expect((await agent.get(`/documents/${d!.id}/download`)).status).toBe(404);
    const res = await raise([{ bytes: PDF, name: 'z.pdf' }], {
      from: '/service-requests/new',
      to: `/service-requests/${foreignRequest}/comments`,
      body: { body: 'hello' },
    });
    expect(res.status).toBe(404);
    expect(await db('documents').where({ service_request_id: foreignRequest })).toHaveLength(1);
  });
});
