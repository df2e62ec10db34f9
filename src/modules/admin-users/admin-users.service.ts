/**
 * Portal admins manage their customer's users (superusers: the selected customer's). The
 * customer always comes from the scope, never from the form; roles are limited to user and
 * portal_admin; permissions to the known list. Every change is audited with before and after.
 *
 * Inviting an address that already belongs to someone outside the customer (another customer's
 * user, a superuser) answers exactly as a fresh invitation does ("Invitation sent"): telling the
 * admin "already exists" would tell them who uses the portal elsewhere. No user is created (an
 * address belongs to one customer); the address's owner gets an e-mail saying someone tried to
 * invite them, so a genuine mistake still comes to light. An address of the admin's own customer
 * is said to exist: the admin sees those users anyway.
 */
import type { Knex } from 'knex';
import { Conflict, NotFound, ValidationFailed } from '../../http/errors.ts';
import { pageOf, type Page } from '../../http/pagination.ts';
import { PERMISSIONS, type Permission, type Scope } from '../../http/types.ts';
import type { Clock } from '../../lib/clock.ts';
import type { AuditRepository } from '../audit/audit.repository.ts';
import type { OutboxService } from '../outbox/outbox.service.ts';
import { enqueuePasswordEmail, renderEmail } from '../password/password.email.ts';
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
}

/** Two admins inviting one new address at once: the unique index decided against this one. */
class AddressTaken extends Error {}

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

  /** The link is minted when the outbox sends it, from the label's configured address. */
  async function sendInvite(trx: Knex, scope: Scope, u: { id: number; email: string }) {
    await enqueuePasswordEmail(d.outbox, trx, {
      purpose: 'invite',
      user: u,
      label: scope.label,
      customerName: scope.customer.name,
      invitedBy: scope.user.name,
    });
  }

  /**
   * The address belongs to someone outside this customer: tell its owner (at most once a day
   * per inviting customer), create nothing, and answer as for a fresh invitation. Audited
   * without the acting customer, so the inviting admin's audit view does not show it either.
   */
  async function noticeToHolder(
    scope: Scope,
    email: string,
    holder: { id: number; name: string },
    ctx: Ctx,
  ): Promise<void> {
    const { html, text } = await renderEmail('invite-existing', {
      name: holder.name,
      label: scope.label,
      customerName: scope.customer.name,
      invitedBy: scope.user.name,
    });
    await db.transaction(async (trx) => {
      await d.outbox.enqueue(
        {
          to: email,
          from: scope.label.emailFrom,
          subject: `Someone tried to invite you to the ${scope.label.name} customer portal`,
          text,
          html,
          dedupeKey: `invite-notice:${holder.id}:${scope.customerId}:${scope.today}`,
        },
        trx,
      );
      await audit.record(
        {
          actorUserId: scope.user.id,
          actingCustomerId: null,
          action: 'user.invite_existing_address',
          entityType: 'user',
          entityId: holder.id,
          after: { invitingCustomerId: scope.customerId },
          ip: ctx.ip,
          requestId: ctx.requestId,
        },
        trx,
      );
    });
    d.outbox.drainSoon();
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

    /**
     * Creates an invited user of the scope's customer and queues their invitation; for an
     * address held outside the customer, see noticeToHolder (same answer, nothing created).
     */
    async create(scope: Scope, input: UserInput, ctx: Ctx): Promise<void> {
      const email = input.email.trim().toLowerCase();
      const taken = async () => {
        const holder = await repo.holderOf(email);
        if (!holder) throw new Error('address taken and free at once'); // cannot happen: users are never deleted
        if (holder.customerId === scope.customerId && holder.role !== 'superuser')
          throw new ValidationFailed([
            { field: 'email', message: 'A user with this email address already exists' },
          ]);
        await noticeToHolder(scope, email, holder, ctx);
      };
      if (await repo.holderOf(email)) return taken();
      const created = await db
        .transaction(async (trx) => {
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
              throw e.code === '23505' ? new AddressTaken() : e;
            })) as AdminUserRow[];
          const u = row!;
          await sendInvite(trx, scope, u);
          await audit.record(auditEntry(scope, ctx, 'user.create', u.id, null, snapshot(u)), trx);
          return true;
        })
        .catch((e: unknown) => {
          if (e instanceof AddressTaken) return false;
          throw e;
        });
      if (!created) return taken();
      d.outbox.drainSoon();
    },

    async resendInvite(scope: Scope, id: number, ctx: Ctx): Promise<AdminUserRow> {
      const u = await get(scope, id);
      if (u.status !== 'invited') throw new Conflict('Only invited users can be sent an invitation');
      await db.transaction(async (trx) => {
        await sendInvite(trx, scope, u);
        await audit.record(auditEntry(scope, ctx, 'user.invite_resent', u.id, null, { email: u.email }), trx);
      });
      d.outbox.drainSoon();
      return u;
    },

    /** Saves the user; `signedOut` when the change ended their sessions (role, permissions or address). */
    async update(scope: Scope, id: number, input: UserInput, ctx: Ctx): Promise<{ signedOut: boolean }> {
      const email = input.email.trim().toLowerCase();
      return db.transaction(async (trx) => {
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
        const signedOut = sensitive && before.id !== scope.user.id;
        await trx('users')
          .where({ id: before.id, customer_id: scope.customerId })
          .update({
            ...changes,
            updated_at: clock.now(),
            ...(signedOut ? { session_version: trx.raw('session_version + 1') } : {}),
          });
        if (signedOut) await repo.markSessionsAccessChanged(before.id, trx);
        const after = { ...before, email, name: input.name, role: input.role, permissions };
        await audit.record(
          auditEntry(scope, ctx, 'user.update', before.id, snapshot(before), snapshot(after)),
          trx,
        );
        return { signedOut };
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
