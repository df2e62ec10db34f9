/**
 * The sandbox gateway's hosted pages. In production these pages belong to the gateway (another
 * origin); the portal only ever sees the signed reference they redirect back with. Entered
 * numbers are checked, reduced to a token plus last four digits, and dropped: they are never
 * logged, stored or shown again (an error re-renders with the number fields empty).
 */
import { Router } from 'express';
import { z } from 'zod';
import type { Deps } from '../../container.ts';
import { safeReturnTo } from '../../http/auth.ts';
import { parseForm } from '../../http/forms.ts';
import {
  cardBrand,
  luhnOk,
  TEST_ACCOUNTS,
  TEST_CARDS,
  TEST_ROUTING,
  type SandboxOutcome,
} from './sandbox.gateway.ts';

const digits = (s: string): string => s.replace(/[\s-]/g, '');

const context = z.object({
  return: z.string().max(500).transform(safeReturnTo),
  state: z.string().regex(/^[A-Za-z0-9_-]{16,64}$/),
});

function cardSchema(today: string) {
  const [y, m] = today.split('-').map(Number) as [number, number];
  return z
    .object({
      name: z
        .string()
        .trim()
        .min(1, 'Enter the name on the card')
        .max(100, 'Name must be 100 characters or fewer'),
      number: z
        .string()
        .transform(digits)
        .refine((s) => /^\d{12,19}$/.test(s), 'Enter a card number of 12 to 19 digits')
        .refine((s) => luhnOk(s), 'Enter a valid card number'),
      expMonth: z.coerce
        .number({ message: 'Enter the expiry month' })
        .int()
        .min(1, 'Enter a month from 1 to 12')
        .max(12, 'Enter a month from 1 to 12'),
      expYear: z.coerce
        .number({ message: 'Enter the expiry year' })
        .int()
        .min(2000, 'Enter the year as 4 digits')
        .max(2100, 'Enter the year as 4 digits'),
      cvc: z.string().regex(/^\d{3,4}$/, 'Enter the 3 or 4 digit security code'),
    })
    .refine((c) => c.expYear > y || (c.expYear === y && c.expMonth >= m), {
      message: 'The card has expired',
      path: ['expMonth'],
    });
}

const achSchema = z.object({
  holder: z
    .string()
    .trim()
    .min(1, 'Enter the account holder’s name')
    .max(100, 'Name must be 100 characters or fewer'),
  routing: z
    .string()
    .transform(digits)
    .refine((s) => /^\d{9}$/.test(s) && abaOk(s), 'Enter a valid 9 digit routing number'),
  account: z
    .string()
    .transform(digits)
    .refine((s) => /^\d{4,17}$/.test(s), 'Enter an account number of 4 to 17 digits'),
});

export function abaOk(r: string): boolean {
  const d = r.split('').map(Number);
  const sum = 3 * (d[0]! + d[3]! + d[6]!) + 7 * (d[1]! + d[4]! + d[7]!) + (d[2]! + d[5]! + d[8]!);
  return sum % 10 === 0;
}

export function gatewayRoutes(deps: Deps): Router {
  const router = Router();
  const gw = deps.sandboxGateway;

  const ctx = (q: unknown) => {
    const r = context.safeParse(q);
    return r.success ? r.data : undefined;
  };

  router.get('/sandbox/card', (req, res) => {
    const c = ctx(req.query);
    if (!c) return res.status(400).render('errors/generic', { title: 'This payment page link is not valid' });
    res.render('gateway/card', { title: 'Add a card – sandbox gateway', c, errors: [], values: {} });
  });

  router.post('/sandbox/card', (req, res) => {
    const c = ctx(req.body);
    if (!c) return res.status(400).render('errors/generic', { title: 'This payment page link is not valid' });
    const parsed = parseForm(cardSchema(res.locals.scope!.today), req.body);
    if (!parsed.ok) {
      const { name, expMonth, expYear } = parsed.values;
      return res.status(400).render('gateway/card', {
        title: 'Error: Add a card – sandbox gateway',
        c,
        errors: parsed.errors,
        values: { name, expMonth, expYear },
      });
    }
    const d = parsed.data;
    const outcome: SandboxOutcome = TEST_CARDS[d.number]?.outcome ?? 'approve';
    const ref = gw.tokenise(
      {
        kind: 'card',
        brand: cardBrand(d.number),
        last4: d.number.slice(-4),
        expMonth: d.expMonth,
        expYear: d.expYear,
        bankName: null,
        accountHolder: d.name,
      },
      outcome,
      c.state,
    );
    res.redirect(303, withRef(c.return, ref));
  });

  router.get('/sandbox/bank-account', (req, res) => {
    const c = ctx(req.query);
    if (!c) return res.status(400).render('errors/generic', { title: 'This payment page link is not valid' });
    res.render('gateway/bank-account', {
      title: 'Add a bank account – sandbox gateway',
      c,
      errors: [],
      values: {},
    });
  });

  router.post('/sandbox/bank-account', (req, res) => {
    const c = ctx(req.body);
    if (!c) return res.status(400).render('errors/generic', { title: 'This payment page link is not valid' });
    const parsed = parseForm(achSchema, req.body);
    if (!parsed.ok) {
      return res.status(400).render('gateway/bank-account', {
        title: 'Error: Add a bank account – sandbox gateway',
        c,
        errors: parsed.errors,
        values: { holder: parsed.values.holder },
      });
    }
    const d = parsed.data;
    const last4 = d.account.slice(-4);
    const outcome: SandboxOutcome = TEST_ACCOUNTS[last4]?.outcome ?? 'approve';
    const ref = gw.tokenise(
      {
        kind: 'ach',
        brand: null,
        last4,
        expMonth: null,
        expYear: null,
        bankName: d.routing === TEST_ROUTING ? 'Sandbox Test Bank' : `Bank ${d.routing.slice(0, 4)}`,
        accountHolder: d.holder,
      },
      outcome,
      c.state,
    );
    res.redirect(303, withRef(c.return, ref));
  });

  return router;
}

function withRef(returnTo: string, ref: string): string {
  return `${returnTo}${returnTo.includes('?') ? '&' : '?'}gateway_ref=${encodeURIComponent(ref)}`;
}
