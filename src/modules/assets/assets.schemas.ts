import { z } from 'zod';
import { pageQuery } from '../../http/pagination.ts';
import { SORTS, type AssetSort } from './assets.repository.ts';

export const ASSET_STATUSES = ['active', 'returned', 'sold', 'disposed'] as const;

const optionalText = z
  .string()
  .trim()
  .max(100)
  .optional()
  .catch(undefined)
  .transform((v) => v || undefined);

/** The list's query string: filters, search, sort and page. Bad values fall back to none. */
export const assetListQuery = z.object({
  contract: z.coerce.number().int().positive().max(2_147_483_647).optional().catch(undefined),
  contractNumber: z
    .string()
    .trim()
    .max(40)
    .optional()
    .catch(undefined)
    .transform((v) => v || undefined),
  category: optionalText,
  status: z.enum(ASSET_STATUSES).optional().catch(undefined),
  region: optionalText,
  city: optionalText,
  q: optionalText,
  sort: z
    .enum(Object.keys(SORTS) as [AssetSort, ...AssetSort[]])
    .optional()
    .catch(undefined)
    .transform((v): AssetSort => v ?? 'number'),
  page: pageQuery,
});

export const idParam = z.coerce.number().int().positive().max(2_147_483_647);

export const SORT_LABELS: Record<AssetSort, string> = {
  number: 'Asset number (A to Z)',
  'number-desc': 'Asset number (Z to A)',
  description: 'Description',
  make: 'Make',
  'year-desc': 'Year (newest first)',
  year: 'Year (oldest first)',
  category: 'Category',
  city: 'City',
  'cost-desc': 'Cost (highest first)',
  cost: 'Cost (lowest first)',
  status: 'Status',
};
