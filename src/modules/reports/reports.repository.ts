/**
 * Runs catalogue reports: the preview (a page of rows and the totals per currency, in one
 * statement) and exports streamed through a server-side cursor (memory stays flat whatever the
 * row count, and the report's query runs once).
 */
import type { Knex } from 'knex';
import type { Filters, ReportDef, ReportScope } from './reports.definitions.ts';

export type ReportRow = Record<string, string | number | null>;
export interface CurrencyTotals {
  currency: string;
  rows: number;
  sums: Record<string, number>;
}

/** Rows per FETCH from the export's cursor: a few MB at most, 21 round trips for 100,000 rows. */
const BATCH = 5000;
let cursors = 0;

type Source = Knex.QueryBuilder | string;

/**
 * What a fingerprinted report computed last (its totals, or all its rows when `shared`), per
 * report, customer, label, business date and filters, with the fingerprint it was computed at.
 * Every preview reads the fingerprint afresh, so a payment shows at once, in every process.
 */
interface Memo {
  fp: string;
  totals?: Record<string, string | number>[];
  rows?: ReportRow[];
}
const MEMO_ENTRIES = 16;

/** Totals per currency of rows already in memory, as the SQL aggregate would sum them. */
function totalsOfRows(def: ReportDef, rows: ReportRow[]): CurrencyTotals[] {
  const by = new Map<string, CurrencyTotals>();
  for (const r of rows) {
    const currency = String(r.currency);
    let t = by.get(currency);
    if (!t) {
      t = { currency, rows: 0, sums: Object.fromEntries(def.sums.map((k) => [k, 0])) };
      by.set(currency, t);
    }
    t.rows++;
    for (const k of def.sums) t.sums[k]! += Number(r[k] ?? 0);
  }
  // ISO codes: code-point order is the database's order.
  return [...by.values()].sort((a, b) => (a.currency < b.currency ? -1 : a.currency > b.currency ? 1 : 0));
}

export function createReportsRepository(db: Knex) {
  const memo = new Map<string, Memo>();
  const remember = (key: string, m: Memo): void => {
    memo.delete(key);
    memo.set(key, m);
    if (memo.size > MEMO_ENTRIES) memo.delete(memo.keys().next().value!);
  };
  const json = (q: Knex.QueryBuilder, alias: string, order = '') =>
    db.raw(`(select coalesce(json_agg(${alias}${order}), '[]'::json) from ? as ${alias})`, [q]);

  const ordered = (def: ReportDef, from: Source): Knex.QueryBuilder =>
    db
      .select('*')
      .from(from)
      .orderBy(def.orderBy.map((c) => ({ column: `r.${c}` })));

  /** Rows, sums and count per currency over the report's rows. */
  const totalsOver = (def: ReportDef, from: Source): Knex.QueryBuilder => {
    const q = db
      .from(from)
      .select('r.currency', db.raw('count(*)::int as rows'))
      .groupBy('r.currency')
      .orderBy('r.currency');
    for (const s of def.sums) q.select(db.raw('coalesce(sum(??), 0)::bigint as ??', [`r.${s}`, s]));
    return q;
  };

  const toTotals = (def: ReportDef, rows: Record<string, string | number>[]): CurrencyTotals[] =>
    rows.map((r) => ({
      currency: String(r.currency),
      rows: Number(r.rows),
      sums: Object.fromEntries(def.sums.map((s) => [s, Number(r[s])])),
    }));

  /**
   * The preview of a fingerprinted report, in one statement: the fingerprint, and the totals
   * (or every row, when `shared`) only when it differs from the remembered one: the CASE's
   * subquery is an init plan, run only if the CASE reaches it.
   */
  async function fingerprinted(
    def: ReportDef,
    fingerprint: Knex.QueryBuilder,
    scope: ReportScope,
    f: Filters,
    offset: number,
    size: number,
  ) {
    const key = JSON.stringify([def.type, scope.customerId, scope.labelId, scope.today, f]);
    const known = memo.get(key);
    const fresh = def.shared
      ? json(def.base(db, scope, f), 'r', ` order by ${def.orderBy.map((c) => `r.${c}`).join(', ')}`)
      : json(def.totals ? def.totals(db, scope, f) : totalsOver(def, def.base(db, scope, f).as('r')), 't');
    const q = db
      // Materialized: inlined, the fingerprint would be computed twice (output and CASE).
      .withMaterialized('x', fingerprint)
      .from('x')
      .select('x.fp', db.raw('case when x.fp = ? then null else ? end as fresh', [known?.fp ?? null, fresh]));
    if (!def.shared) {
      const pageQ = def.page
        ? def.page(db, scope, f, size, offset)
        : ordered(def, def.base(db, scope, f).as('r'));
      if (!def.page) pageQ.limit(size).offset(offset);
      q.select(db.raw('? as items', [json(pageQ, 'p')]));
    }
    const [row] = (await q) as { fp: string; fresh: unknown[] | null; items?: ReportRow[] }[];
    const m: Memo =
      row!.fresh === null && known
        ? known
        : def.shared
          ? { fp: row!.fp, rows: row!.fresh as ReportRow[] }
          : { fp: row!.fp, totals: row!.fresh as Record<string, string | number>[] };
    remember(key, m);
    if (m.rows) return { items: m.rows.slice(offset, offset + size), totals: totalsOfRows(def, m.rows) };
    return { items: row!.items ?? [], totals: toTotals(def, m.totals ?? []) };
  }

  return {
    /**
     * One page of rows in report order and the totals, in one round trip. A report with its own
     * `page`/`totals` queries reads them from indexes; a `shared` one (an aggregate) computes its
     * rows once for both.
     */
    async preview(def: ReportDef, scope: ReportScope, f: Filters, page: number, size: number) {
      const offset = (page - 1) * size;
      const fp = def.fingerprint?.(db, scope);
      if (fp) return fingerprinted(def, fp, scope, f, offset, size);
      const shared = def.shared === true;
      const base = (): Source => (shared ? 'r' : def.base(db, scope, f).as('r'));
      const pageQ =
        !shared && def.page
          ? def.page(db, scope, f, size, offset)
          : ordered(def, base()).limit(size).offset(offset);
      const totalsQ = !shared && def.totals ? def.totals(db, scope, f) : totalsOver(def, base());
      const q = db.select(
        db.raw('? as items', [json(pageQ, 'p')]),
        db.raw('? as totals', [json(totalsQ, 't')]),
      );
      if (shared) q.withMaterialized('r', def.base(db, scope, f));
      const [row] = (await q) as { items: ReportRow[]; totals: Record<string, string | number>[] }[];
      return { items: row!.items, totals: toTotals(def, row!.totals) };
    },

    async totals(def: ReportDef, scope: ReportScope, f: Filters): Promise<CurrencyTotals[]> {
      const q = def.totals ? def.totals(db, scope, f) : totalsOver(def, def.base(db, scope, f).as('r'));
      return toTotals(def, (await q) as Record<string, string | number>[]);
    },

    /**
     * Rows in report order from one query through a server-side cursor, BATCH rows per FETCH
     * (re-running the query per keyset batch sorted the whole report again each time). The
     * cursor lives in a transaction (a savepoint when `db` is already one) that ends when the
     * consumer finishes or stops early; the caller must not use `db` for anything else meanwhile.
     */
    async *stream(def: ReportDef, scope: ReportScope, f: Filters): AsyncGenerator<ReportRow> {
      const { sql, bindings } = ordered(def, def.base(db, scope, f).as('r')).toSQL();
      const name = `report_rows_${++cursors}`;
      const trx = await db.transaction();
      try {
        // Every row is fetched: plan for the whole result, not the first 10% (the default for
        // cursors, which picked index walks over the whole book to start sooner).
        await trx.raw('set local cursor_tuple_fraction = 1');
        await trx.raw(`declare ${name} no scroll cursor for ${sql}`, bindings as Knex.RawBinding[]);
        for (;;) {
          const res = (await trx.raw(`fetch ${BATCH} from ${name}`)) as { rows: ReportRow[] };
          for (const row of res.rows) yield row;
          if (res.rows.length < BATCH) break;
        }
        await trx.raw(`close ${name}`);
        await trx.commit();
      } finally {
        if (!trx.isCompleted()) await trx.rollback();
      }
    },
  };
}

export type ReportsRepository = ReturnType<typeof createReportsRepository>;
