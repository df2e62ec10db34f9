/**
 * Location-change requests, their assets and their status events. Every query filters by the
 * session's customer and private label; writes take the caller's transaction.
 */
import type { Knex } from 'knex';
import type { ScopeIds } from '../assets/assets.repository.ts';
import type { Address } from './address.ts';
import { OPEN_STATUSES, type RequestStatus } from './location-changes.schemas.ts';

export interface OpenRequestRef {
  assetId: number;
  assetNumber: string;
  requestId: number;
  requestNumber: string;
  status: RequestStatus;
}

export interface RequestRow {
  id: number;
  number: string;
  status: RequestStatus;
  line1: string;
  line2: string | null;
  city: string;
  region: string | null;
  postalCode: string | null;
  country: string;
  effectiveDate: string;
  contactName: string | null;
  contactPhone: string | null;
  contactEmail: string | null;
  reason: string | null;
  requestedByName: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface RequestAssetRow {
  id: number;
  number: string;
  description: string;
  serialNumber: string | null;
  status: string;
  line1: string | null;
  city: string | null;
  region: string | null;
  postalCode: string | null;
  country: string | null;
}

export interface RequestEventRow {
  id: number;
  status: RequestStatus;
  comment: string | null;
  at: Date;
  actorName: string | null;
  actorRole: string | null;
}

export interface NewRequest {
  address: Address;
  effectiveDate: string;
  contactName: string;
  contactPhone: string;
  contactEmail: string;
  reason: string;
  requestedBy: number;
}

const requestNumber = (id: number): string => `LCR-${String(id).padStart(6, '0')}`;

export function createLocationChangesRepository(db: Knex) {
  return {
    /** Open requests (submitted, in review, approved) holding any of these assets. */
    async openFor(s: ScopeIds, assetIds: number[], trx: Knex = db): Promise<OpenRequestRef[]> {
      if (assetIds.length === 0) return [];
      return trx('location_change_request_assets as ra')
        .join('location_change_requests as r', 'r.id', 'ra.request_id')
        .join('assets as a', 'a.id', 'ra.asset_id')
        .where({ 'r.customer_id': s.customerId, 'r.private_label_id': s.labelId })
        .whereIn('r.status', OPEN_STATUSES)
        .whereIn('ra.asset_id', assetIds)
        .orderBy('a.number')
        .orderBy('r.id')
        .select(
          'a.id as assetId',
          'a.number as assetNumber',
          'r.id as requestId',
          'r.number as requestNumber',
          'r.status',
        ) as Promise<OpenRequestRef[]>;
    },

    /** Locks the customer's active assets with these ids (FOR UPDATE) so two requests cannot race. */
    async lockAssets(trx: Knex, s: ScopeIds, ids: number[]) {
      return trx('assets')
        .where({ customer_id: s.customerId, private_label_id: s.labelId })
        .whereIn('id', ids)
        .orderBy('id')
        .forUpdate()
        .select('id', 'number', 'status') as Promise<{ id: number; number: string; status: string }[]>;
    },

    async insert(
      trx: Knex,
      s: ScopeIds,
      r: NewRequest,
      assetIds: number[],
    ): Promise<{ id: number; number: string }> {
      const seq = (await trx.raw(
        "select nextval(pg_get_serial_sequence('location_change_requests', 'id'))::int as id",
      )) as {
        rows: { id: number }[];
      };
      const id = seq.rows[0]!.id;
      const number = requestNumber(id);
      await trx('location_change_requests').insert({
        id,
        number,
        customer_id: s.customerId,
        private_label_id: s.labelId,
        requested_by: r.requestedBy,
        address_line1: r.address.line1,
        address_line2: r.address.line2,
        city: r.address.city,
        region: r.address.region,
        postal_code: r.address.postalCode,
        country: r.address.country,
        effective_date: r.effectiveDate,
        contact_name: r.contactName,
        contact_phone: r.contactPhone,
        contact_email: r.contactEmail,
        reason: r.reason,
        status: 'submitted',
      });
      await trx('location_change_request_assets').insert(
        assetIds.map((asset_id) => ({ request_id: id, asset_id })),
      );
      return { id, number };
    },

    async addEvent(
      trx: Knex,
      e: { requestId: number; status: RequestStatus; comment: string | null; actorUserId: number },
    ): Promise<void> {
      await trx('location_change_request_events').insert({
        request_id: e.requestId,
        status: e.status,
        comment: e.comment,
        actor_user_id: e.actorUserId,
      });
    },

    async find(s: ScopeIds, id: number, trx: Knex = db): Promise<RequestRow | undefined> {
      return trx('location_change_requests as r')
        .leftJoin('users as u', 'u.id', 'r.requested_by')
        .where({ 'r.id': id, 'r.customer_id': s.customerId, 'r.private_label_id': s.labelId })
        .first(
          'r.id',
          'r.number',
          'r.status',
          'r.address_line1 as line1',
          'r.address_line2 as line2',
          'r.city',
          'r.region',
          'r.postal_code as postalCode',
          trx.raw('trim(r.country) as country'),
          'r.effective_date as effectiveDate',
          'r.contact_name as contactName',
          'r.contact_phone as contactPhone',
          'r.contact_email as contactEmail',
          'r.reason',
          'u.name as requestedByName',
          'r.created_at as createdAt',
          'r.updated_at as updatedAt',
        ) as Promise<RequestRow | undefined>;
    },

    /** Locks the request row for a status change; undefined when it is not this customer's. */
    async lock(trx: Knex, s: ScopeIds, id: number) {
      return trx('location_change_requests')
        .where({ id, customer_id: s.customerId, private_label_id: s.labelId })
        .forUpdate()
        .first('id', 'number', 'status', 'city') as Promise<
        { id: number; number: string; status: RequestStatus; city: string } | undefined
      >;
    },

    async setStatus(trx: Knex, id: number, status: RequestStatus, now: Date): Promise<void> {
      await trx('location_change_requests').where({ id }).update({ status, updated_at: now });
    },

    async assets(s: ScopeIds, requestId: number, trx: Knex = db): Promise<RequestAssetRow[]> {
      return trx('location_change_request_assets as ra')
        .join('assets as a', 'a.id', 'ra.asset_id')
        .where({ 'ra.request_id': requestId, 'a.customer_id': s.customerId, 'a.private_label_id': s.labelId })
        .orderBy('a.number')
        .select(
          'a.id',
          'a.number',
          'a.description',
          'a.serial_number as serialNumber',
          'a.status',
          'a.address_line1 as line1',
          'a.city',
          'a.region',
          'a.postal_code as postalCode',
          trx.raw('trim(a.country) as country'),
        ) as Promise<RequestAssetRow[]>;
    },

    async events(requestId: number): Promise<RequestEventRow[]> {
      return db('location_change_request_events as e')
        .leftJoin('users as u', 'u.id', 'e.actor_user_id')
        .where('e.request_id', requestId)
        .orderBy('e.at')
        .orderBy('e.id')
        .select(
          'e.id',
          'e.status',
          'e.comment',
          'e.at',
          'u.name as actorName',
          'u.role as actorRole',
        ) as Promise<RequestEventRow[]>;
    },

    /** Completion: each asset of the request takes the new address, and its history a row. */
    async moveAssets(
      trx: Knex,
      s: ScopeIds,
      requestId: number,
      address: Address,
      effectiveDate: string,
      today: string,
    ): Promise<number[]> {
      const ids = (
        (await trx('location_change_request_assets as ra')
          .join('assets as a', 'a.id', 'ra.asset_id')
          .where({
            'ra.request_id': requestId,
            'a.customer_id': s.customerId,
            'a.private_label_id': s.labelId,
          })
          .orderBy('a.id')
          .forUpdate()
          .select('a.id')) as { id: number }[]
      ).map((r) => r.id);
      if (ids.length === 0) return ids;
      const columns = {
        address_line1: address.line1,
        address_line2: address.line2,
        city: address.city,
        region: address.region,
        postal_code: address.postalCode,
        country: address.country,
      };
      // The asset's current address is the new one only from the move date on: a move dated
      // later is recorded in its history now and applied on its date (applyDueMoves).
      if (effectiveDate <= today) await trx('assets').whereIn('id', ids).update(columns);
      await trx('asset_location_history').insert(
        ids.map((asset_id) => ({
          asset_id,
          ...columns,
          effective_date: effectiveDate,
          location_change_request_id: requestId,
        })),
      );
      return ids;
    },

    /**
     * Moves the label's assets whose latest location on `today` (history row with the latest
     * effective date on or before it) came from a request and differs from the asset's address.
     * Idempotent: a second run on the same day changes nothing. Returns the assets moved.
     */
    async applyDueMoves(labelId: number, today: string): Promise<number> {
      const r = (await db.raw(
        `update assets a
            set address_line1 = h.address_line1, address_line2 = h.address_line2, city = h.city,
                region = h.region, postal_code = h.postal_code, country = h.country
           from (select distinct on (x.asset_id) x.*
                   from asset_location_history x
                   join assets y on y.id = x.asset_id
                  where y.private_label_id = ? and x.effective_date <= ?
                  order by x.asset_id, x.effective_date desc, x.id desc) h
          where a.id = h.asset_id
            and h.location_change_request_id is not null
            and (a.address_line1, a.address_line2, a.city, a.region, a.postal_code, a.country)
                is distinct from (h.address_line1, h.address_line2, h.city, h.region, h.postal_code, h.country)`,
        [labelId, today],
      )) as { rowCount: number | null };
      return r.rowCount ?? 0;
    },
  };
}
export type LocationChangesRepository = ReturnType<typeof createLocationChangesRepository>;
