import type { SessionUser, CurrentCustomer } from '../../http/types.ts';
import { NotFound } from '../../http/errors.ts';
import type { Page } from '../../http/pagination.ts';
import { pageOf } from '../../http/pagination.ts';
import type { AuditRepository } from '../audit/audit.repository.ts';
import type { Logger } from '../../lib/logger.ts';
import type { CustomersRepository } from './customers.repository.ts';

export function createCustomersService(repo: CustomersRepository, audit: AuditRepository, logger: Logger) {
  return {
    async search(q: string, labelId: number, page: number, pageSize: number): Promise<Page<CurrentCustomer>> {
      const { rows, total } = await repo.search(q, labelId, (page - 1) * pageSize, pageSize);
      return pageOf(rows, page, pageSize, total);
    },
    /** A superuser picks the customer to act for; audited with before and after. */
    async switchTo(
      user: SessionUser,
      customerId: number,
      previous: number | undefined,
      ctx: { ip: string | null; requestId: string },
    ): Promise<CurrentCustomer> {
      const customer = Number.isInteger(customerId) ? await repo.findActive(customerId) : undefined;
      if (!customer) throw new NotFound();
      await audit.record({
        actorUserId: user.id,
        actingCustomerId: customer.id,
        action: 'customer.switch',
        entityType: 'customer',
        entityId: customer.id,
        before: previous === undefined ? null : { customerId: previous },
        after: { customerId: customer.id },
        ip: ctx.ip,
        requestId: ctx.requestId,
      });
      logger.info(
        {
          event: 'customer_switch',
          userId: user.id,
          from: previous ?? null,
          to: customer.id,
          requestId: ctx.requestId,
        },
        'customer switched',
      );
      return customer;
    },
  };
}
export type CustomersService = ReturnType<typeof createCustomersService>;
