/** Builds the invoices, payments, payment-methods, autopay and gateway pieces for the container. */
import type { Knex } from 'knex';
import type { Config } from '../../config.ts';
import type { Clock } from '../../lib/clock.ts';
import type { Logger } from '../../lib/logger.ts';
import type { ActivitiesRepository } from '../activities/activities.repository.ts';
import type { AuditRepository } from '../audit/audit.repository.ts';
import type { LabelsService } from '../labels/labels.service.ts';
import type { OutboxService } from '../outbox/outbox.service.ts';
import { createAutopayRepository } from '../autopay/autopay.repository.ts';
import { createAutopayService } from '../autopay/autopay.service.ts';
import type { PaymentGateway } from '../gateway/gateway.ts';
import { createSandboxGateway } from '../gateway/sandbox.gateway.ts';
import { databaseChargeStore } from '../gateway/sandbox.charges.ts';
import { createInvoicesRepository } from '../invoices/invoices.repository.ts';
import { createInvoicesService } from '../invoices/invoices.service.ts';
import { createPaymentMethodsRepository } from '../payment-methods/payment-methods.repository.ts';
import { createPaymentMethodsService } from '../payment-methods/payment-methods.service.ts';
import { createReceiptMailer } from './payments.email.ts';
import { createPaymentsRepository } from './payments.repository.ts';
import { createPaymentsService } from './payments.service.ts';

export function createBilling(d: {
  db: Knex;
  config: Config;
  clock: Clock;
  logger: Logger;
  audit: AuditRepository;
  activities: ActivitiesRepository;
  outbox: OutboxService;
  labels: LabelsService;
}) {
  const sandboxGateway = createSandboxGateway({
    secret: d.config.sessionSecret,
    achSettlementDelayMinutes: d.config.achSettlementDelayMinutes,
    charges: databaseChargeStore(d.db, () => d.clock.now()),
  });
  const gateway: PaymentGateway = sandboxGateway;
  const invoicesRepo = createInvoicesRepository(d.db);
  const methodsRepo = createPaymentMethodsRepository(d.db);
  const paymentMethods = createPaymentMethodsService({
    repo: methodsRepo,
    gateway,
    audit: d.audit,
    activities: d.activities,
  });
  const paymentsRepo = createPaymentsRepository(d.db);
  const payments = createPaymentsService({
    repo: paymentsRepo,
    methods: methodsRepo,
    gateway,
    audit: d.audit,
    activities: d.activities,
    outbox: d.outbox,
    labels: () => d.labels.all(),
    receipts: createReceiptMailer(d.outbox, d.config.publicUrl),
    clock: d.clock,
    logger: d.logger,
  });
  const autopay = createAutopayService({
    repo: createAutopayRepository(d.db),
    methods: methodsRepo,
    payments,
    paymentsRepo,
    audit: d.audit,
    activities: d.activities,
    clock: d.clock,
    logger: d.logger,
  });
  return {
    sandboxGateway,
    gateway,
    invoicesRepo,
    invoices: createInvoicesService(invoicesRepo),
    paymentMethods,
    payments,
    autopay,
  };
}
