/**
 * Form validation results in the shape the error summary and inputs want: a list of
 * { field, message } in field order, plus what the user typed, re-shown on a 400.
 */
import type { z } from 'zod';
import type { FieldError } from './errors.ts';

export type FormResult<T> =
  { ok: true; data: T } | { ok: false; errors: FieldError[]; values: Record<string, unknown> };

export function parseForm<S extends z.ZodType>(schema: S, input: unknown): FormResult<z.infer<S>> {
  const values = (input && typeof input === 'object' ? input : {}) as Record<string, unknown>;
  const parsed = schema.safeParse(values);
  if (parsed.success) return { ok: true, data: parsed.data };
  const seen = new Set<string>();
  const errors: FieldError[] = [];
  for (const issue of parsed.error.issues) {
    const field = issue.path.map(String).join('.') || 'form';
    if (seen.has(field)) continue;
    seen.add(field);
    errors.push({ field, message: issue.message });
  }
  return { ok: false, errors, values };
}

export function errorFor(errors: FieldError[] | undefined, field: string): string | undefined {
  return errors?.find((e) => e.field === field)?.message;
}
