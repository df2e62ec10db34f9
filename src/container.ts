/** The composition root: database → repositories → services. */
import type { Knex } from 'knex';
import type { Config } from './config.ts';
import type { Clock } from './lib/clock.ts';
import type { Logger } from './lib/logger.ts';
import type { Mailer } from './lib/mailer.ts';
import { sessionCookieName } from './http/session.ts';
import { createActivitiesRepository } from './modules/activities/activities.repository.ts';
import { createAssetsRepository } from './modules/assets/assets.repository.ts';
import { createAssetsService } from './modules/assets/assets.service.ts';
import { createLocationChangesRepository } from './modules/location-changes/location-changes.repository.ts';
import { createLocationChangesService } from './modules/location-changes/location-changes.service.ts';
import { createAuditRepository } from './modules/audit/audit.repository.ts';
import { createAuthService } from './modules/auth/auth.service.ts';
import { createUsersRepository } from './modules/auth/users.repository.ts';
import { createAccountService } from './modules/account/account.service.ts';
import { createThrottleRepository } from './modules/auth/throttle.repository.ts';
import { createCustomersRepository } from './modules/customers/customers.repository.ts';
import { createCustomersService } from './modules/customers/customers.service.ts';
import { createHomeRepository } from './modules/home/home.repository.ts';
import { createHomeService } from './modules/home/home.service.ts';
import { createLabelsRepository } from './modules/labels/labels.repository.ts';
import { createLabelsService } from './modules/labels/labels.service.ts';
import { createOutboxRepository } from './modules/outbox/outbox.repository.ts';
import { createNotifications } from './modules/notifications/notifications.service.ts';
import { createOutboxService } from './modules/outbox/outbox.service.ts';
import { createBilling } from './modules/payments/billing.container.ts';
import { createContractsRepository } from './modules/contracts/contracts.repository.ts';
import { createContractsService } from './modules/contracts/contracts.service.ts';
import { createPayoffQuotesService } from './modules/payoff-quotes/payoff-quotes.service.ts';
import { createServiceRequestsService } from './modules/service-requests/service-requests.service.ts';
import { createDocumentsService } from './modules/documents/documents.service.ts';
import { localDirectoryStorage } from './modules/documents/documents.storage.ts';
import { createAdminUsersRepository } from './modules/admin-users/admin-users.repository.ts';
import { createAdminUsersService } from './modules/admin-users/admin-users.service.ts';
import { createPasswordService } from './modules/password/password.service.ts';
import { createTwoStepService } from './modules/auth/two-step.service.ts';
import { createReportsRepository } from './modules/reports/reports.repository.ts';
import { createReportsService } from './modules/reports/reports.service.ts';
import { createReportSchedules } from './modules/reports/reports.schedules.ts';

export interface Infrastructure {
  config: Config;
  db: Knex;
  /** Connection string of `db`, for clients that need their own pool (the session store). */
  databaseUrl: string;
  /** Largest pool a second client may open (1 on the embedded database). */
  poolMax: number;
  clock: Clock;
  logger: Logger;
  mailer: Mailer;
}

export function createContainer(infra: Infrastructure) {
  const { db, clock, logger, config } = infra;
  const users = createUsersRepository(db);
  const audit = createAuditRepository(db);
  const activities = createActivitiesRepository(db, clock);
  const customersRepo = createCustomersRepository(db);
  const assetsRepo = createAssetsRepository(db);
  const locationChangesRepo = createLocationChangesRepository(db);
  const labels = createLabelsService(createLabelsRepository(db), clock, {
    publicUrl: config.publicUrl,
    port: config.port,
  });
  const outbox = createOutboxService(createOutboxRepository(db), infra.mailer, logger, {
    messageIdDomain: config.publicUrl ? new URL(config.publicUrl).hostname : 'portal.localhost',
  });
  const contractsRepo = createContractsRepository(db);
  const contracts = createContractsService(contractsRepo);
  return {
    ...infra,
    contracts,
    payoffQuotes: createPayoffQuotesService({ db, contractsRepo, audit, activities, outbox }),
    serviceRequests: createServiceRequestsService({ db, audit, activities }),
    documents: createDocumentsService({
      db,
      storage: localDirectoryStorage(config.documentsDir),
      audit,
      activities,
    }),
    sessionCookieName: sessionCookieName(config.isProduction),
    labels,
    audit,
    activities,
    users,
    account: createAccountService({ db, users, audit, clock }),
    customersRepo,
    customers: createCustomersService(customersRepo, audit, logger),
    auth: createAuthService({
      users,
      throttle: createThrottleRepository(db),
      clock,
      options: {
        maxFailsPerAccount: config.loginMaxFailsPerAccount,
        maxFailsPerIp: config.loginMaxFailsPerIp,
        accountCeiling: config.loginAccountCeiling,
      },
    }),
    home: createHomeService(createHomeRepository(db), activities, clock),
    assetsRepo,
    assets: createAssetsService(assetsRepo, locationChangesRepo),
    locationChanges: createLocationChangesService({
      db,
      repo: locationChangesRepo,
      assets: assetsRepo,
      audit,
      activities,
      clock,
    }),
    outbox,
    // Admin and accounts (issue 7).
    adminUsers: createAdminUsersService({
      db,
      repo: createAdminUsersRepository(db),
      audit,
      outbox,
      clock,
    }),
    passwords: createPasswordService({ db, clock, audit, outbox, logger, labels: labels.all }),
    twoStep: createTwoStepService({
      db,
      clock,
      audit,
      throttle: createThrottleRepository(db),
      encryptionKey: config.twoStepEncryptionKey,
    }),
    notifications: createNotifications({
      db,
      clock,
      audit,
      outbox,
      labels: labels.all,
    }),
    // Reports (issue 6).
    reports: createReportsService(createReportsRepository(db)),
    reportSchedules: createReportSchedules({
      db,
      clock,
      logger,
      audit,
      activities,
      outbox,
      sessionSecret: config.sessionSecret,
      publicUrl: config.publicUrl,
      port: config.port,
      filesDir: `${config.dataDir}/report-files`,
      attachLimitBytes: 5 * 1024 * 1024,
    }),
    ...createBilling({ db, config, clock, logger, audit, activities, outbox, labels }),
  };
}

export type Deps = ReturnType<typeof createContainer>;
