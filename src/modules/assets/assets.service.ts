import type { Scope } from '../../http/types.ts';
import { NotFound } from '../../http/errors.ts';
import { pageOf, type Page } from '../../http/pagination.ts';
import type { LocationChangesRepository } from '../location-changes/location-changes.repository.ts';
import type { AssetFilters, AssetRow, AssetsRepository, ScopeIds } from './assets.repository.ts';

const ids = (s: Scope): ScopeIds => ({ customerId: s.customerId, labelId: s.labelId });

export function createAssetsService(repo: AssetsRepository, requests: LocationChangesRepository) {
  return {
    async list(scope: Scope, filters: AssetFilters, page: number, pageSize: number): Promise<Page<AssetRow>> {
      const { rows, total } = await repo.list(ids(scope), filters, (page - 1) * pageSize, pageSize);
      return pageOf(rows, page, pageSize, total);
    },

    filterOptions(scope: Scope) {
      return repo.filterOptions(ids(scope));
    },

    /** One asset with its location history, open location-change requests and service requests. */
    async detail(scope: Scope, id: number) {
      const s = ids(scope);
      const asset = await repo.findById(s, id);
      if (!asset) throw new NotFound();
      const [history, openRequests, serviceRequests] = await Promise.all([
        repo.locationHistory(s, id),
        requests.openFor(s, [id]),
        repo.serviceRequests(s, id),
      ]);
      return { asset, history, openRequests, serviceRequests };
    },
  };
}
export type AssetsService = ReturnType<typeof createAssetsService>;
