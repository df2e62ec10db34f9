/** createApp(deps): the middleware in order, the routers with their guards, 404, errors. */
import path from 'node:path';
import express, { type Express } from 'express';
import type { Deps } from './container.ts';
import {
  requireAnyPermission,
  requireAuth,
  requireTwoStepForAdmins,
  requirePermission,
  requireRole,
  setUpPassport,
} from './http/auth.ts';
import { csrfProtection, csrfToken } from './http/csrf.ts';
import { refuseControlCharacters } from './http/input-hygiene.ts';
import { loadCurrentCustomer, requireCustomer } from './http/current-customer.ts';
import { errorHandler, notFound } from './http/error-handler.ts';
import { healthRoutes } from './http/health.ts';
import { requestLogging } from './http/request-id.ts';
import { noStore, setUpSecurityHeaders } from './http/security.ts';
import { enforceSessionTimeouts, setUpSession } from './http/session.ts';
import { setUpViews } from './http/views.ts';
import { navigationLocals } from './http/navigation.ts';
import { authRoutes } from './modules/auth/auth.routes.ts';
import { customersRoutes } from './modules/customers/customers.routes.ts';
import { homeRoutes } from './modules/home/home.routes.ts';
import { assetsRoutes } from './modules/assets/assets.routes.ts';
import {
  locationChangeFormRoutes,
  locationChangeRequestRoutes,
} from './modules/location-changes/location-changes.routes.ts';
import { labelsRoutes } from './modules/labels/labels.routes.ts';
import { resolveLabel } from './modules/labels/labels.middleware.ts';
import { invoicesRoutes } from './modules/invoices/invoices.routes.ts';
import { paymentsMakeRoutes } from './modules/payments/payments.routes.ts';
import { paymentsViewRoutes } from './modules/payments/payments-history.routes.ts';
import { paymentMethodsRoutes } from './modules/payment-methods/payment-methods.routes.ts';
import { autopayRoutes } from './modules/autopay/autopay.routes.ts';
import { gatewayRoutes } from './modules/gateway/gateway.routes.ts';
import { contractsRoutes } from './modules/contracts/contracts.routes.ts';
import {
  payoffEmailRoutes,
  payoffRequestRoutes,
  payoffViewRoutes,
} from './modules/payoff-quotes/payoff-quotes.routes.ts';
import {
  attachmentsParser,
  serviceRequestsRoutes,
} from './modules/service-requests/service-requests.routes.ts';
import {
  contractDocumentsRoutes,
  documentDownloadRoutes,
  uploadParser,
} from './modules/documents/documents.routes.ts';
import { adminUsersRoutes } from './modules/admin-users/admin-users.routes.ts';
import { auditRoutes } from './modules/audit/audit.routes.ts';
import { accountRoutes } from './modules/account/account.routes.ts';
import { passwordRoutes } from './modules/password/password.routes.ts';
import { reportsRoutes } from './modules/reports/reports.routes.ts';
import { reportFileRoutes, reportSchedulesRoutes } from './modules/reports/reports.schedules.routes.ts';

export interface AppHandle {
  app: Express;
  close(): Promise<void>;
}

export function createApp(deps: Deps, opts: { isStopping?: () => boolean } = {}): AppHandle {
  const { config, clock, logger } = deps;
  const app = express();
  app.disable('x-powered-by');
  // Pages are personal and sent with no-store: hashing every body for an ETag was wasted work.
  app.set('etag', false);
  app.set('env', config.env);
  app.set('trust proxy', config.trustProxy);
  app.set('query parser', 'simple');
  setUpViews(app, config.isProduction);

  app.use(requestLogging(logger));
  app.use(setUpSecurityHeaders(config.isProduction));
  // Static files only under their own folders: mounted at '/', serve-static stat()ed the disk
  // for every page request before passing it on.
  const publicDir = path.resolve(import.meta.dirname, '../public');
  for (const dir of ['css', 'js', 'img'])
    app.use(
      `/${dir}`,
      express.static(path.join(publicDir, dir), { maxAge: config.isProduction ? '1h' : 0, index: false }),
    );
  app.use(healthRoutes(deps.db, opts.isStopping ?? (() => false)));

  // The label claiming the host, or a plain 400 page (no default label for unknown hosts).
  app.use(resolveLabel(deps.labels));
  app.use(labelsRoutes(deps));

  app.use(express.urlencoded({ extended: false, limit: '100kb', parameterLimit: 200 }));
  const session = setUpSession({
    db: deps.db,
    // The session's user (with their customer and its data version) in the same statement.
    read: async (sid, nowMs) => {
      const found = await deps.auth.sessionWithUser(sid, nowMs);
      return found && { sess: found.sess, attachment: found.read };
    },
    secret: config.sessionSecret,
    isProduction: config.isProduction,
    idleMs: config.sessionIdleMs,
  });
  app.use(session.middleware);
  app.use(enforceSessionTimeouts(clock, config.sessionIdleMs, config.sessionAbsoluteMs));
  const auth = setUpPassport(deps.auth);
  app.use(...auth.middleware);
  app.use(loadCurrentCustomer(deps.customersRepo, clock));
  // Document uploads are multipart: parse them (signed in, with documents.upload, 10 MB limit)
  // before the CSRF check so it can read the form's `_csrf` field.
  app.post(
    '/contracts/:contractId/documents',
    requireAuth,
    noStore,
    requireCustomer,
    requirePermission('documents.upload'),
    uploadParser,
  );
  // Service requests and their comments take optional attachments (same parser and rules).
  app.post(
    ['/service-requests', '/service-requests/:id/comments'],
    requireAuth,
    noStore,
    requireCustomer,
    requirePermission('service_requests.manage'),
    attachmentsParser,
  );
  app.use(csrfProtection);
  app.use(csrfToken);
  app.use(navigationLocals(config.sessionIdleMs));
  // Every form and query field, multipart ones included: no control characters (400).
  app.use(refuseControlCharacters);
  app.use(requireTwoStepForAdmins(config.twoStepRequiredForAdmins));

  app.use(authRoutes(deps, auth.passport));
  app.use(passwordRoutes(deps));
  app.use('/customers', requireAuth, noStore, requireRole('superuser'), customersRoutes(deps));
  app.get('/', requireAuth, noStore, requireCustomer, homeRoutes(deps));
  // Invoices & Payments. /payments: history and receipts need invoices.view or payments.make (a
  // payer sees what they paid); the paying router (/payments/new, review, confirm, cancel)
  // after it needs payments.make.
  const signedIn = [requireAuth, noStore, requireCustomer];
  app.use('/invoices', ...signedIn, requirePermission('invoices.view'), invoicesRoutes(deps));
  app.use(
    '/payments',
    ...signedIn,
    requireAnyPermission('invoices.view', 'payments.make'),
    paymentsViewRoutes(deps),
  );
  app.use('/payments', ...signedIn, requirePermission('payments.make'), paymentsMakeRoutes(deps));
  app.use(
    '/payment-methods',
    ...signedIn,
    requireAnyPermission('payments.make', 'autopay.manage'),
    paymentMethodsRoutes(deps),
  );
  app.use('/autopay', ...signedIn, requirePermission('autopay.manage'), autopayRoutes(deps));
  app.use(
    '/gateway',
    ...signedIn,
    requireAnyPermission('payments.make', 'autopay.manage'),
    gatewayRoutes(deps),
  );
  // The request form before /assets, whose /:id would otherwise see "location-change".
  app.use(
    '/assets/location-change',
    requireAuth,
    noStore,
    requireCustomer,
    requirePermission('assets.request_location_change'),
    locationChangeFormRoutes(deps),
  );
  app.use(
    '/assets',
    requireAuth,
    noStore,
    requireCustomer,
    requirePermission('assets.view'),
    assetsRoutes(deps),
  );
  // Whoever may request a move may also follow the request they made.
  app.use(
    '/location-change-requests',
    requireAuth,
    noStore,
    requireCustomer,
    requireAnyPermission('assets.view', 'assets.request_location_change'),
    locationChangeRequestRoutes(deps),
  );
  // Contracts (issue 4). Requesting a quote needs payoff.request; reading contracts and quotes
  // needs contracts.view; e-mailing a quote needs payoff.request.
  app.use(
    '/contracts/:contractId/payoff-quotes',
    ...signedIn,
    requirePermission('payoff.request'),
    payoffRequestRoutes(deps),
  );
  app.use(
    '/contracts/:contractId/documents',
    ...signedIn,
    requirePermission('contracts.view'),
    contractDocumentsRoutes(deps),
  );
  app.use('/contracts', ...signedIn, requirePermission('contracts.view'), contractsRoutes(deps));
  // Downloads: contract documents need contracts.view, service-request attachments
  // service_requests.manage (checked per document by the route).
  app.use(
    '/documents',
    ...signedIn,
    requireAnyPermission('contracts.view', 'service_requests.manage'),
    documentDownloadRoutes(deps),
  );
  app.use('/payoff-quotes', ...signedIn, requirePermission('contracts.view'), payoffViewRoutes(deps));
  app.use('/payoff-quotes', ...signedIn, requirePermission('payoff.request'), payoffEmailRoutes(deps));
  app.use(
    '/service-requests',
    ...signedIn,
    requirePermission('service_requests.manage'),
    serviceRequestsRoutes(deps),
  );
  // Reports (issue 6): large scheduled files by signed, expiring link; schedules (before
  // /reports, whose /:type would otherwise see "schedules"); catalogue and run-now.
  app.use('/reports/files', noStore, reportFileRoutes(deps));
  app.use(
    '/reports/schedules',
    ...signedIn,
    requirePermission('reports.schedule'),
    reportSchedulesRoutes(deps),
  );
  app.use('/reports', ...signedIn, requirePermission('reports.run'), reportsRoutes(deps));
  // Admin and accounts (issue 7).
  const admins = [requireAuth, noStore, requireCustomer, requireRole('portal_admin', 'superuser')];
  app.use('/admin/users', ...admins, adminUsersRoutes(deps));
  app.use('/admin/audit', ...admins, auditRoutes(deps));
  app.use('/account', requireAuth, noStore, accountRoutes(deps));

  app.use(notFound);
  app.use(errorHandler(logger));
  return { app, close: () => Promise.resolve() };
}
