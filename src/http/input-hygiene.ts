/**
 * One check for every form and query field: no control characters (NUL, ESC, DEL, C1...). Tab
 * and line breaks pass only in the fields typed in a textarea. Nothing with such a character
 * reaches a handler, a session or the database: the request gets 400 and the error summary.
 * Mounted after the body parsers (multipart ones included), before the routers.
 */
import type { RequestHandler } from 'express';
import { ValidationFailed, type FieldError } from './errors.ts';

/** The names of the textarea fields (views/components/textarea includes). */
export const MULTILINE_FIELDS: ReadonlySet<string> = new Set(['body', 'description', 'comment', 'reason']);

/** Any control character (Unicode category Cc: U+0000-U+001F, U+007F-U+009F). */
const CONTROL = /\p{Cc}/u;
/** The same, but tab, LF and CR. */
const CONTROL_BUT_LINES = /[^\P{Cc}\t\n\r]/u;

function shown(name: string): string {
  return name.replace(/\p{Cc}/gu, '?').slice(0, 60) || 'form';
}

/** The fields of a parsed body or query (values: strings or lists of them) that hold a control character. */
export function fieldsWithControlCharacters(input: unknown): string[] {
  if (!input || typeof input !== 'object') return [];
  const bad: string[] = [];
  for (const [name, value] of Object.entries(input as Record<string, unknown>)) {
    const allowed = MULTILINE_FIELDS.has(name) ? CONTROL_BUT_LINES : CONTROL;
    const values = Array.isArray(value) ? (value as unknown[]) : [value];
    const nested = values.filter((v) => v && typeof v === 'object');
    if (
      CONTROL.test(name) ||
      values.some((v) => typeof v === 'string' && allowed.test(v)) ||
      nested.some((v) => fieldsWithControlCharacters(v).length > 0)
    )
      bad.push(shown(name));
  }
  return bad;
}

export const refuseControlCharacters: RequestHandler = (req, _res, next) => {
  const fields = [
    ...new Set([...fieldsWithControlCharacters(req.query), ...fieldsWithControlCharacters(req.body)]),
  ];
  if (!fields.length) return next();
  const errors: FieldError[] = fields.map((field) => ({
    field,
    message: `“${field}” contains a character that cannot be typed (a control character such as NUL): remove it and try again`,
  }));
  next(new ValidationFailed(errors));
};
