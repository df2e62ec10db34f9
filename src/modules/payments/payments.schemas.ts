import { z } from 'zod';
import { isIsoDate } from '../../lib/clock.ts';

/** A real calendar date, YYYY-MM-DD (2026-02-30 is not one). */
export const isoDate = z.string().refine(isIsoDate);

const id = z.coerce.number().int().positive().max(2_147_483_647);

/** `invoice` may come once or many times (checkboxes); junk ids are dropped. */
export const invoiceIds = z
  .union([z.string(), z.array(z.string())])
  .optional()
  .transform((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]))
  .transform((v) => [
    ...new Set(
      v
        .map((s) => id.safeParse(s))
        .filter((r) => r.success)
        .map((r) => r.data),
    ),
  ]);

export const methodChoice = z.union([z.literal('new-card'), z.literal('new-ach'), id], {
  message: 'Choose how to pay',
});

export const payDate = z
  .string({ message: 'Enter the payment date' })
  .trim()
  .pipe(isoDate.or(z.literal('')))
  .transform((s) => s);

/** The confirmation form: the review page's idempotency key and what it showed. */
export const confirmForm = z.object({
  key: z.uuid(),
  draft: z.uuid(),
  method: id,
  payDate: isoDate,
  alloc: z
    .union([z.string(), z.array(z.string())])
    .transform((v) => (Array.isArray(v) ? v : [v]))
    .pipe(
      z
        .array(
          z
            .string()
            .regex(/^\d{1,10}:\d{1,15}$/)
            .transform((s) => {
              const [i, m] = s.split(':');
              return { invoiceId: Number(i), amountMinor: Number(m) };
            }),
        )
        .min(1)
        .max(100)
        // The same invoice twice would be allocated twice: refused, not merged.
        .refine((a) => new Set(a.map((x) => x.invoiceId)).size === a.length),
    ),
});

export const historyQuery = z.object({
  status: z
    .enum(['scheduled', 'pending', 'in_progress', 'settled', 'failed', 'cancelled', 'reversed', ''])
    .optional()
    .catch(undefined),
  // Dates are checked by the handler (historyDates): a wrong one is a 400, not ignored.
  from: z.string().optional().catch(undefined),
  to: z.string().optional().catch(undefined),
  method: id.optional().catch(undefined),
  sort: z.enum(['date', '-date', 'amount', '-amount']).catch('-date'),
});

export const idParam = id;

/** The history's date filters: empty is no filter; anything else must be a real date. */
export function historyDates(f: { from?: string | undefined; to?: string | undefined }): {
  from?: string;
  to?: string;
  errors: { field: string; message: string }[];
} {
  const out: { from?: string; to?: string; errors: { field: string; message: string }[] } = { errors: [] };
  for (const [field, name] of [
    ['from', 'From'],
    ['to', 'To'],
  ] as const) {
    const v = f[field]?.trim() ?? '';
    if (v === '') continue;
    if (isIsoDate(v)) out[field] = v;
    else out.errors.push({ field, message: `Enter the ${name} date as a real date, like 2026-11-16` });
  }
  if (out.from && out.to && out.from > out.to)
    out.errors.push({ field: 'to', message: 'The To date must be the same as or after the From date' });
  return out;
}
