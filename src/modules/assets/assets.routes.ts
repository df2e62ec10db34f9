/** `/assets` and `/assets/:id`. Mounted behind requireAuth, requireCustomer and assets.view. */
import { Router } from 'express';
import type { Deps } from '../../container.ts';
import { NotFound } from '../../http/errors.ts';
import { pageHref } from '../../http/pagination.ts';
import { countryName, formatAddress, regionLabel } from '../location-changes/address.ts';
import { ASSET_STATUSES, SORT_LABELS, assetListQuery, idParam } from './assets.schemas.ts';

const PAGE_SIZE = 25;

export function assetsRoutes(deps: Deps): Router {
  const router = Router();

  router.get('/', async (req, res) => {
    const scope = res.locals.scope!;
    const query = assetListQuery.parse(req.query);
    const { page: pageNo, contract, contractNumber, ...rest } = query;
    const { result, cf, options } = await deps.assets.list(
      scope,
      rest,
      { contract, contractNumber },
      pageNo,
      PAGE_SIZE,
    );
    const kept = { ...req.query };
    const filtered = Boolean(
      contract || contractNumber || rest.category || rest.status || rest.region || rest.city || rest.q,
    );
    const errors = cf.error ? [cf.error] : [];
    res.status(errors.length ? 400 : 200).render('assets/index', {
      title: `${errors.length ? 'Error: ' : ''}${filtered ? 'Assets: filtered results' : 'Assets'}`,
      errors,
      query,
      filtered,
      result,
      cf,
      options,
      statuses: ASSET_STATUSES,
      sortLabels: SORT_LABELS,
      formatAddress,
      regionLabel,
      pageHref: (p: number) => pageHref('/assets', kept, p),
    });
  });

  router.get('/:id', async (req, res) => {
    const id = idParam.safeParse(req.params.id);
    if (!id.success) throw new NotFound();
    const detail = await deps.assets.detail(res.locals.scope!, id.data);
    res.render('assets/show', {
      title: `Asset ${detail.asset.number}`,
      ...detail,
      formatAddress,
      countryName,
      regionLabel,
    });
  });

  return router;
}
