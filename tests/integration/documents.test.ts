/**
 * Contract documents (QUALITY 9): upload, byte-identical download with attachment + nosniff,
 * refusals with clear messages and nothing stored, CSRF on multipart, permissions, scoping.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createContract, createCustomer, createUser, FACTORY_PASSWORD, labelId } from '../factories/index.ts';
import { csrfFrom, signIn, startApp, type Agent, type TestApp, pageText } from '../helpers/app.ts';

let t: TestApp;
let agent: Agent;
let contract: { id: number; number: string };
let foreign: { id: number };
let foreignDoc: number;

const PDF = Buffer.from('%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n');
const EXE = Buffer.concat([
  Buffer.from('MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff', 'latin1'),
  Buffer.alloc(200, 1),
]);
const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da6364f8ffbf1e000504020097e0a1c70000000049454e44ae426082', 'hex'); // prettier-ignore

const text = pageText;

const page = () => `/contracts/${contract.id}/documents`;

async function upload(
  file: Buffer | null,
  filename: string,
  fields: Record<string, string> = { category: 'certificate_of_insurance' },
  o: { csrf?: string | null; who?: Agent; contractId?: number } = {},
) {
  const who = o.who ?? agent;
  const token = o.csrf === undefined ? csrfFrom((await who.get(page())).text) : o.csrf;
  const req = who.post(`/contracts/${o.contractId ?? contract.id}/documents`);
  if (token !== null) req.field('_csrf', token);
  for (const [k, v] of Object.entries(fields)) req.field(k, v);
  // form-data keeps a path only when it is given as `filepath` (a `filename` is basenamed).
  if (file)
    req.attach('file', file, {
      ...(filename.includes('/') ? { filepath: filename } : { filename }),
      contentType: 'application/octet-stream',
    });
  return req;
}

const count = async (): Promise<number> =>
  Number(
    (
      (await t.deps.db('documents').where({ contract_id: contract.id }).count({ n: '*' })) as { n: string }[]
    )[0]!.n,
  );
const storedFiles = (): number => {
  const dir = t.deps.config.documentsDir;
  if (!fs.existsSync(dir)) return 0;
  return fs.readdirSync(dir).reduce((n, sub) => n + fs.readdirSync(path.join(dir, sub)).length, 0);
};

beforeAll(async () => {
  t = await startApp();
  const db = t.deps.db;
  const nw = await labelId(db, 'northwind');
  const me = await createCustomer(db, { name: 'Documents Test Co' });
  const user = await createUser(db, {
    customer_id: me.id,
    permissions: ['contracts.view', 'documents.upload'],
  });
  contract = await createContract(db, { customer_id: me.id, private_label_id: nw });
  const other = await createCustomer(db);
  foreign = await createContract(db, { customer_id: other.id, private_label_id: nw });
  const [d] = (await db('documents')
    .insert({
      customer_id: other.id,
      contract_id: foreign.id,
      category: 'other',
      file_name: 'secret.pdf',
      media_type: 'application/pdf',
      size_bytes: 10,
      sha256: 'a'.repeat(64),
      storage_key: `foreign-${other.id}`,
    })
    .returning('id')) as { id: number }[];
  foreignDoc = d!.id;
  ({ agent } = await signIn(t.app, user.email, FACTORY_PASSWORD));
});
afterAll(async () => {
  await t.close();
});

describe('uploading and downloading', () => {
  let id: number;
  it('uploads a PDF with category and note, lists it, audits it', async () => {
    const res = await upload(PDF, 'Insurance certificate 2026.pdf', {
      category: 'certificate_of_insurance',
      note: 'Renewed',
    });
    expect(res.status).toBe(303);
    const list = await agent.get(page());
    expect(text(list.text)).toContain('Insurance certificate 2026.pdf uploaded.');
    expect(text(list.text)).toContain('Certificate of insurance');
    expect(text(list.text)).toContain('Renewed');
    const row = (await t.deps.db('documents').where({ contract_id: contract.id }).first()) as {
      id: number;
      sha256: string;
      media_type: string;
      size_bytes: number;
    };
    id = row.id;
    expect(row.media_type).toBe('application/pdf');
    expect(Number(row.size_bytes)).toBe(PDF.length);
    expect(row.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(
      await t.deps.db('audit_log').where({ entity_type: 'document', entity_id: String(id) }),
    ).toHaveLength(1);
    expect((await agent.get(`/contracts/${contract.id}`)).text).toContain(`/documents/${id}/download`);
  });

  it('downloads it back byte-identical, as an attachment with nosniff', async () => {
    const res = await agent
      .get(`/documents/${id}/download`)
      .buffer(true)
      .parse((r, cb) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () => cb(null, Buffer.concat(chunks)));
      });
    expect(res.status).toBe(200);
    expect(Buffer.compare(res.body as Buffer, PDF)).toBe(0);
    expect(res.headers['content-disposition']).toMatch(
      /^attachment; filename="Insurance certificate 2026\.pdf"/,
    );
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-type']).toBe('application/pdf');
  });

  it('accepts PNG and CSV by content', async () => {
    expect((await upload(PNG, 'photo.png')).status).toBe(303);
    expect(
      (await upload(Buffer.from('asset,serial\nA1,123\n'), 'list.csv', { category: 'other' })).status,
    ).toBe(303);
  });
});

describe('refusals: clear message, nothing stored', () => {
  const refused = async (res: { status: number; text: string }, message: string) => {
    expect(res.status).toBe(400);
    expect(res.text).toContain('There is a problem');
    expect(res.text).toContain('href="#file"');
    expect(text(res.text)).toContain(message);
  };

  it.each([
    ['an .exe renamed .pdf', EXE, 'invoice.pdf', 'its content is not one of these'],
    ['an empty file', Buffer.alloc(0), 'empty.pdf', 'The file is empty'],
    ['../ in the name', PDF, '../../etc/evil.pdf', 'must not contain a folder path'],
    ['a double extension', PDF, 'scan.exe.pdf', 'double extension'],
    ['a PNG named .pdf', PNG, 'photo.pdf', 'content is PNG but its name ends in .pdf'],
    ['a duplicate', PDF, 'again.pdf', 'This file is already on contract'],
  ])('refuses %s', async (_what, bytes, name, message) => {
    const before = [await count(), storedFiles()];
    await refused(await upload(bytes, name), message);
    expect([await count(), storedFiles()]).toEqual(before);
  });

  it('refuses an 11 MB file', async () => {
    const before = [await count(), storedFiles()];
    const big = Buffer.alloc(11 * 1024 * 1024, 0x25);
    PDF.copy(big);
    await refused(await upload(big, 'big.pdf'), 'The file must be 10 MB or smaller');
    expect([await count(), storedFiles()]).toEqual(before);
  });

  it('a malformed multipart body (broken boundary, cut-off part, bad header) answers 400, not 500', async () => {
    const token = csrfFrom((await agent.get(page())).text);
    const before = await count();
    const files = storedFiles();
    const part = (name: string, value: string) =>
      `--XYZ\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;
    const cases: [string, string][] = [
      // The body's boundary is not the one announced.
      ['multipart/form-data; boundary=XYZ', part('_csrf', token).replace(/XYZ/g, 'ABC') + '--ABC--\r\n'],
      // The file part never ends.
      [
        'multipart/form-data; boundary=XYZ',
        part('_csrf', token) +
          '--XYZ\r\nContent-Disposition: form-data; name="file"; filename="a.pdf"\r\n\r\n%PDF-1.4 cut',
      ],
      // A part header that is not a header.
      [
        'multipart/form-data; boundary=XYZ',
        part('_csrf', token) + '--XYZ\r\n\u0001garbage\r\n\r\nx\r\n--XYZ--',
      ],
      // No boundary at all.
      ['multipart/form-data', part('_csrf', token)],
    ];
    for (const [type, body] of cases) {
      const res = await agent.post(page()).set('Content-Type', type).send(body);
      expect(res.status, body).toBe(400);
      expect(text(res.text), body).toContain('The upload could not be read');
      expect(res.text).not.toMatch(/\n\s+at .+\(.+:\d+:\d+\)/);
    }
    expect(await count()).toBe(before);
    expect(storedFiles()).toBe(files);
    // The session is unharmed: the page still answers.
    expect((await agent.get(page())).status).toBe(200);
  });

  it('asks for a file and a category', async () => {
    const res = await upload(null, '', {});
    expect(res.status).toBe(400);
    expect(res.text).toContain('href="#file"');
    expect(res.text).toContain('href="#category"');
  });
});

describe('CSRF, permissions and scoping', () => {
  it('refuses a multipart upload without or with a wrong CSRF token', async () => {
    const before = [await count(), storedFiles()];
    expect((await upload(Buffer.from('%PDF-1.4 no token'), 'a.pdf', undefined, { csrf: null })).status).toBe(
      403,
    );
    expect(
      (await upload(Buffer.from('%PDF-1.4 bad token'), 'b.pdf', undefined, { csrf: 'forged' })).status,
    ).toBe(403);
    expect([await count(), storedFiles()]).toEqual(before);
  });

  it('answers 403 to a user without documents.upload and hides the form', async () => {
    const { agent: viewer } = await signIn(t.app, 'viewer@acme.example');
    const contracts = await viewer.get('/contracts');
    const m = /href="\/contracts\/(\d+)"/.exec(contracts.text)!;
    const form = await viewer.get(`/contracts/${m[1]}/documents`);
    expect(form.status).toBe(200);
    expect(form.text).not.toContain('enctype="multipart/form-data"');
    const res = await viewer
      .post(`/contracts/${m[1]}/documents`)
      .field('_csrf', csrfFrom(form.text))
      .field('category', 'other')
      .attach('file', PDF, 'x.pdf');
    expect(res.status).toBe(403);
  });

  it("answers 404 for another customer's contract and document, including the download", async () => {
    expect((await agent.get(`/contracts/${foreign.id}/documents`)).status).toBe(404);
    expect((await agent.get(`/documents/${foreignDoc}/download`)).status).toBe(404);
    expect(
      (await upload(Buffer.from('%PDF-1.4 foreign'), 'f.pdf', undefined, { contractId: foreign.id })).status,
    ).toBe(404);
    expect(await t.deps.db('documents').where({ contract_id: foreign.id })).toHaveLength(1);
  });
});
