/**
 * Home shows only what the user may open, says who acts next on each pending action, puts
 * overdue contracts first, and shows one credit exposure per customer whichever brand shows it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createContract,
  createCustomer,
  createInvoice,
  createUser,
  FACTORY_PASSWORD,
  labelId,
} from '../factories/index.ts';
import { signIn, startApp, type Agent, type TestApp } from '../helpers/app.ts';
import { canOpen, LINK_RULES } from '../../src/modules/home/home.links.ts';
import { PERMISSIONS, type Permission, type SessionUser } from '../../src/http/types.ts';

let t: TestApp;
beforeAll(async () => {
  t = await startApp();
});
afterAll(async () => {
  await t.close();
});

/** A page under each rule of home.links.ts (an id no one has: 404 when allowed, 403 when not). */
const SAMPLES = [
  '/assets/location-change/new',
  '/assets',
  '/location-change-requests/999999999',
  '/contracts/999999999/payoff-quotes/new',
  '/contracts',
  '/payoff-quotes/999999999',
  '/documents/999999999',
  '/invoices',
  '/payments/new',
  '/payments',
  '/payment-methods',
  '/autopay',
  '/service-requests',
  '/reports/schedules',
  '/reports',
  '/admin/users',
  '/account',
];

function section(html: string, headingId: string): string {
  const start = html.indexOf(`id="${headingId}"`);
  expect(start).toBeGreaterThan(-1);
  const end = html.indexOf('</section>', start);
  return html.slice(start, end);
}

const hrefs = (html: string): string[] => [...html.matchAll(/href="([^"#]+)"/g)].map((m) => m[1]!);

describe('Home links follow the guards', () => {
  it('every rule of home.links.ts answers as the app does, for each single permission and for an admin', async () => {
    expect(SAMPLES.every((p) => LINK_RULES.some(([re]) => re.test(p)))).toBe(true);
    const db = t.deps.db;
    const c = await createCustomer(db);
    const cases: { role: 'user' | 'portal_admin'; permissions: Permission[] }[] = [
      ...PERMISSIONS.map((p) => ({ role: 'user' as const, permissions: [p] })),
      { role: 'portal_admin', permissions: [] },
    ];
    for (const k of cases) {
      const u = await createUser(db, { customer_id: c.id, role: k.role, permissions: k.permissions });
      const { agent } = await signIn(t.app, u.email, FACTORY_PASSWORD);
      const user = { id: u.id, role: k.role, permissions: k.permissions } as unknown as SessionUser;
      for (const path of SAMPLES) {
        const res = await agent.get(path);
        expect
          .soft(res.status === 403, `${k.role} ${k.permissions.join(',')} ${path} → ${res.status}`)
          .toBe(!canOpen(user, path));
      }
    }
  });

  it('a viewer (invoices and contracts only) is offered no pending action or activity that answers 403', async () => {
    const { agent } = await signIn(t.app, 'viewer@acme.example');
    const home = await agent.get('/');
    expect(home.status).toBe(200);
    const links = [
      ...hrefs(section(home.text, 'card-pending')),
      ...hrefs(section(home.text, 'card-activity')),
    ];
    for (const href of links) {
      const res = await agent.get(href);
      expect.soft(res.status, href).not.toBe(403);
    }
    // The same Home as a user with every permission still lists requests and activities.
    const ap = await signIn(t.app, 'ap@acme.example');
    const full = await ap.agent.get('/');
    expect(hrefs(section(full.text, 'card-pending')).length).toBeGreaterThan(0);
    expect(hrefs(section(full.text, 'card-activity')).length).toBeGreaterThan(0);
  });

  it('splits pending actions by who acts next: a request waiting on the customer is under "Waiting on you"', async () => {
    const { agent } = await signIn(t.app, 'ap@acme.example');
    const html = section((await agent.get('/')).text, 'card-pending');
    const yours = html.indexOf('Waiting on you');
    const lessor = html.indexOf('With Northwind');
    expect(yours).toBeGreaterThan(-1);
    expect(lessor).toBeGreaterThan(-1);
    // Every "Waiting on customer" tag is in the first group, none among the lessor's.
    const tags = [...html.matchAll(/Waiting on customer/g)].map((m) => m.index);
    expect(tags.length).toBeGreaterThan(0);
    for (const i of tags) expect(i < lessor === yours < lessor).toBe(true);
  });
});

describe('Contracts card and credit corner', () => {
  let agent: Agent;
  let overdueNumber = '';
  let customerId = 0;
  beforeAll(async () => {
    const db = t.deps.db;
    const nw = await labelId(db, 'northwind');
    const c = await createCustomer(db, { credit_limit_minor: 1_000_000_00 });
    customerId = c.id;
    // An old contract with an overdue invoice, then six newer ones without.
    const old = await createContract(db, {
      customer_id: c.id,
      private_label_id: nw,
      start_date: '2023-01-01',
    });
    overdueNumber = old.number;
    await createInvoice(db, {
      customer_id: c.id,
      private_label_id: nw,
      contract_id: old.id,
      due_date: '2026-10-01',
      total_minor: 1_000_00,
    });
    for (let i = 0; i < 6; i++)
      await createContract(db, { customer_id: c.id, private_label_id: nw, start_date: `2026-0${i + 1}-01` });
    const u = await createUser(db, { customer_id: c.id, role: 'portal_admin' });
    agent = (await signIn(t.app, u.email, FACTORY_PASSWORD)).agent;
  });

  it('shows an overdue contract first even when five newer ones exist', async () => {
    const html = section((await agent.get('/')).text, 'card-contracts');
    const first = /href="\/contracts\/\d+">([^<]+)</.exec(html);
    expect(first?.[1]).toBe(overdueNumber);
    expect(html).toContain('Overdue');
  });

  it('counts the exposure under every label: Used is the same whichever brand shows it', async () => {
    const db = t.deps.db;
    const maple = await labelId(db, 'maple');
    const k = await createContract(db, {
      customer_id: customerId,
      private_label_id: maple,
      start_date: '2026-02-01',
    });
    await createInvoice(db, {
      customer_id: customerId,
      private_label_id: maple,
      contract_id: k.id,
      due_date: '2026-12-01',
      total_minor: 2_500_00,
    });
    const used = (html: string): string => {
      const s = section(html, 'card-credit');
      return /<dt>Used<\/dt><dd>([^<]+)</.exec(s)?.[1] ?? '';
    };
    const northwindUsed = used((await agent.get('/')).text);
    const rows = (await db('contracts')
      .where({ customer_id: customerId })
      .sum('financed_amount_minor as f')) as {
      f: string;
    }[];
    // Principal of every active contract (no period due yet: the financed amount) + both invoices.
    const expected = Number(rows[0]!.f) + 1_000_00 + 2_500_00;
    expect(northwindUsed.replace(/[^0-9]/g, '')).toBe(String(expected));
  });
});
