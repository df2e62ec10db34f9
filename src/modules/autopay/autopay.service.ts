/**
 * Autopay: enrol, change and cancel per contract; the worker pays each enrolled contract's
 * invoices once (autopay_attempts is unique per invoice; the payment's idempotency key is
 * derived from the invoice, so a retry after a crash is the same payment).
 */
import type { Knex } from 'knex';
import { NotFound, ValidationFailed } from '../../http/errors.ts';
import type { Scope } from '../../http/types.ts';
import { addDays, type Clock } from '../../lib/clock.ts';
import type { Logger } from '../../lib/logger.ts';
import type { ActivitiesRepository } from '../activities/activities.repository.ts';
import type { AuditRepository } from '../audit/audit.repository.ts';
import type { PaymentMethodsRepository } from '../payment-methods/payment-methods.repository.ts';
import { methodText } from '../payment-methods/payment-methods.repository.ts';
import type { PaymentsRepository } from '../payments/payments.repository.ts';
import type { PaymentsService } from '../payments/payments.service.ts';
import type { AutopayRepository } from './autopay.repository.ts';

export interface Enrolment {
  contractIds: number[];
  methodId: number;
  daysBeforeDue: number;
}

export interface AutopayActor {
  customerId: number;
  labelId: number;
  userId: number;
  ip?: string | null;
  requestId?: string | null;
}

export function createAutopayService(d: {
  repo: AutopayRepository;
  methods: PaymentMethodsRepository;
  payments: PaymentsService;
  paymentsRepo: PaymentsRepository;
  audit: AuditRepository;
  activities: ActivitiesRepository;
  clock: Clock;
  logger: Logger;
}) {
  const { repo } = d;
  async function log(
    trx: Knex,
    a: AutopayActor,
    action: string,
    contractId: number,
    subject: string,
    before: unknown,
    after: unknown,
  ) {
    await d.audit.record(
      {
        actorUserId: a.userId,
        actingCustomerId: a.customerId,
        action,
        entityType: 'contract',
        entityId: contractId,
        before,
        after,
        ip: a.ip ?? null,
        requestId: a.requestId ?? null,
      },
      trx,
    );
    await d.activities.add(
      {
        customerId: a.customerId,
        labelId: a.labelId,
        actorUserId: a.userId,
        kind: action,
        subject,
        link: '/autopay',
      },
      trx,
    );
  }

  return {
    async overview(scope: Scope) {
      const [contracts, methods] = await Promise.all([
        repo.contracts(scope.customerId, scope.labelId),
        d.methods.active(scope.customerId),
      ]);
      return { contracts, methods };
    },

    /** Enrols (or re-enrols with new settings) each chosen contract, in one transaction. */
    async enrol(a: AutopayActor, e: Enrolment): Promise<number> {
      return repo.transaction(async (trx) => {
        const method = await d.methods.find(a.customerId, e.methodId, trx);
        if (!method)
          throw new ValidationFailed([{ field: 'method', message: 'Choose a saved payment method' }]);
        const contracts = await repo.lockContracts(trx, a.customerId, a.labelId, e.contractIds);
        if (contracts.length !== e.contractIds.length) throw new NotFound();
        const at = d.clock.now();
        for (const c of contracts) {
          const before = await repo.deactivate(trx, a.customerId, c.id, at);
          await repo.insert(trx, {
            customerId: a.customerId,
            contractId: c.id,
            methodId: e.methodId,
            daysBeforeDue: e.daysBeforeDue,
            userId: a.userId,
            at,
          });
          const when =
            e.daysBeforeDue === 0
              ? 'on the due date'
              : `${e.daysBeforeDue} day${e.daysBeforeDue === 1 ? '' : 's'} before the due date`;
          await log(
            trx,
            a,
            before ? 'autopay.changed' : 'autopay.enrolled',
            c.id,
            `Autopay ${before ? 'changed' : 'set up'} for contract ${c.number}: ${methodText(method)}, ${when}`,
            before ?? null,
            { methodId: e.methodId, daysBeforeDue: e.daysBeforeDue },
          );
        }
        return contracts.length;
      });
    },

    async cancel(a: AutopayActor, contractId: number): Promise<void> {
      await repo.transaction(async (trx) => {
        const [c] = await repo.lockContracts(trx, a.customerId, a.labelId, [contractId]);
        if (!c) throw new NotFound();
        const before = await repo.deactivate(trx, a.customerId, c.id, d.clock.now());
        if (!before) throw new NotFound();
        await log(trx, a, 'autopay.cancelled', c.id, `Autopay cancelled for contract ${c.number}`, before, {
          active: false,
        });
      });
    },

    /** Worker: pays each due invoice of an enrolled contract once. */
    async run(): Promise<{ submitted: number; skipped: number }> {
      const out = { submitted: 0, skipped: 0 };
      const latest = addDays(d.clock.today('Pacific/Kiritimati'), 1);
      for (const r of await repo.dueInvoices(latest)) {
        const today = d.clock.today(r.timeZone);
        if (addDays(r.dueDate, -r.daysBeforeDue) > today) continue;
        const attempt = await repo.claimAttempt(r.enrollmentId, r.invoiceId, d.clock.now());
        if (attempt === undefined) continue; // another worker has it
        const [inv] = await d.paymentsRepo.transaction((trx) =>
          d.paymentsRepo.lockPayable(trx, r.customerId, r.labelId, [r.invoiceId]),
        );
        if (!inv || inv.payableMinor <= 0) {
          await repo.finishAttempt(attempt, 'skipped', null, 'Nothing left to pay');
          out.skipped++;
          continue;
        }
        const actor = { customerId: r.customerId, labelId: r.labelId, userId: r.userId };
        try {
          const p = await d.payments.create(
            actor,
            {
              methodId: r.methodId,
              payDate: today,
              allocations: [{ invoiceId: r.invoiceId, amountMinor: inv.payableMinor }],
              currency: inv.currency,
              totalMinor: inv.payableMinor,
            },
            `autopay:invoice:${r.invoiceId}`,
            today,
            'autopay',
          );
          await d.payments.submit(p.id, actor);
          await repo.finishAttempt(attempt, 'submitted', p.id, null);
          out.submitted++;
        } catch (err) {
          const note =
            err instanceof ValidationFailed
              ? err.errors.map((e) => e.message).join('; ')
              : (err as Error).message;
          d.logger.warn({ event: 'autopay_failed', invoiceId: r.invoiceId, note }, 'autopay attempt failed');
          await repo.finishAttempt(attempt, 'failed', null, note.slice(0, 500));
        }
      }
      return out;
    },
  };
}
export type AutopayService = ReturnType<typeof createAutopayService>;
