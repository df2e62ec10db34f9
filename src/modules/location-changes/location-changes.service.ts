/**
 * Location-change requests: the form's choices, submission (one transaction, assets locked so
 * an asset is never in two open requests), and the lessor's status changes; completing a
 * request moves its assets and writes their location history.
 */
import type { Knex } from 'knex';
import { Conflict, NotFound, ValidationFailed } from '../../http/errors.ts';
import type { Scope } from '../../http/types.ts';
import type { Clock } from '../../lib/clock.ts';
import type { ActivitiesRepository } from '../activities/activities.repository.ts';
import type { AuditRepository } from '../audit/audit.repository.ts';
import type { AssetRow, AssetsRepository, ScopeIds } from '../assets/assets.repository.ts';
import type { LocationChangesRepository, OpenRequestRef } from './location-changes.repository.ts';
import { NEXT_STATUSES, type LocationChangeInput, type RequestStatus } from './location-changes.schemas.ts';

/** The most assets the form lists as checkboxes when none were chosen beforehand. */
export const FORM_ASSET_LIMIT = 200;

export interface RequestContext {
  ip: string | null;
  requestId: string;
}

/** Some assets already have an open request: refused, with the requests to link to. */
export class OpenRequestConflict extends Conflict {
  constructor(readonly conflicts: OpenRequestRef[]) {
    super('Some assets already have an open location change request');
  }
}

/** A status change the request's current status does not allow. */
export class InvalidTransition extends Conflict {}

const STATUS_WORDS: Record<RequestStatus, string> = {
  submitted: 'submitted',
  in_review: 'in review',
  approved: 'approved',
  rejected: 'rejected',
  completed: 'completed',
};

const ids = (s: Scope): ScopeIds => ({ customerId: s.customerId, labelId: s.labelId });

export function createLocationChangesService(d: {
  db: Knex;
  repo: LocationChangesRepository;
  assets: AssetsRepository;
  audit: AuditRepository;
  activities: ActivitiesRepository;
  clock: Clock;
}) {
  const { db, repo, audit, activities, clock } = d;

  /** 404 for an asset that is not the customer's; refused when inactive or already in an open request. */
  async function refuseUnmovable(
    s: ScopeIds,
    assetIds: number[],
    found: { id: number; number: string; status: string }[],
    trx: Knex = db,
  ): Promise<void> {
    if (found.length !== assetIds.length) throw new NotFound();
    const inactive = found.filter((a) => a.status !== 'active');
    if (inactive.length)
      throw new ValidationFailed(
        inactive.map((a) => ({
          field: 'asset',
          message: `${a.number} is ${a.status}: only active assets can move`,
        })),
      );
    const conflicts = await repo.openFor(s, assetIds, trx);
    if (conflicts.length) throw new OpenRequestConflict(conflicts);
  }

  return {
    /**
     * The worker's job: assets of completed requests whose move date has come (the business date
     * in each label's zone) take their new address. Returns how many assets moved.
     */
    async applyDueMoves(labels: { id: number; timeZone: string }[]): Promise<number> {
      let moved = 0;
      for (const l of labels) moved += await repo.applyDueMoves(l.id, clock.today(l.timeZone));
      return moved;
    },

    /** The checks of `submit`, without locking: used before the review page. */
    async check(scope: Scope, assetIds: number[]): Promise<void> {
      const s = ids(scope);
      await refuseUnmovable(s, assetIds, await d.assets.findMany(s, assetIds));
    },

    /**
     * The assets the form offers: the ones chosen beforehand (all must be the customer's, else
     * 404), or every active asset up to FORM_ASSET_LIMIT; with their open requests.
     */
    async formChoices(scope: Scope, offered: number[] | null, checked: number[] = []) {
      const s = ids(scope);
      let rows: AssetRow[];
      let total: number;
      if (offered && offered.length) {
        rows = await d.assets.findMany(s, offered);
        if (rows.length !== offered.length) throw new NotFound();
        total = rows.length;
      } else {
        ({ rows, total } = await d.assets.movable(s, FORM_ASSET_LIMIT));
        // Assets already ticked stay on the list even past the limit; another customer's → 404.
        const missing = checked.filter((id) => !rows.some((r) => r.id === id));
        if (missing.length) {
          const extra = await d.assets.findMany(s, missing);
          if (extra.length !== missing.length) throw new NotFound();
          rows = [...rows, ...extra];
        }
      }
      const open = await repo.openFor(
        s,
        rows.map((r) => r.id),
      );
      return { assets: rows, total, open };
    },

    async submit(scope: Scope, input: LocationChangeInput, ctx: RequestContext) {
      const s = ids(scope);
      const created = await db.transaction(async (trx) => {
        await refuseUnmovable(s, input.assetIds, await repo.lockAssets(trx, s, input.assetIds), trx);

        const r = await repo.insert(trx, s, { ...input, requestedBy: scope.user.id }, input.assetIds);
        await repo.addEvent(trx, {
          requestId: r.id,
          status: 'submitted',
          comment: null,
          actorUserId: scope.user.id,
        });
        await activities.add(
          {
            customerId: scope.customerId,
            labelId: scope.labelId,
            actorUserId: scope.user.id,
            kind: 'location_change.submitted',
            subject: `Location change ${r.number} to ${input.address.city} submitted`,
            link: `/location-change-requests/${r.id}`,
          },
          trx,
        );
        await audit.record(
          {
            actorUserId: scope.user.id,
            actingCustomerId: scope.customerId,
            action: 'location_change.submit',
            entityType: 'location_change_request',
            entityId: r.id,
            before: null,
            after: {
              number: r.number,
              status: 'submitted',
              assetIds: input.assetIds,
              address: input.address,
              effectiveDate: input.effectiveDate,
            },
            ip: ctx.ip,
            requestId: ctx.requestId,
          },
          trx,
        );
        return r;
      });
      return created;
    },

    async show(scope: Scope, id: number) {
      const s = ids(scope);
      const request = await repo.find(s, id);
      if (!request) throw new NotFound();
      const [assets, events] = await Promise.all([repo.assets(s, id), repo.events(id)]);
      return { request, assets, events, next: NEXT_STATUSES[request.status] };
    },

    /**
     * The lessor moves a request on. `from` is the status the agent saw: if it changed since,
     * the change is refused rather than applied on top of someone else's.
     */
    async changeStatus(
      scope: Scope,
      id: number,
      change: { status: RequestStatus; comment: string; from?: RequestStatus | undefined },
      ctx: RequestContext,
    ): Promise<{ number: string; status: RequestStatus }> {
      const s = ids(scope);
      return db.transaction(async (trx) => {
        const current = await repo.lock(trx, s, id);
        if (!current) throw new NotFound();
        if (change.from && change.from !== current.status)
          throw new InvalidTransition(
            `This request is now ${STATUS_WORDS[current.status]} (someone changed it while you were looking). Check its history and try again.`,
          );
        if (!NEXT_STATUSES[current.status].includes(change.status))
          throw new InvalidTransition(
            NEXT_STATUSES[current.status].length === 0
              ? `This request is ${STATUS_WORDS[current.status]}: its status can no longer change.`
              : `A request that is ${STATUS_WORDS[current.status]} cannot become ${STATUS_WORDS[change.status]}. It can become: ${NEXT_STATUSES[current.status].map((x) => STATUS_WORDS[x]).join(' or ')}.`,
          );
        let moved: number[] = [];
        if (change.status === 'completed') {
          const full = (await repo.find(s, id, trx))!;
          moved = await repo.moveAssets(
            trx,
            s,
            id,
            {
              line1: full.line1,
              line2: full.line2,
              city: full.city,
              region: full.region,
              postalCode: full.postalCode,
              country: full.country,
            },
            full.effectiveDate,
            scope.today,
          );
        }
        await repo.setStatus(trx, id, change.status, clock.now());
        await repo.addEvent(trx, {
          requestId: id,
          status: change.status,
          comment: change.comment || null,
          actorUserId: scope.user.id,
        });
        await activities.add(
          {
            customerId: scope.customerId,
            labelId: scope.labelId,
            actorUserId: scope.user.id,
            kind: `location_change.${change.status}`,
            subject: `Location change ${current.number} to ${current.city} ${STATUS_WORDS[change.status]}`,
            link: `/location-change-requests/${id}`,
          },
          trx,
        );
        await audit.record(
          {
            actorUserId: scope.user.id,
            actingCustomerId: scope.customerId,
            action: 'location_change.status',
            entityType: 'location_change_request',
            entityId: id,
            before: { status: current.status },
            after: {
              status: change.status,
              comment: change.comment || null,
              ...(moved.length ? { movedAssetIds: moved } : {}),
            },
            ip: ctx.ip,
            requestId: ctx.requestId,
          },
          trx,
        );
        return { number: current.number, status: change.status };
      });
    },
  };
}
export type LocationChangesService = ReturnType<typeof createLocationChangesService>;
