/** The signed-in user's own account: renaming, with its audit row, in one transaction. */
import type { Knex } from 'knex';
import type { Clock } from '../../lib/clock.ts';
import type { AuditRepository } from '../audit/audit.repository.ts';
import type { createUsersRepository } from '../auth/users.repository.ts';

export function createAccountService(d: {
  db: Knex;
  users: ReturnType<typeof createUsersRepository>;
  audit: AuditRepository;
  clock: Clock;
}) {
  return {
    async rename(
      user: { id: number; name: string },
      actingCustomerId: number | null,
      name: string,
      ctx: { ip: string | null; requestId: string | null },
    ): Promise<void> {
      await d.db.transaction(async (trx) => {
        await d.users.rename(user.id, name, d.clock.now(), trx);
        await d.audit.record(
          {
            actorUserId: user.id,
            actingCustomerId,
            action: 'account.update',
            entityType: 'user',
            entityId: user.id,
            before: { name: user.name },
            after: { name },
            ip: ctx.ip,
            requestId: ctx.requestId,
          },
          trx,
        );
      });
    },
  };
}
export type AccountService = ReturnType<typeof createAccountService>;
