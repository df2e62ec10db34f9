/**
 * Which of Home's links a user may open: the guards src/app.ts mounts, read as path prefixes
 * (most specific first). Home shows a pending action or an activity only when its page would
 * open for this user; tests/integration/home-links.test.ts asks the real app for every rule,
 * so this table cannot drift from the guards.
 */
import { hasPermission, type Permission, type SessionUser } from '../../http/types.ts';

type Rule = readonly [prefix: RegExp, anyOf: readonly Permission[] | 'admin' | 'signed-in'];

export const LINK_RULES: readonly Rule[] = [
  [/^\/assets\/location-change(\/|$|\?)/, ['assets.request_location_change']],
  [/^\/assets(\/|$|\?)/, ['assets.view']],
  [/^\/location-change-requests(\/|$|\?)/, ['assets.view', 'assets.request_location_change']],
  [/^\/contracts\/[^/]+\/payoff-quotes(\/|$|\?)/, ['payoff.request']],
  [/^\/contracts(\/|$|\?)/, ['contracts.view']],
  [/^\/payoff-quotes(\/|$|\?)/, ['contracts.view']],
  [/^\/documents(\/|$|\?)/, ['contracts.view', 'service_requests.manage']],
  [/^\/invoices(\/|$|\?)/, ['invoices.view']],
  [/^\/payments\/new(\/|$|\?)/, ['payments.make']],
  [/^\/payments(\/|$|\?)/, ['invoices.view', 'payments.make']],
  [/^\/payment-methods(\/|$|\?)/, ['payments.make', 'autopay.manage']],
  [/^\/autopay(\/|$|\?)/, ['autopay.manage']],
  [/^\/service-requests(\/|$|\?)/, ['service_requests.manage']],
  [/^\/reports\/schedules(\/|$|\?)/, ['reports.schedule']],
  [/^\/reports(\/|$|\?)/, ['reports.run']],
  [/^\/admin(\/|$|\?)/, 'admin'],
  [/^\/account(\/|$|\?|#)/, 'signed-in'],
];

/** True when the user's role and permissions let them open the link (unknown paths: no). */
export function canOpen(user: SessionUser, link: string): boolean {
  const rule = LINK_RULES.find(([prefix]) => prefix.test(link));
  if (!rule) return link === '/';
  const need = rule[1];
  if (need === 'signed-in') return true;
  if (need === 'admin') return user.role === 'portal_admin' || user.role === 'superuser';
  return need.some((p) => hasPermission(user, p));
}

/** The page a pending action opens. */
export function pendingActionLink(a: { kind: string; id: number }): string {
  if (a.kind === 'location_change') return `/location-change-requests/${a.id}`;
  if (a.kind === 'service_request') return `/service-requests/${a.id}`;
  return `/payoff-quotes/${a.id}`;
}
