import { z } from 'zod';

const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/)
  .refine((s) => !Number.isNaN(Date.parse(`${s}T00:00:00Z`)));

/** The list's query string: anything unreadable falls back to the default rather than failing. */
export const invoiceListQuery = z.object({
  status: z.enum(['open', 'overdue', 'paid', 'all']).catch('open'),
  from: isoDate.optional().catch(undefined),
  to: isoDate.optional().catch(undefined),
  contract: z.coerce.number().int().positive().max(2_147_483_647).optional().catch(undefined),
  contractNumber: z.string().trim().max(40).optional().catch(undefined),
  q: z.string().trim().max(40).optional().catch(undefined),
  sort: z.enum(['due', '-due', 'amount', '-amount', 'number', '-number']).catch('due'),
});

export const idParam = z.coerce.number().int().positive().max(2_147_483_647);
