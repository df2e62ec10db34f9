/**
 * Links in e-mails come from configuration only: the label's public_url, PUBLIC_URL for the
 * default label, else the label's first host (http://<host>:<PORT> here, PORT 3000 by default).
 * A Host or X-Forwarded-Host header never reaches a link; each label sends as itself.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import type { ParsedMail } from 'mailparser';
import { createCustomer, createUser } from '../factories/index.ts';
import { csrfFrom, startApp, type TestApp } from '../helpers/app.ts';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.ts';
import { labelBaseUrl } from '../../src/modules/labels/labels.links.ts';

let t: TestApp;
let sink: SmtpSink;
const suffix = Date.now().toString(36);
const ownHost = `links-${suffix}.localhost`;
beforeAll(async () => {
  sink = await startSmtpSink();
  // A label with its own public address and sender (its own host: no other test sees it).
  t = await startApp({ SMTP_URL: sink.url, TRUST_PROXY: 'true' });
  await t.deps.db('private_labels').insert({
    code: `links-${suffix}`,
    name: 'Links Test Leasing',
    hosts: [ownHost],
    primary_currency: 'USD',
    public_url: 'https://portal.links-test.example/',
    email_from: 'Links Test Leasing <hello@links-test.example>',
  });
  t.deps.labels.invalidate();
});
afterAll(async () => {
  await t.close();
  await sink.close();
});

async function mailTo(address: string): Promise<ParsedMail> {
  await t.deps.outbox.drain();
  const until = Date.now() + 10_000;
  for (;;) {
    const mail = sink.messages.find((m) => JSON.stringify(m.to ?? '').includes(address));
    if (mail) return mail;
    if (Date.now() > until) throw new Error(`no e-mail to ${address}`);
    await new Promise((r) => setTimeout(r, 50));
    await t.deps.outbox.drain();
  }
}

/** POST /forgot-password with the given headers on both requests. */
async function forgot(email: string, headers: Record<string, string>) {
  const agent = request.agent(t.app);
  const page = await agent.get('/forgot-password').set(headers);
  return agent
    .post('/forgot-password')
    .set(headers)
    .type('form')
    .send({ email, _csrf: csrfFrom(page.text) });
}

const newUser = async () => createUser(t.deps.db, { customer_id: (await createCustomer(t.deps.db)).id });
const linkIn = (mail: ParsedMail) => /(\S*)\/reset-password\/[A-Za-z0-9_-]{43}/.exec(mail.text ?? '')!;

describe('links in e-mails', () => {
  it('a forged Host or X-Forwarded-Host never reaches a reset link', async () => {
    const hijack = await newUser();
    // Refused before anything else (even the form's page): the host is malformed.
    expect(
      (await request(t.app).get('/forgot-password').set('Host', 'localhost:3000@evil.example')).status,
    ).toBe(400);
    const res = await request(t.app)
      .post('/forgot-password')
      .set('Host', 'localhost:3000@evil.example')
      .type('form')
      .send({ email: hijack.email });
    expect(res.status).toBe(400);
    await t.deps.outbox.drain();
    expect(await t.deps.db('email_outbox').where({ to_address: hijack.email })).toHaveLength(0);

    const ported = await newUser();
    expect((await forgot(ported.email, { Host: 'localhost:6666' })).status).toBe(200);
    const forwarded = await newUser();
    const fw = await forgot(forwarded.email, {
      'X-Forwarded-Host': 'localhost:7777',
      'X-Forwarded-Proto': 'https',
    });
    expect(fw.status).toBe(200);
    for (const u of [ported, forwarded]) {
      const mail = await mailTo(u.email);
      expect(linkIn(mail)[1]).toBe('http://localhost:3000');
      expect(mail.html).toContain('href="http://localhost:3000/reset-password/');
      expect(`${mail.text}${mail.html}`).not.toMatch(/6666|7777|evil/);
    }
  });

  it('each label links from its own configured address and sends as itself', async () => {
    const cases: [string, string, string][] = [
      ['127.0.0.1', 'http://localhost:3000', 'billing@northwind.example'],
      ['maple.localhost', 'http://maple.localhost:3000', 'accounts@mapleleaf.example'],
      [ownHost, 'https://portal.links-test.example', 'hello@links-test.example'],
    ];
    for (const [host, base, from] of cases) {
      const u = await newUser();
      expect((await forgot(u.email, { Host: host })).status).toBe(200);
      const mail = await mailTo(u.email);
      expect(linkIn(mail)[1], host).toBe(base);
      expect(mail.from?.value[0]?.address, host).toBe(from);
      // The link works on the label's own host.
      const path = linkIn(mail)[0].slice(base.length);
      expect((await request(t.app).get(path).set('Host', host)).status).toBe(200);
    }
  });

  it('resolves a label address from configuration only', () => {
    const dev = { publicUrl: undefined, port: 3000 };
    const prod = { publicUrl: 'https://portal.northwind.example:8443/', port: 3000 };
    const northwind = { publicUrl: null, hosts: ['localhost', '127.0.0.1'], isDefault: true };
    const maple = { publicUrl: null, hosts: ['maple.localhost'], isDefault: false };
    const own = { publicUrl: 'https://leasing.example/portal/', hosts: ['x.example'], isDefault: false };
    expect(labelBaseUrl(northwind, dev)).toBe('http://localhost:3000');
    expect(labelBaseUrl(maple, dev)).toBe('http://maple.localhost:3000');
    expect(labelBaseUrl(northwind, prod)).toBe('https://portal.northwind.example:8443');
    expect(labelBaseUrl(maple, prod)).toBe('https://maple.localhost:8443');
    expect(labelBaseUrl(own, prod)).toBe('https://leasing.example/portal');
    expect(labelBaseUrl(own, dev)).toBe('https://leasing.example/portal');
  });
});
