/** The main menu and Quick Actions, filtered by what the signed-in user may do. */
import type { RequestHandler } from 'express';
import { hasPermission, type Permission, type SessionUser } from './types.ts';

interface NavItem {
  href: string;
  text: string;
  permission?: Permission;
  adminOnly?: boolean;
  /** Paths that mark this item as the current section. */
  sections: string[];
}

const MAIN: NavItem[] = [
  { href: '/', text: 'Home', sections: ['/'] },
  {
    href: '/invoices',
    text: 'Invoices & Payments',
    permission: 'invoices.view',
    sections: ['/invoices', '/payments', '/payment-methods', '/autopay'],
  },
  {
    href: '/contracts',
    text: 'Contracts',
    permission: 'contracts.view',
    sections: ['/contracts', '/payoff-quotes', '/service-requests'],
  },
  {
    href: '/assets',
    text: 'Assets',
    permission: 'assets.view',
    sections: ['/assets', '/location-change-requests'],
  },
  { href: '/reports', text: 'Reports', permission: 'reports.run', sections: ['/reports'] },
  { href: '/admin/users', text: 'Admin', adminOnly: true, sections: ['/admin'] },
];

const QUICK: NavItem[] = [
  { href: '/autopay', text: 'Set up Autopay', permission: 'autopay.manage', sections: [] },
  { href: '/payments/new', text: 'Make Payment', permission: 'payments.make', sections: [] },
  {
    href: '/contracts?intent=payoff',
    text: 'Request Payoff Quote',
    permission: 'payoff.request',
    sections: [],
  },
  {
    href: '/assets/location-change/new',
    text: 'Request Asset Location Change',
    permission: 'assets.request_location_change',
    sections: [],
  },
  {
    href: '/service-requests',
    text: 'Service Requests',
    permission: 'service_requests.manage',
    sections: [],
  },
];

function allowed(user: SessionUser, item: NavItem): boolean {
  if (item.adminOnly) return user.role !== 'user';
  return item.permission ? hasPermission(user, item.permission) : true;
}

function isCurrent(path: string, item: NavItem): boolean {
  return item.sections.some((s) => (s === '/' ? path === '/' : path === s || path.startsWith(`${s}/`)));
}

export const navigationLocals =
  (idleMs: number): RequestHandler =>
  (req, res, next) => {
    const user = req.user;
    res.locals.currentUser = user;
    res.locals.path = req.path;
    res.locals.sessionIdleMs = idleMs;
    res.locals.can = (permission: Permission): boolean => Boolean(user && hasPermission(user, permission));
    if (user && res.locals.scope) {
      res.locals.mainNav = MAIN.filter((i) => allowed(user, i)).map((i) => ({
        ...i,
        current: isCurrent(req.path, i),
      }));
      res.locals.quickActions = QUICK.filter((i) => allowed(user, i));
    } else {
      res.locals.mainNav = [];
      res.locals.quickActions = [];
    }
    next();
  };
