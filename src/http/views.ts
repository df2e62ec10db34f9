/**
 * EJS with a layout: a page template renders first, then its layout (`layouts/main` unless the
 * page passes `layout: 'x'` or `layout: false`) wraps it as `body`. Formatting helpers live in
 * app.locals so money and dates look the same on every page.
 */
import path from 'node:path';
import ejs from 'ejs';
import type { Express } from 'express';
import { stringMemo } from '../lib/memo.ts';
import { formatMoney } from '../lib/money.ts';

export const viewsDir = path.resolve(import.meta.dirname, '../../views');

type Cb = (err: Error | null, html?: string) => void;

export function setUpViews(app: Express, isProduction: boolean): void {
  app.set('views', viewsDir);
  app.set('view engine', 'ejs');
  app.engine('ejs', (file: string, options: object, cb: Cb) => {
    const opts = options as Record<string, unknown>;
    // Includes are written from the views root ('/components/input'): EJS resolves those
    // without asking the disk whether a relative path exists, on every include of every render.
    // In production, templates are compiled once and without EJS's line tracking (an
    // assignment per template line, there only to name the line in an error).
    const renderOpts = { cache: isProduction, compileDebug: !isProduction, async: false, root: viewsDir };
    ejs.renderFile(file, opts, renderOpts, (err, body) => {
      if (err) return cb(err);
      const layout = typeof opts.layout === 'string' || opts.layout === false ? opts.layout : 'main';
      if (layout === false) return cb(null, body);
      ejs.renderFile(path.join(viewsDir, 'layouts', `${layout}.ejs`), { ...opts, body }, renderOpts, cb);
    });
  });
  Object.assign(app.locals, viewHelpers);
}

/** Date formatters, one per locale (and time zone), built once: see src/lib/money.ts. */
const dateFormats = new Map<string, Intl.DateTimeFormat>();
const formattedDates = stringMemo(20_000);
function dateFormat(key: string, make: () => Intl.DateTimeFormat): Intl.DateTimeFormat {
  let fmt = dateFormats.get(key);
  if (!fmt) {
    fmt = make();
    dateFormats.set(key, fmt);
  }
  return fmt;
}

export const viewHelpers = {
  money(minor: number, currency: string, locale = 'en-US'): string {
    return formatMoney(minor, currency, locale);
  },
  date(iso: string | Date | null | undefined, locale = 'en-US'): string {
    if (!iso) return '';
    const format = (d: Date) =>
      dateFormat(
        `d|${locale}`,
        () =>
          new Intl.DateTimeFormat(locale, {
            year: 'numeric',
            month: 'short',
            day: 'numeric',
            timeZone: 'UTC',
          }),
      ).format(d);
    if (typeof iso !== 'string') return format(iso);
    const day = iso.slice(0, 10);
    return formattedDates(`${locale}|${day}`, () => format(new Date(`${day}T12:00:00Z`)));
  },
  dateTime(d: Date | string | null | undefined, timeZone: string, locale = 'en-US'): string {
    if (!d) return '';
    return dateFormat(
      `dt|${locale}|${timeZone}`,
      () => new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short', timeZone }),
    ).format(new Date(d));
  },
  plural(n: number, one: string, many: string): string {
    return `${n} ${n === 1 ? one : many}`;
  },
  humanize(s: string): string {
    const t = s.replace(/[_.]/g, ' ');
    return t.charAt(0).toUpperCase() + t.slice(1);
  },
};
