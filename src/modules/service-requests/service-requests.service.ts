/**
 * Service requests: raise one (optionally about a contract and/or asset), follow its comments
 * thread; lessor staff (superusers) change its status and comment as the lessor.
 * Every query filters by the session's customer and private label.
 */
import type { Knex } from 'knex';
import { NotFound, ValidationFailed } from '../../http/errors.ts';
import { pageOf } from '../../http/pagination.ts';
import type { Scope } from '../../http/types.ts';
import type { ActivitiesRepository } from '../activities/activities.repository.ts';
import type { AuditRepository } from '../audit/audit.repository.ts';

export const SR_CATEGORIES = [
  'billing_question',
  'insurance_certificate',
  'title_registration',
  'early_termination',
  'end_of_term',
  'maintenance',
  'general',
] as const;
export const SR_CATEGORY_LABELS: Record<(typeof SR_CATEGORIES)[number], string> = {
  billing_question: 'Billing question',
  insurance_certificate: 'Insurance certificate',
  title_registration: 'Title or registration',
  early_termination: 'Early termination',
  end_of_term: 'End-of-term options',
  maintenance: 'Maintenance',
  general: 'General',
};
export const SR_STATUSES = ['open', 'in_progress', 'waiting_on_customer', 'resolved', 'closed'] as const;
export const SR_PRIORITIES = ['low', 'normal', 'high'] as const;
export const OPEN_STATUSES = ['open', 'in_progress', 'waiting_on_customer'];

export interface NewRequest {
  category: (typeof SR_CATEGORIES)[number];
  contractId?: number | undefined;
  assetId?: number | undefined;
  subject: string;
  description: string;
  priority: (typeof SR_PRIORITIES)[number];
}

export interface Ctx {
  ip: string | null;
  requestId: string | null;
}

export interface RequestRow {
  id: number;
  number: string;
  category: string;
  subject: string;
  description: string;
  status: string;
  priority: string;
  contractId: number | null;
  contractNumber: string | null;
  assetId: number | null;
  assetNumber: string | null;
  createdByName: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export function createServiceRequestsService(d: {
  db: Knex;
  audit: AuditRepository;
  activities: ActivitiesRepository;
}) {
  const { db } = d;
  const where = (s: Scope) => ({ 'r.customer_id': s.customerId, 'r.private_label_id': s.labelId });
  const columns = [
    'r.id',
    'r.number',
    'r.category',
    'r.subject',
    'r.description',
    'r.status',
    'r.priority',
    'r.contract_id as contractId',
    'c.number as contractNumber',
    'r.asset_id as assetId',
    'a.number as assetNumber',
    'u.name as createdByName',
    'r.created_at as createdAt',
    'r.updated_at as updatedAt',
  ];
  const base = (s: Scope) =>
    db('service_requests as r')
      .leftJoin('contracts as c', 'c.id', 'r.contract_id')
      .leftJoin('assets as a', 'a.id', 'r.asset_id')
      .leftJoin('users as u', 'u.id', 'r.created_by')
      .where(where(s));

  async function get(s: Scope, id: number): Promise<RequestRow> {
    const r = (await base(s).andWhere('r.id', id).first(columns)) as RequestRow | undefined;
    if (!r) throw new NotFound();
    return r;
  }

  return {
    get,

    async list(s: Scope, f: { status?: string | undefined; open?: boolean }, page: number, pageSize: number) {
      const q = base(s);
      if (f.status) q.andWhere('r.status', f.status);
      else if (f.open) q.whereIn('r.status', OPEN_STATUSES);
      const [count, rows] = await Promise.all([
        q.clone().count<{ n: number }[]>({ n: '*' }).first(),
        q
          .clone()
          .select(columns)
          .orderBy('r.updated_at', 'desc')
          .orderBy('r.id', 'desc')
          .offset((page - 1) * pageSize)
          .limit(pageSize) as Promise<RequestRow[]>,
      ]);
      return pageOf(rows, page, pageSize, Number(count?.n ?? 0));
    },

    /** Contracts and assets the form offers (the customer's, under this label). */
    async options(s: Scope) {
      const w = { customer_id: s.customerId, private_label_id: s.labelId };
      const [contracts, assets] = await Promise.all([
        db('contracts').where(w).orderBy('number').select('id', 'number', 'description') as Promise<
          { id: number; number: string; description: string | null }[]
        >,
        db('assets')
          .where(w)
          .orderBy('number')
          .limit(500)
          .select('id', 'number', 'description', 'contract_id as contractId') as Promise<
          { id: number; number: string; description: string; contractId: number }[]
        >,
      ]);
      return { contracts, assets };
    },

    async comments(s: Scope, id: number) {
      await get(s, id);
      return db('service_request_comments as m')
        .leftJoin('users as u', 'u.id', 'm.author_user_id')
        .where('m.service_request_id', id)
        .orderBy('m.created_at')
        .orderBy('m.id')
        .select(
          'm.id',
          'm.body',
          'm.is_lessor as isLessor',
          'u.name as authorName',
          'm.created_at as createdAt',
        ) as Promise<
        { id: number; body: string; isLessor: boolean; authorName: string | null; createdAt: Date }[]
      >;
    },

    /** `attach` runs inside the creating transaction (attachments' rows). */
    async create(
      s: Scope,
      input: NewRequest,
      ctx: Ctx,
      attach?: (trx: Knex.Transaction, id: number) => Promise<void>,
    ): Promise<{ id: number; number: string }> {
      const w = { customer_id: s.customerId, private_label_id: s.labelId };
      const errors = [];
      let contractId = input.contractId;
      if (
        contractId &&
        !(await db('contracts')
          .where({ ...w, id: contractId })
          .first('id'))
      )
        errors.push({ field: 'contract', message: 'Choose one of your contracts' });
      if (input.assetId) {
        const a = (await db('assets')
          .where({ ...w, id: input.assetId })
          .first('contract_id')) as { contract_id: number } | undefined;
        if (!a) errors.push({ field: 'asset', message: 'Choose one of your assets' });
        else if (contractId && a.contract_id !== contractId)
          errors.push({ field: 'asset', message: 'Choose an asset on the chosen contract, or no contract' });
        else contractId ??= a.contract_id;
      }
      if (errors.length) throw new ValidationFailed(errors);
      return db.transaction(async (trx) => {
        const [row] = (await trx('service_requests')
          .insert({
            number: `SR-TMP-${s.user.id}-${Date.now()}-${Math.random().toString(36).slice(2)}`,
            customer_id: s.customerId,
            private_label_id: s.labelId,
            contract_id: contractId ?? null,
            asset_id: input.assetId ?? null,
            category: input.category,
            subject: input.subject,
            description: input.description,
            priority: input.priority,
            status: 'open',
            created_by: s.user.id,
          })
          .returning('id')) as { id: number }[];
        const id = row!.id;
        const number = `SR-${s.today.slice(0, 4)}-${String(id).padStart(6, '0')}`;
        await trx('service_requests').where({ id }).update({ number });
        if (attach) await attach(trx, id);
        await d.audit.record(
          {
            actorUserId: s.user.id,
            actingCustomerId: s.customerId,
            action: 'service_request.created',
            entityType: 'service_request',
            entityId: id,
            after: { number, ...input, contractId },
            ip: ctx.ip,
            requestId: ctx.requestId,
          },
          trx,
        );
        await d.activities.add(
          {
            customerId: s.customerId,
            labelId: s.labelId,
            actorUserId: s.user.id,
            kind: 'service_request.opened',
            subject: `Service request ${number} opened: ${input.subject}`,
            link: `/service-requests/${id}`,
          },
          trx,
        );
        return { id, number };
      });
    },

    /** A comment; lessor staff comment as the lessor. A customer's reply reopens a request waiting on them. */
    async comment(
      s: Scope,
      id: number,
      body: string,
      ctx: Ctx,
      attach?: (trx: Knex.Transaction, id: number) => Promise<void>,
    ): Promise<void> {
      const r = await get(s, id);
      const isLessor = s.user.role === 'superuser';
      await db.transaction(async (trx) => {
        if (attach) await attach(trx, id);
        await trx('service_request_comments').insert({
          service_request_id: id,
          author_user_id: s.user.id,
          body,
          is_lessor: isLessor,
        });
        const status = !isLessor && r.status === 'waiting_on_customer' ? 'in_progress' : r.status;
        await trx('service_requests').where({ id }).update({ status, updated_at: trx.fn.now() });
        await d.audit.record(
          {
            actorUserId: s.user.id,
            actingCustomerId: s.customerId,
            action: 'service_request.commented',
            entityType: 'service_request',
            entityId: id,
            before: { status: r.status },
            after: { status, isLessor },
            ip: ctx.ip,
            requestId: ctx.requestId,
          },
          trx,
        );
        await d.activities.add(
          {
            customerId: s.customerId,
            labelId: s.labelId,
            actorUserId: s.user.id,
            kind: 'service_request.comment',
            subject: `${isLessor ? 'Reply from us' : 'Comment added'} on ${r.number}`,
            link: `/service-requests/${id}`,
          },
          trx,
        );
      });
    },

    /** Lessor staff only (the route checks the role). */
    async setStatus(
      s: Scope,
      id: number,
      status: (typeof SR_STATUSES)[number],
      ctx: Ctx,
    ): Promise<RequestRow> {
      const r = await get(s, id);
      await db.transaction(async (trx) => {
        await trx('service_requests').where({ id }).update({ status, updated_at: trx.fn.now() });
        await d.audit.record(
          {
            actorUserId: s.user.id,
            actingCustomerId: s.customerId,
            action: 'service_request.status_changed',
            entityType: 'service_request',
            entityId: id,
            before: { status: r.status },
            after: { status },
            ip: ctx.ip,
            requestId: ctx.requestId,
          },
          trx,
        );
        await d.activities.add(
          {
            customerId: s.customerId,
            labelId: s.labelId,
            actorUserId: s.user.id,
            kind: 'service_request.status',
            subject: `Service request ${r.number} is now ${status.replace(/_/g, ' ')}`,
            link: `/service-requests/${id}`,
          },
          trx,
        );
      });
      return { ...r, status };
    },
  };
}
export type ServiceRequestsService = ReturnType<typeof createServiceRequestsService>;
