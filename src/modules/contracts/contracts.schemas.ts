import { z } from 'zod';
import { pageQuery } from '../../http/pagination.ts';
import { NotFound } from '../../http/errors.ts';
import { CONTRACT_SORTS, type ContractSort } from './contracts.repository.ts';

export const CONTRACT_STATUSES = ['active', 'matured', 'terminated', 'paid_off'] as const;
export const PRODUCTS = ['fmv', 'one_dollar_buyout', 'trac', 'loan'] as const;

export const PRODUCT_LABELS: Record<(typeof PRODUCTS)[number], string> = {
  fmv: 'Fair market value lease',
  one_dollar_buyout: '$1 buyout lease',
  trac: 'TRAC lease',
  loan: 'Loan',
};

export const SORT_LABELS: Record<ContractSort, string> = {
  number: 'Contract number (A to Z)',
  'number-desc': 'Contract number (Z to A)',
  'start-desc': 'Start date (newest first)',
  start: 'Start date (oldest first)',
  end: 'End date (soonest first)',
  'end-desc': 'End date (latest first)',
  'rent-desc': 'Periodic rent (highest first)',
  rent: 'Periodic rent (lowest first)',
};

/** The list's query string. Bad values fall back to none. */
export const contractListQuery = z.object({
  status: z.enum(CONTRACT_STATUSES).optional().catch(undefined),
  product: z.enum(PRODUCTS).optional().catch(undefined),
  overdue: z
    .literal('1')
    .optional()
    .catch(undefined)
    .transform((v) => v === '1'),
  q: z
    .string()
    .trim()
    .max(100)
    .optional()
    .catch(undefined)
    .transform((v) => v || undefined),
  intent: z.literal('payoff').optional().catch(undefined),
  sort: z
    .enum(Object.keys(CONTRACT_SORTS) as [ContractSort, ...ContractSort[]])
    .optional()
    .catch(undefined)
    .transform((v): ContractSort => v ?? 'number'),
  page: pageQuery,
});

const idSchema = z.coerce.number().int().positive().max(2_147_483_647);

/** A route's numeric id, or 404. */
export function idParam(value: unknown): number {
  const r = idSchema.safeParse(value);
  if (!r.success) throw new NotFound();
  return r.data;
}
