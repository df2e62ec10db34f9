import type { Knex } from 'knex';

export interface AuditEntry {
  actorUserId: number | null;
  actingCustomerId: number | null;
  action: string;
  entityType: string;
  entityId?: string | number | null;
  before?: unknown;
  after?: unknown;
  ip?: string | null;
  requestId?: string | null;
}

export interface AuditFilters {
  actor: string;
  action: string;
  /** Inclusive 'YYYY-MM-DD' dates in timeZone. */
  from: string | null;
  to: string | null;
  timeZone: string;
}

export interface AuditRow {
  id: number;
  at: Date;
  action: string;
  entityType: string;
  entityId: string | null;
  before: unknown;
  after: unknown;
  ip: string | null;
  requestId: string | null;
  actorName: string | null;
  actorEmail: string | null;
  customerName: string | null;
  actorUserId: number | null;
  /** For an entry about a user: that user's name. */
  subjectName: string | null;
}

/** The append-only audit log (a trigger refuses UPDATE and DELETE). */
export function createAuditRepository(db: Knex) {
  return {
    /** One customer's entries, newest first, filtered by actor e-mail/name, action and dates. */
    async list(
      customerId: number,
      f: AuditFilters,
      offset: number,
      limit: number,
    ): Promise<{ rows: AuditRow[]; total: number }> {
      const base = db('audit_log as a')
        .leftJoin('users as u', 'u.id', 'a.actor_user_id')
        .where('a.acting_customer_id', customerId);
      if (f.actor) {
        const like = `%${f.actor.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
        void base.where((w) => void w.whereILike('u.email', like).orWhereILike('u.name', like));
      }
      if (f.action) void base.where('a.action', 'like', `${f.action.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
      if (f.from) void base.whereRaw('(a.at at time zone ?)::date >= ?::date', [f.timeZone, f.from]);
      if (f.to) void base.whereRaw('(a.at at time zone ?)::date <= ?::date', [f.timeZone, f.to]);
      const [{ n }] = (await base.clone().count<{ n: number }[]>({ n: '*' })) as [{ n: number }];
      const rows = (await base
        .clone()
        .leftJoin('customers as c', 'c.id', 'a.acting_customer_id')
        .leftJoin('users as s', (j) =>
          j
            .on(db.raw("a.entity_type = 'user'"))
            .andOn(db.raw('s.id::text = a.entity_id'))
            // Only a user of this customer is named: an entry never shows another customer's user.
            .andOn('s.customer_id', 'a.acting_customer_id'),
        )
        .select(
          'a.actor_user_id as actorUserId',
          'u.name as actorName',
          db.raw('coalesce(s.name, s.email) as "subjectName"'),
          'a.id',
          'a.at',
          'a.action',
          'a.entity_type as entityType',
          'a.entity_id as entityId',
          'a.before',
          'a.after',
          'a.ip',
          'a.request_id as requestId',
          'u.email as actorEmail',
          'c.name as customerName',
        )
        .orderBy([
          { column: 'a.at', order: 'desc' },
          { column: 'a.id', order: 'desc' },
        ])
        .offset(offset)
        .limit(limit)) as AuditRow[];
      return { rows, total: Number(n) };
    },
    /** The distinct actions seen for a customer, for the filter's options. */
    async actions(customerId: number): Promise<string[]> {
      const rows = (await db('audit_log')
        .where({ acting_customer_id: customerId })
        .distinct('action')
        .orderBy('action')) as { action: string }[];
      return rows.map((r) => r.action);
    },
    async record(e: AuditEntry, trx: Knex = db): Promise<void> {
      await trx('audit_log').insert({
        actor_user_id: e.actorUserId,
        acting_customer_id: e.actingCustomerId,
        action: e.action,
        entity_type: e.entityType,
        entity_id: e.entityId == null ? null : String(e.entityId),
        before: e.before === undefined ? null : JSON.stringify(e.before),
        after: e.after === undefined ? null : JSON.stringify(e.after),
        ip: e.ip ?? null,
        request_id: e.requestId ?? null,
      });
    },
  };
}
export type AuditRepository = ReturnType<typeof createAuditRepository>;
