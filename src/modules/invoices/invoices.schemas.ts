import { z } from 'zod';
import type { FieldError } from '../../http/errors.ts';
import { isIsoDate } from '../../lib/clock.ts';

/**
 * The list's query string: an unreadable choice falls back to the default; the dates are read
 * by `dateFilters` (a date that does not exist is the user's to correct: a 400 that says so).
 */
export const invoiceListQuery = z.object({
  status: z.enum(['open', 'overdue', 'paid', 'all']).catch('open'),
  contract: z.coerce.number().int().positive().max(2_147_483_647).optional().catch(undefined),
  contractNumber: z.string().trim().max(40).optional().catch(undefined),
  q: z.string().trim().max(40).optional().catch(undefined),
  sort: z.enum(['due', '-due', 'amount', '-amount', 'number', '-number']).catch('due'),
});

export const idParam = z.coerce.number().int().positive().max(2_147_483_647);

const DATE_LABELS = { from: 'Due from', to: 'Due to' } as const;

/**
 * The due-date filters: a real calendar date (no 2026-02-30, no month 13, no year 0), one per
 * field. What was typed comes back to be shown again, with an error for each unreadable one.
 */
export function dateFilters(query: Record<string, unknown>): {
  from?: string;
  to?: string;
  typed: { from: string; to: string };
  errors: FieldError[];
} {
  const out: ReturnType<typeof dateFilters> = { typed: { from: '', to: '' }, errors: [] };
  for (const field of ['from', 'to'] as const) {
    const raw = query[field];
    if (raw === undefined) continue;
    if (typeof raw !== 'string') {
      out.errors.push({ field, message: `Enter one date for “${DATE_LABELS[field]}”` });
      continue;
    }
    const s = raw.trim();
    out.typed[field] = s.slice(0, 40);
    if (!s) continue;
    if (isIsoDate(s) && s >= '0001-01-01') out[field] = s;
    else
      out.errors.push({
        field,
        message: `Enter “${DATE_LABELS[field]}” as a real date, for example 2026-11-30`,
      });
  }
  return out;
}
