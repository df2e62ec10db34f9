import type { Knex } from 'knex';
import type { Role, SessionUser } from '../../http/types.ts';

interface UserRow {
  id: number;
  email: string;
  name: string;
  role: Role;
  customer_id: number | null;
  permissions: string[];
  status: 'invited' | 'active' | 'inactive';
  password_hash: string | null;
  session_version: number;
  two_step_on: boolean;
}

export interface UserWithSecret extends SessionUser {
  status: UserRow['status'];
  passwordHash: string | null;
}

const columns = [
  'id',
  'email',
  'name',
  'role',
  'customer_id',
  'permissions',
  'status',
  'password_hash',
  'session_version',
] as const;
const TWO_STEP_ON = 'totp_enabled_at is not null as two_step_on';

function toUser(r: UserRow): UserWithSecret {
  return {
    id: r.id,
    email: r.email,
    name: r.name,
    role: r.role,
    customerId: r.customer_id,
    permissions: r.permissions,
    status: r.status,
    passwordHash: r.password_hash,
    sessionVersion: r.session_version,
    twoStepOn: r.two_step_on,
  };
}

export function createUsersRepository(db: Knex) {
  return {
    async findByEmail(email: string): Promise<UserWithSecret | undefined> {
      const row = (await db('users')
        .select(...columns, db.raw(TWO_STEP_ON))
        .whereRaw('lower(email) = lower(?)', [email])
        .first()) as UserRow | undefined;
      return row ? toUser(row) : undefined;
    },
    async findById(id: number): Promise<UserWithSecret | undefined> {
      const row = (await db('users')
        .select(...columns, db.raw(TWO_STEP_ON))
        .where({ id })
        .first()) as UserRow | undefined;
      return row ? toUser(row) : undefined;
    },
    async recordLogin(id: number, at: Date): Promise<void> {
      await db('users').where({ id }).update({ last_login_at: at, failed_logins: 0, locked_until: null });
    },
    async recordFailure(id: number, lockedUntil: Date | null): Promise<void> {
      await db('users')
        .where({ id })
        .update({ failed_logins: db.raw('failed_logins + 1'), locked_until: lockedUntil });
    },
  };
}
export type UsersRepository = ReturnType<typeof createUsersRepository>;
