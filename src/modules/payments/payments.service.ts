/**
 * Making, submitting and settling payments. A confirmation inserts the payment once per
 * idempotency key (ON CONFLICT DO NOTHING + re-read), with its invoices locked and their
 * balances re-checked; only the caller that created the row charges the gateway. Settlement
 * reduces the invoices' balances in the same transaction as the payment's status change.
 * No `req`/`res` here: the worker uses the same functions. Every time written (made, submitted,
 * settled, failed, each status change, the activity) is the clock's `now()`, so that what is paid
 * "today" is on the business date (src/lib/clock.ts).
 */
import type { Knex } from 'knex';
import { Conflict, NotFound, ValidationFailed } from '../../http/errors.ts';
import type { Label, Scope } from '../../http/types.ts';
import { FALLBACK_LABEL } from '../labels/labels.service.ts';
import { formatMoney } from '../../lib/money.ts';
import type { Logger } from '../../lib/logger.ts';
import type { Clock } from '../../lib/clock.ts';
import { keptCounts } from '../../lib/scope-cache.ts';
import type { ActivitiesRepository } from '../activities/activities.repository.ts';
import type { AuditRepository } from '../audit/audit.repository.ts';
import type { ChargeResult, PaymentGateway } from '../gateway/gateway.ts';
import type { OutboxService } from '../outbox/outbox.service.ts';
import type { PaymentMethodsRepository } from '../payment-methods/payment-methods.repository.ts';
import { applyAllocation, requestHash, type Allocation } from './payments.money.ts';
import type { AllocationRow, PaymentFilter, PaymentRow, PaymentsRepository } from './payments.repository.ts';
import { pageOf } from '../../http/pagination.ts';
import type { ReceiptMailer } from './payments.email.ts';

export interface PaymentRequest {
  methodId: number;
  payDate: string;
  allocations: Allocation[];
  currency: string;
  totalMinor: number;
}

export interface Actor {
  customerId: number;
  labelId: number;
  userId: number | null;
  ip?: string | null;
  requestId?: string | null;
}

export const HISTORY_PAGE_SIZE = 20;

export function createPaymentsService(d: {
  repo: PaymentsRepository;
  methods: PaymentMethodsRepository;
  gateway: PaymentGateway;
  audit: AuditRepository;
  activities: ActivitiesRepository;
  outbox: OutboxService;
  labels: () => Promise<Label[]>;
  receipts: ReceiptMailer;
  clock: Clock;
  logger: Logger;
}) {
  // A fleet's 30,000 payments are counted once per data version (src/lib/scope-cache.ts).
  const counts = keptCounts({ ttlMs: 10 * 60_000, max: 5_000, now: Date.now });
  const { repo } = d;
  const money = (minor: number, currency: string): string => formatMoney(minor, currency);

  async function record(
    trx: Knex,
    a: Actor,
    p: { id: number; amountMinor: number; currency: string },
    action: string,
    subject: string,
    after: unknown,
  ): Promise<void> {
    await d.audit.record(
      {
        actorUserId: a.userId,
        actingCustomerId: a.customerId,
        action,
        entityType: 'payment',
        entityId: p.id,
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
        link: `/payments/${p.id}`,
      },
      trx,
    );
  }

  /**
   * Creates the payment for this key, or finds the one the key already made. Refuses the same
   * key with a different request. Returns the id and whether this call created it.
   */
  async function create(
    a: Actor,
    req: PaymentRequest,
    key: string,
    today: string,
    source: 'portal' | 'autopay' = 'portal',
  ): Promise<{ id: number; created: boolean }> {
    const hash = requestHash({
      customerId: a.customerId,
      labelId: a.labelId,
      methodId: req.methodId,
      payDate: req.payDate,
      allocations: req.allocations,
    });
    const scheduled = req.payDate > today;
    const ids = req.allocations.map((x) => x.invoiceId);
    // One allocation per invoice (the same invoice twice would be paid twice).
    if (new Set(ids).size !== ids.length)
      throw new ValidationFailed([
        { field: 'invoice', message: 'Each invoice can be paid only once in a payment: choose again' },
      ]);
    const at = d.clock.now();
    return repo.transaction(async (trx) => {
      const id = await repo.insertOnce(trx, {
        customerId: a.customerId,
        labelId: a.labelId,
        methodId: req.methodId,
        amountMinor: req.totalMinor,
        currency: req.currency,
        status: scheduled ? 'scheduled' : 'pending',
        initiatedBy: a.userId,
        scheduledFor: scheduled ? req.payDate : null,
        idempotencyKey: key,
        requestHash: hash,
        source,
        at,
      });
      if (id === undefined) {
        const existing = await repo.findByKey(trx, key);
        if (!existing || existing.customerId !== a.customerId || existing.labelId !== a.labelId)
          throw new NotFound();
        if (existing.requestHash !== hash)
          throw new Conflict(
            'This confirmation was already used for a different payment. Start the payment again.',
          );
        return { id: existing.id, created: false };
      }
      // A new payment is made today or later (the form checks it too; a forged confirmation or
      // one left open past midnight must not pay a past date as today).
      if (req.payDate < today)
        throw new ValidationFailed([{ field: 'payDate', message: 'The payment date cannot be in the past' }]);
      const method = await d.methods.find(a.customerId, req.methodId, trx);
      if (!method)
        throw new ValidationFailed([{ field: 'method', message: 'Choose a saved payment method' }]);
      const payable = await repo.lockPayable(
        trx,
        a.customerId,
        a.labelId,
        req.allocations.map((x) => x.invoiceId),
      );
      const errors = [];
      for (const x of req.allocations) {
        const inv = payable.find((p) => p.id === x.invoiceId);
        if (!inv)
          errors.push({ field: 'invoice', message: 'One of the chosen invoices can no longer be paid' });
        else if (x.amountMinor > inv.payableMinor)
          errors.push({
            field: `amount_${inv.id}`,
            message: `The amount for invoice ${inv.number} must be ${money(Math.max(0, inv.payableMinor), inv.currency)} or less`,
          });
        else if (scheduled && req.payDate > inv.dueDate)
          errors.push({
            field: 'payDate',
            message: `Invoice ${inv.number} is due ${inv.dueDate}: choose that date or earlier`,
          });
      }
      if (errors.length) throw new ValidationFailed(errors);
      await repo.addAllocations(trx, id, req.allocations, at);
      if (scheduled) {
        await repo.addHistory(trx, id, 'scheduled', `Scheduled for ${req.payDate}`, at);
        await record(
          trx,
          a,
          { id, amountMinor: req.totalMinor, currency: req.currency },
          'payment.scheduled',
          `Payment of ${money(req.totalMinor, req.currency)} scheduled for ${req.payDate}`,
          { amountMinor: req.totalMinor, scheduledFor: req.payDate },
        );
      } else {
        await repo.addHistory(trx, id, 'pending', source === 'autopay' ? 'Autopay' : null, at);
      }
      return { id, created: true };
    });
  }

  /** Settles a locked payment: reduces each invoice's balance in this same transaction. */
  async function settleInTrx(
    trx: Knex,
    p: PaymentRow,
    reference: string | null,
    a: Actor,
    label: Label,
  ): Promise<void> {
    const now = d.clock.now();
    const allocs = await repo.lockAllocations(trx, p.id);
    for (const x of allocs) {
      const r = applyAllocation(x.balanceMinor, x.amountMinor);
      await repo.setInvoice(trx, x.invoiceId, r.balanceMinor, r.status, r.status === 'paid' ? now : null);
    }
    await repo.update(trx, p.id, {
      status: 'settled',
      settled_at: now,
      gateway_reference: reference ?? p.gatewayReference,
    });
    await repo.addHistory(trx, p.id, 'settled', null, now);
    await record(
      trx,
      a,
      p,
      'payment.settled',
      `Payment of ${money(p.amountMinor, p.currency)} settled (${allocs.map((x) => x.invoiceNumber).join(', ')})`,
      {
        status: 'settled',
        reference,
        allocations: allocs.map((x) => ({ invoiceId: x.invoiceId, amountMinor: x.amountMinor })),
      },
    );
    await mail(trx, label, { ...p, status: 'settled', settledAt: now }, allocs, 'receipt');
  }

  /** Records the gateway's answer on a pending payment, once: a second call changes nothing. */
  async function mail(
    trx: Knex,
    label: Label,
    p: PaymentRow,
    allocs: AllocationRow[],
    kind: 'receipt' | 'submitted' | 'failure',
  ): Promise<void> {
    const { user, customer } = await repo.recipient(trx, p.initiatedBy, p.customerId);
    // A failure is always told; a receipt (or a bank payment's acknowledgement) only to a payer who wants receipts (/account).
    if (user && (kind === 'failure' || user.wantsReceipts))
      await d.receipts.enqueue(trx, { label, p, allocs, kind, user, customer });
  }

  const labelOf = (labels: Label[], id: number): Label => labels.find((l) => l.id === id) ?? FALLBACK_LABEL;

  async function applyResult(paymentId: number, result: ChargeResult, a: Actor): Promise<void> {
    const labels = await d.labels(); // read before the transaction (one connection on the embedded database)
    await repo.transaction(async (trx) => {
      const p = await repo.lockById(trx, paymentId);
      if (!p || p.status !== 'pending') return;
      const actor = { ...a, customerId: p.customerId, labelId: p.labelId };
      const label = labelOf(labels, p.labelId);
      if (result.status === 'settled') return settleInTrx(trx, p, result.reference, actor, label);
      const now = d.clock.now();
      if (result.status === 'in_progress') {
        await repo.update(trx, p.id, { status: 'in_progress', gateway_reference: result.reference });
        await repo.addHistory(trx, p.id, 'in_progress', 'Submitted to the bank', now);
        await record(
          trx,
          actor,
          p,
          'payment.submitted',
          `Bank payment of ${money(p.amountMinor, p.currency)} submitted`,
          {
            status: 'in_progress',
            reference: result.reference,
          },
        );
        const allocs = await repo.allocations(p.id, trx);
        // Not money received yet: an acknowledgement; the receipt follows when it settles.
        await mail(trx, label, { ...p, status: 'in_progress' }, allocs, 'submitted');
        return;
      }
      const reason: string = 'reason' in result ? result.reason : 'Refused by the gateway';
      await repo.update(trx, p.id, {
        status: 'failed',
        failed_at: now,
        failure_reason: reason,
        gateway_reference: result.reference,
      });
      await repo.addHistory(trx, p.id, 'failed', reason, now);
      await record(
        trx,
        actor,
        p,
        'payment.failed',
        `Payment of ${money(p.amountMinor, p.currency)} failed: ${reason}`,
        {
          status: 'failed',
          reason: reason,
        },
      );
      if (p.source === 'autopay') {
        const allocs = await repo.allocations(p.id, trx);
        await mail(trx, label, { ...p, status: 'failed', failureReason: reason }, allocs, 'failure');
      }
    });
    d.outbox.drainSoon();
  }

  /** Charges a pending payment through the gateway (idempotent by the payment's key) and records the result. */
  async function submit(paymentId: number, a: Actor): Promise<void> {
    const p = await repo.transaction((trx) => repo.lockById(trx, paymentId));
    if (!p || p.status !== 'pending') return;
    if (!p.methodToken) {
      await applyResult(
        paymentId,
        { status: 'failed', reference: null, reason: 'The payment method was removed' },
        a,
      );
      return;
    }
    let result: ChargeResult;
    try {
      result = await d.gateway.charge({
        token: p.methodToken,
        amountMinor: p.amountMinor,
        currency: p.currency,
        idempotencyKey: p.idempotencyKey,
      });
    } catch (err) {
      // Left pending: the reconciliation job retries with the same key (the gateway deduplicates).
      d.logger.warn(
        { event: 'gateway_error', paymentId, error: (err as Error).message },
        'gateway call failed',
      );
      return;
    }
    await applyResult(paymentId, result, a);
  }

  return {
    create,
    submit,

    /** Confirm from the review page: create once, charge once, answer with the payment id. */
    async confirm(scope: Scope, a: Actor, req: PaymentRequest, key: string): Promise<number> {
      const r = await create(a, req, key, scope.today);
      if (r.created && req.payDate <= scope.today) await submit(r.id, a);
      return r.id;
    },

    async detail(scope: Scope, id: number) {
      const p = await repo.find(scope.customerId, scope.labelId, id);
      if (!p) throw new NotFound();
      const [allocations, history] = await Promise.all([repo.allocations(id), repo.history(id)]);
      return { p, allocations, history };
    },

    async list(scope: Scope, f: PaymentFilter, page: number) {
      const r = await repo.list(
        scope.customerId,
        scope.labelId,
        scope.label.timeZone,
        f,
        page,
        HISTORY_PAGE_SIZE,
        counts(scope, 'payments', f),
      );
      return pageOf(r.items, page, HISTORY_PAGE_SIZE, r.total);
    },

    async cancel(scope: Scope, a: Actor, id: number): Promise<void> {
      await repo.transaction(async (trx) => {
        const found = await repo.find(scope.customerId, scope.labelId, id, trx);
        if (!found) throw new NotFound();
        const p = await repo.lockById(trx, id);
        if (!p || p.status !== 'scheduled')
          throw new Conflict(
            'Only a scheduled payment can be cancelled, and this one has already been submitted.',
          );
        await repo.update(trx, id, { status: 'cancelled' });
        await repo.addHistory(trx, id, 'cancelled', 'Cancelled before its date', d.clock.now());
        await record(
          trx,
          a,
          p,
          'payment.cancelled',
          `Scheduled payment of ${money(p.amountMinor, p.currency)} cancelled`,
          { status: 'cancelled' },
        );
      });
    },

    /** Worker: submits scheduled payments whose date has come, and retries ones left pending. */
    async runDue(now: Date): Promise<number> {
      let n = 0;
      for (const s of await repo.dueScheduled(200)) {
        if (s.scheduledFor > d.clock.today(s.timeZone)) continue;
        if (!(await repo.claimScheduled(s.id, d.clock.now()))) continue;
        await submit(s.id, { customerId: 0, labelId: 0, userId: null });
        n++;
      }
      for (const id of await repo.stalePending(new Date(now.getTime() - 60_000), 100)) {
        await submit(id, { customerId: 0, labelId: 0, userId: null });
        n++;
      }
      return n;
    },

    /** Worker: asks the gateway about each in-progress (ACH) payment; settles or fails it. */
    async settleInProgress(now: Date): Promise<{ settled: number; failed: number }> {
      const out = { settled: 0, failed: 0 };
      const labels = await d.labels();
      for (const id of await repo.inProgressIds(200)) {
        await repo.transaction(async (trx) => {
          if (!(await repo.lockInProgress(trx, id))) return;
          const p = (await repo.lockById(trx, id))!;
          if (!p.gatewayReference) return;
          const s = await d.gateway.settlement(p.gatewayReference, new Date(p.initiatedAt), now);
          const a: Actor = { customerId: p.customerId, labelId: p.labelId, userId: null };
          const label = labelOf(labels, p.labelId);
          if (s.status === 'settled') {
            await settleInTrx(trx, p, null, a, label);
            out.settled++;
          } else if (s.status === 'failed') {
            await repo.update(trx, p.id, { status: 'failed', failed_at: now, failure_reason: s.reason });
            await repo.addHistory(trx, p.id, 'failed', s.reason, now);
            const allocs = await repo.allocations(p.id, trx);
            await record(
              trx,
              a,
              p,
              'payment.failed',
              `Bank payment of ${money(p.amountMinor, p.currency)} failed: ${s.reason}. Invoice${allocs.length > 1 ? 's' : ''} ${allocs.map((x) => x.invoiceNumber).join(', ')} open again`,
              { status: 'failed', reason: s.reason },
            );
            await mail(trx, label, { ...p, status: 'failed', failureReason: s.reason }, allocs, 'failure');
            out.failed++;
          }
        });
      }
      if (out.settled + out.failed) d.outbox.drainSoon();
      return out;
    },
  };
}
export type PaymentsService = ReturnType<typeof createPaymentsService>;
