import type { Scope } from '../../http/types.ts';
import { keptCounts, scopeCache } from '../../lib/scope-cache.ts';
import { NotFound } from '../../http/errors.ts';
import { pageOf, type Page } from '../../http/pagination.ts';
import type { LocationChangesRepository } from '../location-changes/location-changes.repository.ts';
import {
  resolveContractFilter,
  withCachedChoices,
  type ContractFilterInput,
} from '../contracts/contract-filter.ts';
import type {
  AssetFilters,
  AssetRow,
  AssetsRepository,
  LocationHistoryRow,
  ScopeIds,
} from './assets.repository.ts';

const ids = (s: Scope): ScopeIds => ({ customerId: s.customerId, labelId: s.labelId });

type Address = Pick<AssetRow, 'line1' | 'line2' | 'city' | 'region' | 'postalCode' | 'country'>;

/**
 * The current-address rule (README): an asset is at the latest address of its history whose
 * effective date is on or before today (the business date in the label's zone); a completed
 * location change dated later is a move ahead, not its address yet. Without history, the
 * asset's own address columns.
 */
export function currentAddress(
  asset: AssetRow,
  history: LocationHistoryRow[],
  today: string,
): { current: Address; history: LocationHistoryRow[]; upcoming: LocationHistoryRow[] } {
  const past = history.filter((h) => h.effectiveDate <= today);
  const upcoming = history
    .filter((h) => h.effectiveDate > today)
    .sort((a, b) =>
      a.effectiveDate < b.effectiveDate ? -1 : a.effectiveDate > b.effectiveDate ? 1 : a.id - b.id,
    );
  const at = past[0] ?? asset; // history comes latest first
  const current: Address = {
    line1: at.line1,
    line2: at.line2,
    city: at.city,
    region: at.region,
    postalCode: at.postalCode,
    country: at.country,
  };
  return { current, history: past, upcoming };
}

export function createAssetsService(repo: AssetsRepository, requests: LocationChangesRepository) {
  const contractQueries = withCachedChoices(repo);
  const counts = keptCounts({ ttlMs: 10 * 60_000, max: 5_000, now: Date.now });
  // The category and place choices read every asset of the customer (20,000 for a fleet): kept
  // per data version (src/lib/scope-cache.ts), so a new city shows at once.
  const options = scopeCache<Awaited<ReturnType<AssetsRepository['filterOptions']>>>({
    ttlMs: 10 * 60_000,
    max: 2_000,
    now: Date.now,
  });
  return {
    /** The list; a contract number that matches no contract (or several) lists nothing and says so. */
    async list(
      scope: Scope,
      filters: Omit<AssetFilters, 'contractId'>,
      contract: ContractFilterInput,
      page: number,
      pageSize: number,
    ) {
      const s = ids(scope);
      const [cf, opts] = await Promise.all([
        resolveContractFilter(contractQueries, scope, contract, { withAssets: true }),
        options.get(scope, 'asset-filter-options', () => repo.filterOptions(s)),
      ]);
      const { rows, total } = cf.error
        ? { rows: [], total: 0 }
        : await repo.list(
            s,
            { ...filters, contractId: cf.contractId },
            (page - 1) * pageSize,
            pageSize,
            counts(scope, 'assets', { ...filters, contractId: cf.contractId }),
          );
      const result: Page<AssetRow> = pageOf(rows, page, pageSize, total);
      return { result, cf, options: opts };
    },

    /** One asset with its location history, open location-change requests and service requests. */
    async detail(scope: Scope, id: number) {
      const s = ids(scope);
      const asset = await repo.findById(s, id);
      if (!asset) throw new NotFound();
      const [all, openRequests, serviceRequests] = await Promise.all([
        repo.locationHistory(s, id),
        requests.openFor(s, [id]),
        repo.serviceRequests(s, id),
      ]);
      return { asset, ...currentAddress(asset, all, scope.today), openRequests, serviceRequests };
    },
  };
}
export type AssetsService = ReturnType<typeof createAssetsService>;
