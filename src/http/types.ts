/** Shapes carried on the request: the signed-in user, the private label, the current scope. */
import 'express-session';

export const PERMISSIONS = [
  'invoices.view',
  'payments.make',
  'autopay.manage',
  'contracts.view',
  'documents.upload',
  'payoff.request',
  'assets.view',
  'assets.request_location_change',
  'service_requests.manage',
  'reports.run',
  'reports.schedule',
] as const;
export type Permission = (typeof PERMISSIONS)[number];
export type Role = 'user' | 'portal_admin' | 'superuser';

export interface SessionUser {
  id: number;
  email: string;
  name: string;
  role: Role;
  customerId: number | null;
  permissions: string[];
  sessionVersion: number;
  /** Two-step sign-in is set up (an admin without it may be sent to set it up). */
  twoStepOn: boolean;
  /**
   * A lessee's own customer when active (null: inactive), read with the user on each request;
   * undefined when not read (then the current-customer middleware reads it).
   */
  ownCustomer?: CurrentCustomer | null;
}

export interface Label {
  id: number;
  code: string;
  name: string;
  hosts: string[];
  logoPath: string | null;
  primaryColor: string;
  accentColor: string;
  supportEmail: string | null;
  supportPhone: string | null;
  supportHours: string | null;
  emailFrom: string | null;
  /** Absolute origin (and path) for links in e-mails, from configuration only (labels.links.ts). */
  baseUrl: string;
  primaryCurrency: string;
  secondaryCurrencies: string[];
  timeZone: string;
  locale: string;
  isDefault: boolean;
}

export interface CurrentCustomer {
  id: number;
  number: string;
  name: string;
  primaryCurrency: string;
  creditLimitMinor: number;
  /**
   * The customer's data version (migrations/20261129001000_customer_changes.ts), read with the
   * session's user or the superuser's chosen customer on every request; absent elsewhere.
   */
  dataVersion?: string;
}

/** What every service call is scoped by. Comes from the session, never from the request. */
export interface Scope {
  customerId: number;
  labelId: number;
  label: Label;
  customer: CurrentCustomer;
  today: string;
  user: SessionUser;
  /** customer.dataVersion: figures computed at this version may be shown again (scopeCache). */
  dataVersion: string | undefined;
}

export function hasPermission(user: SessionUser, permission: Permission): boolean {
  return user.role !== 'user' || user.permissions.includes(permission);
}

declare module 'express-session' {
  interface SessionData {
    customerId?: number;
    createdAt?: number;
    lastSeenAt?: number;
    flash?: string;
  }
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    // eslint-disable-next-line @typescript-eslint/no-empty-object-type
    interface User extends SessionUser {}
    interface Locals {
      label: Label;
      requestId: string;
      scope?: Scope;
      customer?: CurrentCustomer;
      /** Printed by templates; minted into the session on first use (csrf.ts). */
      csrfToken?: { toString(): string };
    }
  }
}
