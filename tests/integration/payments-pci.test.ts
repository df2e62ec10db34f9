/**
 * QUALITY 12: a card number, a CVV and an account number posted through every form of the
 * paying flow end up nowhere — not in any table, not in the logs, not in an e-mail.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csrfFrom, startApp, type Agent, type TestApp } from '../helpers/app.ts';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.ts';
import { createPayer, signInAs } from './payments-fixtures.ts';

const PAN = '4111111111111111';
const CVV = '737';
const ACCOUNT = '000123456789';

let t: TestApp;
let sink: SmtpSink;
beforeAll(async () => {
  sink = await startSmtpSink();
  t = await startApp({ SMTP_URL: sink.url });
});
afterAll(async () => {
  await t.close();
  await sink.close();
});

async function post(agent: Agent, from: string, to: string, fields: [string, string][]) {
  const page = await agent.get(from);
  return agent
    .post(to)
    .type('form')
    .send(new URLSearchParams([['_csrf', csrfFrom(page.text)], ...fields]).toString());
}

describe('no card or account number is kept', () => {
  it('posts them through every form and finds them in no table, log or e-mail', async () => {
    const p = await createPayer(t);
    const agent = await signInAs(t, p);
    const [i1] = p.invoices;
    const junk: [string, string][] = [
      ['number', PAN],
      ['cvc', CVV],
      ['account', ACCOUNT],
      ['card_number', PAN],
    ];
    // The gateway's own pages: a card and a bank account, then the return URLs.
    for (const kind of ['card', 'ach']) {
      const start = await post(agent, '/payment-methods/new', '/payment-methods/new', [['kind', kind]]);
      const hosted = new URL(start.headers.location!, 'http://x');
      const res = await post(agent, hosted.pathname + hosted.search, hosted.pathname, [
        ['return', hosted.searchParams.get('return')!],
        ['state', hosted.searchParams.get('state')!],
        ['name', 'Pat'],
        ['holder', 'Pat'],
        ['number', PAN],
        ['expMonth', '12'],
        ['expYear', '2030'],
        ['cvc', CVV],
        ['routing', '110000000'],
        ['account', ACCOUNT],
      ]);
      expect(res.status).toBe(303);
      expect(res.headers.location).not.toContain(PAN);
      expect(res.headers.location).not.toContain(ACCOUNT);
      expect((await agent.get(res.headers.location!)).status).toBe(303);
    }
    const newCard = (await t.deps
      .db('payment_methods')
      .where({ customer_id: p.customerId, last4: '1111' })
      .first('id')) as { id: number };
    // The portal's own forms, with the numbers typed where they do not belong.
    await post(agent, '/payments/new', '/payments/new', [
      ['invoice', String(i1!.id)],
      [`amount_${i1!.id}`, PAN],
      ['method', String(newCard.id)],
      ['payDate', '2026-11-16'],
      ...junk,
    ]);
    const ok = await post(agent, '/payments/new', '/payments/new', [
      ['invoice', String(i1!.id)],
      [`amount_${i1!.id}`, '10'],
      ['method', String(newCard.id)],
      ['payDate', '2026-11-16'],
      ...junk,
    ]);
    const review = await agent.get(ok.headers.location!);
    const confirm = review.text.slice(review.text.indexOf('action="/payments/confirm"'));
    const hidden = [...confirm.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map(
      (m): [string, string] => [m[1]!, m[2]!],
    );
    expect(
      (
        await agent
          .post('/payments/confirm')
          .type('form')
          .send(new URLSearchParams([...hidden, ...junk]).toString())
      ).status,
    ).toBe(303);
    const nick = await post(
      agent,
      `/payment-methods/${newCard.id}/edit`,
      `/payment-methods/${newCard.id}/edit`,
      [['nickname', `Card ${PAN}`]],
    );
    expect(nick.status).toBe(400);
    expect(nick.text).toContain('cannot contain a card or account number');
    await post(agent, '/autopay/new', '/autopay/new', [
      ['which', 'all'],
      ['method', String(newCard.id)],
      ['days', PAN],
      ['terms', 'accepted'],
      ...junk,
    ]);
    await post(agent, '/autopay/new', '/autopay/new', [
      ['which', 'all'],
      ['method', String(newCard.id)],
      ['days', '2'],
      ['terms', 'accepted'],
      ...junk,
    ]);
    await post(agent, '/autopay/review', '/autopay/confirm', junk);

    // Every table, as text.
    const tables = (await t.deps
      .db('information_schema.tables')
      .where({ table_schema: 'public', table_type: 'BASE TABLE' })
      .pluck('table_name')) as string[];
    const hits: string[] = [];
    for (const table of tables) {
      const rows = (await t.deps.db.raw(`select t::text as row from "${table}" t`)) as {
        rows: { row: string }[];
      };
      for (const r of rows.rows) {
        if (r.row.includes(PAN) || r.row.includes(ACCOUNT)) hits.push(`${table}: ${r.row.slice(0, 120)}`);
      }
    }
    expect(hits).toEqual([]);
    const logs = t.logs.join('\n');
    expect(logs).not.toContain(PAN);
    expect(logs).not.toContain(ACCOUNT);
    await t.deps.outbox.drain();
    for (const m of sink.messages) {
      expect(`${m.text} ${m.html || ''} ${m.subject}`).not.toContain(PAN);
      expect(`${m.text} ${m.html || ''}`).not.toContain(ACCOUNT);
    }
    // Only the last four digits are shown back.
    const methods = await agent.get('/payment-methods');
    expect(methods.text).toContain('Visa ending 1111');
    expect(methods.text).not.toContain(PAN);
  });
});
