/**
 * Portal admins manage their customer's users (superusers: the selected customer's). The
 * customer always comes from the scope, never from the form; roles are limited to user and
 * portal_admin; permissions to the known list. Every change is audited with before and after.
 */
import type { Knex } from 'knex';
import { Conflict, NotFound, ValidationFailed } from '../../http/errors.ts';
import { pageOf, type Page } from '../../http/pagination.ts';
import { PERMISSIONS, type Permission, type Scope } from '../../http/types.ts';
import type { Clock } from '../../lib/clock.ts';
import type { AuditRepository } from '../audit/audit.repository.ts';
import type { OutboxService } from '../outbox/outbox.service.ts';
import { enqueuePasswordEmail } from '../password/password.email.ts';
import { issueToken } from '../password/password.tokens.ts';
import type { AdminUserRow, AdminUsersRepository, UserFilters } from './admin-users.repository.ts';

export interface UserInput {
  name: string;
  email: string;
  role: 'user' | 'portal_admin';
  permissions: Permission[];
}

export interface Ctx {
  ip: string | null;
  requestId: string;
  /** Origin for links in e-mails. */
  linkBase: string;
}

const snapshot = (u: Pick<AdminUserRow, 'email' | 'name' | 'role' | 'permissions' | 'status'>) => ({
  email: u.email,
  name: u.name,
  role: u.role,
  permissions: [...u.permissions].sort(),
  status: u.status,
});

/** portal_admins hold every permission through their role; store none for them. */
const permissionsFor = (i: UserInput): Permission[] =>
  i.role === 'portal_admin' ? [] : PERMISSIONS.filter((p) => i.permissions.includes(p));

export function createAdminUsersService(d: {
  db: Knex;
  repo: AdminUsersRepository;
  audit: AuditRepository;
  outbox: OutboxService;
  clock: Clock;
}) {
  const { db, repo, audit, clock } = d;

  async function get(scope: Scope, id: number, trx: Knex = db): Promise<AdminUserRow> {
    const u = Number.isSafeInteger(id) && id > 0 ? await repo.find(scope.customerId, id, trx) : undefined;
    if (!u) throw new NotFound();
    return u;
  }

  async function sendInvite(
    trx: Knex,
    scope: Scope,
    u: { id: number; email: string; name: string },
    ctx: Ctx,
  ) {
    const { token, expiresAt } = await issueToken(trx, u.id, 'invite', clock.now());
    await enqueuePasswordEmail(d.outbox, trx, {
      purpose: 'invite',
      to: u.email,
      name: u.name,
      link: `${ctx.linkBase}/reset-password/${token}`,
      expiresAt,
      label: scope.label,
      customerName: scope.customer.name,
      invitedBy: scope.user.name,
    });
  }

  const auditEntry = (
    scope: Scope,
    ctx: Ctx,
    action: string,
    id: number,
    before: unknown,
    after: unknown,
  ) => ({
    actorUserId: scope.user.id,
    actingCustomerId: scope.customerId,
    action,
    entityType: 'user',
    entityId: id,
    before,
    after,
    ip: ctx.ip,
    requestId: ctx.requestId,
  });

  return {
    get,

    async list(scope: Scope, f: UserFilters, page: number, pageSize: number): Promise<Page<AdminUserRow>> {
      const { rows, total } = await repo.list(scope.customerId, f, (page - 1) * pageSize, pageSize);
      return pageOf(rows, page, pageSize, total);
    },

    /** Creates an invited user of the scope's customer and queues their invitation. */
    async create(scope: Scope, input: UserInput, ctx: Ctx): Promise<number> {
      const email = input.email.trim().toLowerCase();
      const duplicate = () =>
        new ValidationFailed([{ field: 'email', message: 'A user with this email address already exists' }]);
      const id = await db.transaction(async (trx) => {
        if (await repo.emailTaken(email, null, trx))
          throw new ValidationFailed([
            { field: 'email', message: 'A user with this email address already exists' },
          ]);
        const [row] = (await trx('users')
          .insert({
            email,
            name: input.name,
            role: input.role,
            customer_id: scope.customerId,
            permissions: permissionsFor(input),
            status: 'invited',
          })
          .returning(['id', 'email', 'name', 'role', 'permissions', 'status'])
          .catch((e: Error & { code?: string }) => {
            // Two admins inviting the same address at once: the unique index decides.
            throw e.code === '23505' ? duplicate() : e;
          })) as AdminUserRow[];
        const u = row!;
        await sendInvite(trx, scope, u, ctx);
        await audit.record(auditEntry(scope, ctx, 'user.create', u.id, null, snapshot(u)), trx);
        return u.id;
      });
      d.outbox.drainSoon();
      return id;
    },

    async resendInvite(scope: Scope, id: number, ctx: Ctx): Promise<AdminUserRow> {
      const u = await get(scope, id);
      if (u.status !== 'invited') throw new Conflict('Only invited users can be sent an invitation');
      await db.transaction(async (trx) => {
        await sendInvite(trx, scope, u, ctx);
        await audit.record(auditEntry(scope, ctx, 'user.invite_resent', u.id, null, { email: u.email }), trx);
      });
      d.outbox.drainSoon();
      return u;
    },

    async update(scope: Scope, id: number, input: UserInput, ctx: Ctx): Promise<void> {
      const email = input.email.trim().toLowerCase();
      await db.transaction(async (trx) => {
        const admins = await repo.lockActiveAdmins(scope.customerId, trx);
        const before = await get(scope, id, trx);
        if (before.role !== input.role) {
          if (before.id === scope.user.id)
            throw new ValidationFailed([{ field: 'role', message: 'You cannot change your own role' }]);
          if (
            before.role === 'portal_admin' &&
            before.status === 'active' &&
            admins.filter((a) => a !== before.id).length === 0
          )
            throw new ValidationFailed([
              {
                field: 'role',
                message: 'This is the customer’s last active portal admin. Make someone else an admin first',
              },
            ]);
        }
        if (email !== before.email && (await repo.emailTaken(email, before.id, trx)))
          throw new ValidationFailed([
            { field: 'email', message: 'A user with this email address already exists' },
          ]);
        const permissions = permissionsFor(input);
        const changes: Record<string, unknown> = { name: input.name, email, role: input.role, permissions };
        // A new role, new permissions or a new address take effect at once: end their sessions.
        const sensitive =
          before.role !== input.role ||
          before.email !== email ||
          [...before.permissions].sort().join() !== [...permissions].sort().join();
        await trx('users')
          .where({ id: before.id, customer_id: scope.customerId })
          .update({
            ...changes,
            updated_at: clock.now(),
            ...(sensitive && before.id !== scope.user.id
              ? { session_version: trx.raw('session_version + 1') }
              : {}),
          });
        const after = { ...before, email, name: input.name, role: input.role, permissions };
        await audit.record(
          auditEntry(scope, ctx, 'user.update', before.id, snapshot(before), snapshot(after)),
          trx,
        );
      });
    },

    /** Deactivation ends their sessions and pauses the report schedules they own. */
    async setActive(scope: Scope, id: number, active: boolean, ctx: Ctx): Promise<AdminUserRow> {
      return db.transaction(async (trx) => {
        const admins = await repo.lockActiveAdmins(scope.customerId, trx);
        const before = await get(scope, id, trx);
        if (!active) {
          if (before.id === scope.user.id) throw new Conflict('You cannot deactivate yourself');
          if (before.status === 'inactive') return before;
          if (
            before.role === 'portal_admin' &&
            before.status === 'active' &&
            admins.filter((a) => a !== before.id).length === 0
          )
            throw new Conflict(
              'This is the customer’s last active portal admin. Make someone else an admin before deactivating them',
            );
          await trx('users')
            .where({ id: before.id, customer_id: scope.customerId })
            .update({
              status: 'inactive',
              session_version: trx.raw('session_version + 1'),
              updated_at: clock.now(),
            });
          const paused = await trx('report_schedules')
            .where({ owner_user_id: before.id, active: true })
            .update({ active: false, updated_at: clock.now() });
          await audit.record(
            auditEntry(scope, ctx, 'user.deactivate', before.id, snapshot(before), {
              ...snapshot({ ...before, status: 'inactive' }),
              reportSchedulesPaused: paused,
            }),
            trx,
          );
          return { ...before, status: 'inactive' };
        }
        if (before.status !== 'inactive') return before;
        // Someone who never set a password goes back to "invited" (and can be sent a new link).
        const status = before.hasPassword ? 'active' : 'invited';
        await trx('users')
          .where({ id: before.id, customer_id: scope.customerId })
          .update({ status, updated_at: clock.now() });
        await audit.record(
          auditEntry(
            scope,
            ctx,
            'user.activate',
            before.id,
            snapshot(before),
            snapshot({ ...before, status }),
          ),
          trx,
        );
        return { ...before, status };
      });
    },
  };
}
export type AdminUsersService = ReturnType<typeof createAdminUsersService>;
