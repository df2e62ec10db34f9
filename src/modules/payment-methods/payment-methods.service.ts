/** Saved methods: add (from a verified gateway reference), nickname, default, remove. */
import { NotFound } from '../../http/errors.ts';
import type { ActivitiesRepository } from '../activities/activities.repository.ts';
import type { AuditRepository } from '../audit/audit.repository.ts';
import type { PaymentGateway } from '../gateway/gateway.ts';
import { methodText, type MethodRow, type PaymentMethodsRepository } from './payment-methods.repository.ts';
import type { Knex } from 'knex';

export interface MethodActor {
  customerId: number;
  labelId: number;
  userId: number;
  ip?: string | null;
  requestId?: string | null;
}

export class RemovalRefused extends Error {
  constructor(
    readonly contracts: string[],
    readonly scheduled: number,
  ) {
    super('method in use');
  }
}

export function createPaymentMethodsService(d: {
  repo: PaymentMethodsRepository;
  gateway: PaymentGateway;
  audit: AuditRepository;
  activities: ActivitiesRepository;
}) {
  const { repo } = d;
  async function log(
    trx: Knex,
    a: MethodActor,
    action: string,
    id: number,
    subject: string,
    before?: unknown,
    after?: unknown,
  ) {
    await d.audit.record(
      {
        actorUserId: a.userId,
        actingCustomerId: a.customerId,
        action,
        entityType: 'payment_method',
        entityId: id,
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
        link: '/payment-methods',
      },
      trx,
    );
  }
  const shown = (m: MethodRow) => ({
    kind: m.kind,
    brand: m.brand,
    last4: m.last4,
    bankName: m.bankName,
    nickname: m.nickname,
    isDefault: m.isDefault,
  });

  return {
    list: (customerId: number) => repo.active(customerId),
    find: (customerId: number, id: number) => repo.find(customerId, id),

    /**
     * Saves what the gateway tokenised, after verifying the reference server-side. The same
     * reference twice saves one method. Undefined when the reference is forged or stale.
     */
    async addFromGateway(
      a: MethodActor,
      reference: string,
      state: string | undefined,
    ): Promise<number | undefined> {
      if (!state) return undefined;
      const m = d.gateway.retrieve(reference, state);
      if (!m) return undefined;
      return repo.transaction(async (trx) => {
        await repo.lockAll(trx, a.customerId);
        const existing = await repo.findByToken(a.customerId, m.token, trx);
        if (existing) return existing.id;
        const first = (await repo.active(a.customerId, trx)).length === 0;
        const id = await repo.insert(trx, a.customerId, d.gateway.name, m, a.userId, first);
        const text = methodText({ kind: m.kind, brand: m.brand, bankName: m.bankName, last4: m.last4 });
        await log(trx, a, 'payment_method.added', id, `Payment method added: ${text}`, undefined, {
          kind: m.kind,
          brand: m.brand,
          last4: m.last4,
          bankName: m.bankName,
        });
        return id;
      });
    },

    async rename(a: MethodActor, id: number, nickname: string): Promise<void> {
      await repo.transaction(async (trx) => {
        const m = await repo.find(a.customerId, id, trx);
        if (!m) throw new NotFound();
        await repo.update(trx, a.customerId, id, { nickname: nickname || null });
        await log(
          trx,
          a,
          'payment_method.renamed',
          id,
          `Payment method ${methodText(m)} renamed to “${nickname || 'no nickname'}”`,
          { nickname: m.nickname },
          { nickname: nickname || null },
        );
      });
    },

    /** The partial unique index allows one default: unset the old one first, same transaction. */
    async makeDefault(a: MethodActor, id: number): Promise<void> {
      await repo.transaction(async (trx) => {
        await repo.lockAll(trx, a.customerId);
        const m = await repo.find(a.customerId, id, trx);
        if (!m) throw new NotFound();
        if (m.isDefault) return;
        await repo.clearDefault(trx, a.customerId);
        await repo.update(trx, a.customerId, id, { is_default: true });
        await log(
          trx,
          a,
          'payment_method.default',
          id,
          `Default payment method is now ${methodText(m)}`,
          undefined,
          { isDefault: true },
        );
      });
    },

    /** Refused while an active autopay enrolment or a scheduled payment uses it. */
    async remove(a: MethodActor, id: number): Promise<void> {
      await repo.transaction(async (trx) => {
        await repo.lockAll(trx, a.customerId);
        const m = await repo.find(a.customerId, id, trx);
        if (!m) throw new NotFound();
        const contracts = await repo.enrolmentsUsing(a.customerId, id, trx);
        const scheduled = await repo.scheduledUsing(a.customerId, id, trx);
        if (contracts.length || scheduled) throw new RemovalRefused(contracts, scheduled);
        await repo.update(trx, a.customerId, id, { status: 'removed', is_default: false });
        await log(
          trx,
          a,
          'payment_method.removed',
          id,
          `Payment method removed: ${methodText(m)}`,
          shown(m),
          { status: 'removed' },
        );
      });
    },
  };
}
export type PaymentMethodsService = ReturnType<typeof createPaymentMethodsService>;
