/**
 * The location-change form and the lessor's status form. Every field is read leniently first so
 * that all problems are reported at once, in the order of the form.
 */
import { z } from 'zod';
import type { FieldError } from '../../http/errors.ts';
import { addDays } from '../../lib/clock.ts';
import { validateAddress, type Address } from './address.ts';

/** How far ahead a move may be dated: a year, to catch a mistyped year. */
export const MAX_DAYS_AHEAD = 365;

/** YYYY-MM-DD naming a day that exists (no 2026-02-30, no month 13). */
const isRealDate = (s: string): boolean =>
  /^\d{4}-\d{2}-\d{2}$/.test(s) && !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && addDays(s, 0) === s;

/** The effective date: a real date, not before today, at most a year ahead. */
export function validateEffectiveDate(
  value: unknown,
  today: string,
): { ok: true; date: string } | { ok: false; message: string } {
  const s = typeof value === 'string' ? value.trim() : '';
  if (!s) return { ok: false, message: 'Enter the date the assets move' };
  if (!isRealDate(s))
    return { ok: false, message: 'Enter the date the assets move as a real date, for example 2026-12-01' };
  if (s < today) return { ok: false, message: `The date the assets move must be today (${today}) or later` };
  if (s > addDays(today, MAX_DAYS_AHEAD))
    return { ok: false, message: 'The date the assets move must be within a year from today' };
  return { ok: true, date: s };
}

const PHONE = /^\+?[0-9 ().-]+(?:\s*(?:x|ext\.?)\s*\d{1,6})?$/i;

export interface LocationChangeInput {
  assetIds: number[];
  address: Address;
  effectiveDate: string;
  contactName: string;
  contactPhone: string;
  contactEmail: string;
  reason: string;
}

const str = z.string().max(5000).catch('');
const ids = z
  .union([z.string(), z.array(z.string())])
  .optional()
  .catch(undefined)
  .transform((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]));

/** Asset ids from a query string or form (`asset=1&asset=2`): whole positive numbers, no repeats. */
export function parseAssetIds(v: unknown): number[] {
  const list = ids.parse(v);
  const out = list.map((s) => (/^\d{1,9}$/.test(s) ? Number(s) : NaN)).filter((n) => n > 0);
  return [...new Set(out)];
}

export const MAX_ASSETS_PER_REQUEST = 200;

export function locationChangeSchema(today: string) {
  return z
    .object({
      asset: ids,
      addressLine1: str,
      addressLine2: str,
      city: str,
      country: str,
      region: str,
      postalCode: str,
      effectiveDate: str,
      contactName: str,
      contactPhone: str,
      contactEmail: str,
      reason: str,
    })
    .transform((v, ctx): LocationChangeInput => {
      const errors: FieldError[] = [];
      const assetIds = parseAssetIds(v.asset);
      if (assetIds.length === 0)
        errors.push({ field: 'asset', message: 'Select at least one asset to move' });
      else if (assetIds.length > MAX_ASSETS_PER_REQUEST)
        errors.push({
          field: 'asset',
          message: `Select at most ${MAX_ASSETS_PER_REQUEST} assets in one request`,
        });

      const address = validateAddress(v);
      if (!address.ok) errors.push(...address.errors);

      const date = validateEffectiveDate(v.effectiveDate, today);
      if (!date.ok) errors.push({ field: 'effectiveDate', message: date.message });

      const contactName = v.contactName.trim();
      if (!contactName) errors.push({ field: 'contactName', message: 'Enter the name of the site contact' });
      else if (contactName.length > 100)
        errors.push({ field: 'contactName', message: 'Site contact name must be 100 characters or fewer' });

      const contactPhone = v.contactPhone.trim();
      const digits = contactPhone.replace(/\D/g, '').length;
      if (!contactPhone)
        errors.push({ field: 'contactPhone', message: 'Enter the phone number of the site contact' });
      else if (!PHONE.test(contactPhone) || digits < 7 || digits > 20 || contactPhone.length > 40)
        errors.push({
          field: 'contactPhone',
          message: 'Enter a phone number like (713) 555-0188 or +1 713 555 0188',
        });

      const contactEmail = v.contactEmail.trim();
      if (!contactEmail)
        errors.push({ field: 'contactEmail', message: 'Enter the email address of the site contact' });
      else if (contactEmail.length > 254 || !z.email().safeParse(contactEmail).success)
        errors.push({
          field: 'contactEmail',
          message: 'Enter an email address in the correct format, like name@example.com',
        });

      const reason = v.reason.trim();
      if (!reason) errors.push({ field: 'reason', message: 'Enter the reason for the move' });
      else if (reason.length > 1000)
        errors.push({ field: 'reason', message: 'Reason must be 1,000 characters or fewer' });

      if (errors.length || !address.ok || !date.ok) {
        for (const e of errors) ctx.addIssue({ code: 'custom', path: [e.field], message: e.message });
        return z.NEVER;
      }
      return {
        assetIds,
        address: address.address,
        effectiveDate: date.date,
        contactName,
        contactPhone,
        contactEmail,
        reason,
      };
    });
}

/** The lessor's move of a request to its next status, with a comment the customer sees. */
export const STATUSES = ['submitted', 'in_review', 'approved', 'rejected', 'completed'] as const;
export type RequestStatus = (typeof STATUSES)[number];
export const OPEN_STATUSES: RequestStatus[] = ['submitted', 'in_review', 'approved'];

/** submitted → in_review → approved | rejected; approved → completed. */
export const NEXT_STATUSES: Record<RequestStatus, RequestStatus[]> = {
  submitted: ['in_review'],
  in_review: ['approved', 'rejected'],
  approved: ['completed'],
  rejected: [],
  completed: [],
};

export const statusChangeSchema = z
  .object({
    status: z.enum(STATUSES, { error: 'Choose the new status' }),
    comment: z.string().trim().max(2000, 'Comment must be 2,000 characters or fewer').catch(''),
    from: z.enum(STATUSES).optional().catch(undefined),
  })
  .refine((v) => v.status !== 'rejected' || v.comment.length > 0, {
    path: ['comment'],
    message: 'Enter a comment telling the customer why the request is rejected',
  });
