/** Users of one customer, as a portal admin sees them. Every query filters by customer_id. */
import type { Knex } from 'knex';

export interface AdminUserRow {
  id: number;
  email: string;
  name: string;
  role: 'user' | 'portal_admin';
  permissions: string[];
  status: 'invited' | 'active' | 'inactive';
  lastLoginAt: Date | null;
  createdAt: Date;
  hasPassword: boolean;
}

export interface UserFilters {
  q: string;
  role: '' | 'user' | 'portal_admin';
  status: '' | 'invited' | 'active' | 'inactive';
}

const select = (db: Knex) =>
  db('users').select(
    'id',
    'email',
    'name',
    'role',
    'permissions',
    'status',
    'last_login_at as lastLoginAt',
    'created_at as createdAt',
    db.raw('password_hash is not null as "hasPassword"'),
  );

export function createAdminUsersRepository(db: Knex) {
  return {
    async list(customerId: number, f: UserFilters, offset: number, limit: number) {
      const base = db('users').where({ customer_id: customerId }).whereIn('role', ['user', 'portal_admin']);
      if (f.q) {
        const like = `%${f.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
        void base.where((w) => void w.whereILike('name', like).orWhereILike('email', like));
      }
      if (f.role) void base.where({ role: f.role });
      if (f.status) void base.where({ status: f.status });
      const [{ n }] = (await base.clone().count<{ n: number }[]>({ n: '*' })) as [{ n: number }];
      const rows = (await select(db)
        .whereIn('id', base.clone().select('id'))
        .orderBy([{ column: 'name' }, { column: 'id' }])
        .offset(offset)
        .limit(limit)) as AdminUserRow[];
      return { rows, total: Number(n) };
    },
    async find(customerId: number, id: number, trx: Knex = db): Promise<AdminUserRow | undefined> {
      return (await select(trx)
        .where({ id, customer_id: customerId })
        .whereIn('role', ['user', 'portal_admin'])
        .first()) as AdminUserRow | undefined;
    },
    /** Locks and counts the customer's active portal admins (serialises last-admin checks). */
    async lockActiveAdmins(customerId: number, trx: Knex): Promise<number[]> {
      const rows = (await trx('users')
        .where({ customer_id: customerId, role: 'portal_admin', status: 'active' })
        .forUpdate()
        .select('id')) as { id: number }[];
      return rows.map((r) => r.id);
    },
    /** Whoever holds this address, of any customer (or none: a superuser); for the invite rules. */
    async holderOf(
      email: string,
      trx: Knex = db,
    ): Promise<{ id: number; customerId: number | null; role: string; name: string } | undefined> {
      return (await trx('users')
        .where({ email })
        .first('id', 'customer_id as customerId', 'role', 'name')) as
        { id: number; customerId: number | null; role: string; name: string } | undefined;
    },
    async emailTaken(email: string, exceptId: number | null, trx: Knex = db): Promise<boolean> {
      const q = trx('users').where({ email });
      if (exceptId) void q.whereNot({ id: exceptId });
      return Boolean(await q.first('id'));
    },
    /**
     * Marks the user's sessions as ended by an administrator's change, so the sign-in page they
     * are sent to says why (`accessChanged`, read once by GET /login). The sessions themselves
     * end by the user's session version.
     */
    async markSessionsAccessChanged(userId: number, trx: Knex = db): Promise<void> {
      await trx.raw(
        `update sessions set sess = (sess::jsonb || '{"accessChanged": true}'::jsonb)::json
          where sess -> 'passport' -> 'user' ->> 'id' = ?`,
        [String(userId)],
      );
    },
  };
}
export type AdminUsersRepository = ReturnType<typeof createAdminUsersRepository>;
