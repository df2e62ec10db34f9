import { z } from 'zod';

export const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/)
  .refine((s) => !Number.isNaN(Date.parse(`${s}T00:00:00Z`)));

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
        .max(100),
    ),
});

export const historyQuery = z.object({
  status: z
    .enum(['scheduled', 'pending', 'in_progress', 'settled', 'failed', 'cancelled', 'reversed', ''])
    .optional()
    .catch(undefined),
  from: isoDate.optional().catch(undefined),
  to: isoDate.optional().catch(undefined),
  method: id.optional().catch(undefined),
  sort: z.enum(['date', '-date', 'amount', '-amount']).catch('-date'),
});

export const idParam = id;
