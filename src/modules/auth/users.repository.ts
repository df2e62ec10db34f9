import type { Knex } from 'knex';
import { DATA_VERSION } from '../../db/data-version.ts';
import { preparedStatement } from '../../db/knex.ts';
import type { CurrentCustomer, Role, SessionUser } from '../../http/types.ts';

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

/** What a request's session check reads: the user and, for a lessee, their active customer. */
export interface SessionRead {
  user: UserWithSecret;
  customer: CurrentCustomer | null;
}

type UserWithCustomerRow = UserRow & {
  cu_id: number | null;
  cu_number: string;
  cu_name: string;
  cu_currency: string;
  cu_credit: number;
  cu_version: string;
};

/** Adds the lessee's active customer (and its data version) to a query that has `users as u`. */
function withCustomer(db: Knex, q: Knex.QueryBuilder, active = 'active'): Knex.QueryBuilder {
  return q
    .leftJoin('customers as cu', function () {
      this.on('cu.id', 'u.customer_id').andOnVal('cu.status', active);
    })
    .select(
      ...columns.map((c) => `u.${c}`),
      db.raw('u.totp_enabled_at is not null as two_step_on'),
      'cu.id as cu_id',
      'cu.number as cu_number',
      'cu.name as cu_name',
      'cu.primary_currency as cu_currency',
      'cu.credit_limit_minor as cu_credit',
      db.raw(`${DATA_VERSION('cu.id')} as cu_version`),
    );
}

function toSessionRead(row: UserWithCustomerRow): SessionRead {
  return {
    user: toUser(row),
    customer:
      row.cu_id === null
        ? null
        : {
            id: row.cu_id,
            number: row.cu_number,
            name: row.cu_name,
            primaryCurrency: row.cu_currency.trim(),
            creditLimitMinor: row.cu_credit,
            dataVersion: row.cu_version,
          },
  };
}

export function createUsersRepository(db: Knex) {
  // Every request asks this, with the same text: prepared once per connection (its plan,
  // primary-key lookups, does not depend on the values).
  const sessionWithUser = preparedStatement<
    Partial<UserWithCustomerRow> & { sess: unknown },
    [active: string, sid: string, nowSeconds: number, limit: number]
  >(
    db,
    'session_with_user',
    (active, sid, nowSeconds, limit) =>
      withCustomer(
        db,
        db('sessions as s').leftJoin('users as u', 'u.id', db.raw("(s.sess #>> '{passport,user,id}')::int")),
        active,
      )
        .select('s.sess')
        .where('s.sid', sid)
        .andWhere('s.expire', '>=', db.raw('to_timestamp(?)', [nowSeconds]))
        .limit(limit),
    ['active', '', 0, 1],
  );
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
    /**
     * The user and, for a lessee, their customer if it is active, with its data version, in
     * one statement.
     */
    async findForSession(id: number): Promise<SessionRead | undefined> {
      const row = (await withCustomer(db, db('users as u')).where('u.id', id).first()) as
        UserWithCustomerRow | undefined;
      return row ? toSessionRead(row) : undefined;
    },
    /**
     * A live session row (as express-session stored it) and, in the same statement, its
     * signed-in user as findForSession reads them: the one round trip every request makes
     * before its page's own queries.
     */
    async findSessionWithUser(
      sid: string,
      nowMs: number,
    ): Promise<{ sess: unknown; read: SessionRead | undefined } | undefined> {
      const [row] = await sessionWithUser('active', sid, nowMs / 1000, 1);
      if (!row) return undefined;
      return { sess: row.sess, read: row.id == null ? undefined : toSessionRead(row as UserWithCustomerRow) };
    },
    async rename(id: number, name: string, at: Date, trx: Knex = db): Promise<void> {
      await trx('users').where({ id }).update({ name, updated_at: at });
    },
    async recordLogin(id: number, at: Date): Promise<void> {
      await db('users').where({ id }).update({ last_login_at: at, failed_logins: 0, locked_until: null });
    },
    /** Counts a failed sign-in; the account is never locked (throttling is per address). */
    async recordFailure(id: number): Promise<void> {
      await db('users')
        .where({ id })
        .update({ failed_logins: db.raw('failed_logins + 1') });
    },
  };
}
export type UsersRepository = ReturnType<typeof createUsersRepository>;
