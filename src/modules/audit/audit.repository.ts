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

/** The append-only audit log (a trigger refuses UPDATE and DELETE). */
export function createAuditRepository(db: Knex) {
  return {
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
