/**
 * Business times come from the one clock (src/lib/clock.ts): with SYSTEM_DATE pinned to
 * 2026-11-16, what is paid "today" is on 2026-11-16 in the label's time zone, whatever the real
 * date (CI also runs this a year ahead with faketime); the history's dates are the label's.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isoDateInZone } from '../../src/lib/clock.ts';
import { startApp, type TestApp } from '../helpers/app.ts';
import { TEST_SYSTEM_DATE } from '../helpers/constants.ts';
import { createPayer, pay, signInAs, text } from './payments-fixtures.ts';

const NY = 'America/New_York';
let t: TestApp;
beforeAll(async () => {
  t = await startApp({ ACH_SETTLEMENT_DELAY_MINUTES: '0' });
});
afterAll(async () => {
  await t.close();
});

const onBusinessDate = (d: Date | null) => (d ? isoDateInZone(new Date(d), NY) : null);

describe('payment times come from the clock', () => {
  it('a payment made today is on the pinned business date: made, settled, status history, activity and autopay attempt', async () => {
    expect(t.clock.today(NY)).toBe(TEST_SYSTEM_DATE);
    const p = await createPayer(t);
    const agent = await signInAs(t, p);
    const [i1, i2] = p.invoices;
    const card = await pay(agent, p, [
      ['invoice', String(i1!.id)],
      [`amount_${i1!.id}`, '10'],
      ['method', String(p.card)],
      ['payDate', TEST_SYSTEM_DATE],
    ]);
    const ach = await pay(agent, p, [
      ['invoice', String(i2!.id)],
      [`amount_${i2!.id}`, '20'],
      ['method', String(p.ach)],
      ['payDate', TEST_SYSTEM_DATE],
    ]);
    await t.deps.payments.settleInProgress(t.clock.now());
    const rows = (await t.deps
      .db('payments')
      .whereIn('id', [card.id, ach.id])
      .select('initiated_at', 'created_at', 'settled_at')) as Record<string, Date>[];
    for (const r of rows)
      for (const col of ['initiated_at', 'created_at', 'settled_at'])
        expect(onBusinessDate(r[col]!), col).toBe(TEST_SYSTEM_DATE);
    const history = (await t.deps
      .db('payment_status_history')
      .whereIn('payment_id', [card.id, ach.id])
      .select('status', 'at')) as { status: string; at: Date }[];
    expect(history.map((h) => h.status).sort()).toEqual([
      'in_progress',
      'pending',
      'pending',
      'settled',
      'settled',
    ]);
    for (const h of history) expect(onBusinessDate(h.at), h.status).toBe(TEST_SYSTEM_DATE);
    const allocs = (await t.deps
      .db('payment_allocations')
      .whereIn('payment_id', [card.id, ach.id])
      .select('created_at')) as { created_at: Date }[];
    for (const a of allocs) expect(onBusinessDate(a.created_at)).toBe(TEST_SYSTEM_DATE);
    const acts = (await t.deps.db('activities').where({ customer_id: p.customerId }).select('at')) as {
      at: Date;
    }[];
    expect(acts.length).toBeGreaterThanOrEqual(3);
    for (const a of acts) expect(onBusinessDate(a.at)).toBe(TEST_SYSTEM_DATE);
    // The invoices' paid time and the history's "today" filter agree.
    const list = text((await agent.get(`/payments?from=${TEST_SYSTEM_DATE}&to=${TEST_SYSTEM_DATE}`)).text);
    expect(list).toContain('2 payments found.');
    expect(list).toContain('Nov 16, 2026');

    // Autopay: enrolment and the worker's attempt.
    const q = await createPayer(t);
    await t.deps.autopay.enrol(
      { customerId: q.customerId, labelId: q.labelId, userId: q.userId },
      { contractIds: [q.contracts[1]!], methodId: q.card, daysBeforeDue: 0 },
    );
    await t.deps.autopay.run();
    const attempt = (await t.deps
      .db('autopay_attempts')
      .where({ invoice_id: q.invoices[1]!.id })
      .first('status', 'at')) as { status: string; at: Date };
    expect(attempt.status).toBe('submitted');
    expect(onBusinessDate(attempt.at)).toBe(TEST_SYSTEM_DATE);
    const enrolment = (await t.deps
      .db('autopay_enrollments')
      .where({ contract_id: q.contracts[1] })
      .first('created_at', 'accepted_terms_at')) as { created_at: Date; accepted_terms_at: Date };
    expect(onBusinessDate(enrolment.created_at)).toBe(TEST_SYSTEM_DATE);
    expect(onBusinessDate(enrolment.accepted_terms_at)).toBe(TEST_SYSTEM_DATE);
  });

  it('the history’s dates and date filters are the label’s: 23:30 in New York on Nov 16 is Nov 16', async () => {
    const p = await createPayer(t);
    const agent = await signInAs(t, p);
    const [i1] = p.invoices;
    const { id } = await pay(agent, p, [
      ['invoice', String(i1!.id)],
      [`amount_${i1!.id}`, '10'],
      ['method', String(p.card)],
      ['payDate', TEST_SYSTEM_DATE],
    ]);
    // 23:30 in New York on Nov 16 is 04:30 UTC on Nov 17.
    const lateEvening = new Date('2026-11-17T04:30:00Z');
    await t.deps.db('payments').where({ id }).update({ initiated_at: lateEvening, settled_at: lateEvening });
    const on16 = text((await agent.get('/payments?from=2026-11-16&to=2026-11-16')).text);
    expect(on16).toContain('1 payment found.');
    expect(on16).toContain(`Payment ${id} Nov 16, 2026`);
    expect(text((await agent.get('/payments?from=2026-11-17')).text)).toContain('0 payments found.');
    expect(text((await agent.get('/payments?to=2026-11-15')).text)).toContain('0 payments found.');
    // 00:30 in New York on Nov 17 (05:30 UTC) is the 17th.
    await t.deps
      .db('payments')
      .where({ id })
      .update({ settled_at: new Date('2026-11-17T05:30:00Z') });
    expect(text((await agent.get('/payments?from=2026-11-17&to=2026-11-17')).text)).toContain(
      '1 payment found.',
    );
    expect(text((await agent.get('/payments?to=2026-11-16')).text)).toContain('0 payments found.');
  });
});
