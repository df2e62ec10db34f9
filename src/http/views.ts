/**
 * EJS with a layout: a page template renders first, then its layout (`layouts/main` unless the
 * page passes `layout: 'x'` or `layout: false`) wraps it as `body`. Formatting helpers live in
 * app.locals so money and dates look the same on every page.
 */
import { humanize } from '../lib/words.ts';
import fs from 'node:fs';
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
  compileDebug = !isProduction;
  app.engine('ejs', (file: string, options: object, cb: Cb) => {
    const opts = options as Record<string, unknown>;
    // Includes are written from the views root ('/components/input'): EJS resolves those
    // without asking the disk whether a relative path exists, on every include of every render.
    // `cache` sends every template and include through `compiledByLocals` below.
    const renderOpts = { cache: true, async: false, root: viewsDir };
    ejs.renderFile(file, opts, renderOpts, (err, body) => {
      if (err) return cb(err);
      const layout = typeof opts.layout === 'string' || opts.layout === false ? opts.layout : 'main';
      if (layout === false) return cb(null, body);
      ejs.renderFile(path.join(viewsDir, 'layouts', `${layout}.ejs`), { ...opts, body }, renderOpts, cb);
    });
  });
  Object.assign(app.locals, viewHelpers);
}

/**
 * Pages' templates are compiled without `with`. Told nothing, EJS wraps a template in
 * `with (locals) { … }`, and every name a template reads is then looked up through a dynamic
 * scope: rendering took 4-5 times longer (bench/README.md). Here each template is compiled once
 * per set of local names it is rendered with (a page's locals; an include's are its page's plus
 * its own), each name a plain variable; EJS finds these through its cache, for pages and
 * includes alike. Line tracking for error messages is left out in production.
 */
let compileDebug = true;
type Compiled = (data?: ejs.Data) => string;
const JS_IDENTIFIER = /^[a-zA-Z_$][0-9a-zA-Z_$]*$/;
const NOT_A_LOCAL = new Set(
  (
    'break case catch class const continue debugger default delete do else enum export extends false ' +
    'finally for function if import in instanceof new null return super switch this throw true try ' +
    'typeof var void while with yield let static implements interface package private protected ' +
    'public await arguments eval include locals __locals __output __append escapeFn rethrow __line ' +
    '__lines __filename'
  ).split(' '),
);
const templates = new Map<string, Compiled>();

function compiledByLocals(filename: string): Compiled {
  let dispatch = templates.get(filename);
  if (dispatch) return dispatch;
  const source = fs.readFileSync(filename, 'utf8').replace(/^\uFEFF/, '');
  const variants = new Map<string, Compiled>();
  dispatch = (data) => {
    const names = Object.keys(data ?? {});
    const key = names.join(',');
    let fn = variants.get(key);
    if (!fn) {
      fn = ejs.compile(source, {
        filename,
        root: viewsDir,
        cache: true,
        compileDebug,
        async: false,
        _with: false,
        destructuredLocals: names.filter((n) => JS_IDENTIFIER.test(n) && !NOT_A_LOCAL.has(n)),
      }) as Compiled;
      variants.set(key, fn);
    }
    return fn(data);
  };
  templates.set(filename, dispatch);
  return dispatch;
}

ejs.cache = {
  get: (filename: string) => compiledByLocals(filename),
  set: () => undefined,
  reset: () => templates.clear(),
};

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
    const at = new Date(d);
    return formattedDates(`${locale}|${timeZone}|${at.getTime()}`, () =>
      dateFormat(
        `dt|${locale}|${timeZone}`,
        () => new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short', timeZone }),
      ).format(at),
    );
  },
  plural(n: number, one: string, many: string): string {
    return `${n} ${n === 1 ? one : many}`;
  },
  /** The CSS modifier of a status tag: `tag--partially-paid` for 'partially_paid'. */
  tagModifier(status: string): string {
    return status.replace(/_/g, '-');
  },
  humanize,
};
