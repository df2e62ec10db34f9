/**
 * Runs catalogue reports: the preview (a page of rows and the totals per currency) and exports
 * streamed through a server-side cursor (memory stays flat whatever the row count, and the
 * report's query runs once).
 */
import type { Knex } from 'knex';
import { scopeCache } from '../../lib/scope-cache.ts';
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

/**
 * Report figures kept per process while the customer's data version is unchanged
 * (src/lib/scope-cache.ts): each report's totals per filter, and an aggregate report's rows.
 */
const KEEP_MS = 10 * 60_000;

export function createReportsRepository(db: Knex) {
  const keptTotals = scopeCache<Record<string, string | number>[]>({
    ttlMs: KEEP_MS,
    max: 2_000,
    now: Date.now,
  });
  // A fleet's contract summary is 5,000 rows: only a few such reports are kept.
  const keptRows = scopeCache<ReportRow[]>({ ttlMs: KEEP_MS, max: 16, now: Date.now });
  const json = (q: Knex.QueryBuilder, alias: string, order = '') =>
    db.raw(`(select coalesce(json_agg(${alias}${order}), '[]'::json) from ? as ${alias})`, [q]);

  /** Rows as one JSON value: the values as the database spells them (dates as ISO text), as exports see them. */
  const asJson = async (q: Knex.QueryBuilder, def?: ReportDef): Promise<ReportRow[]> => {
    const order = def ? ` order by ${def.orderBy.map((c) => `p.${c}`).join(', ')}` : '';
    const [row] = (await db.select(db.raw('? as items', [json(q, 'p', order)]))) as { items: ReportRow[] }[];
    return row!.items;
  };

  /** Every row of the report, in report order. */
  const ordered = (def: ReportDef, scope: ReportScope, f: Filters): Knex.QueryBuilder =>
    db
      .select('*')
      .from(def.base(db, scope, f).as('r'))
      .orderBy(def.orderBy.map((c) => ({ column: `r.${c}` })));

  /** Rows, sums and count per currency over the report's rows. */
  const totalsOver = (def: ReportDef, scope: ReportScope, f: Filters): Knex.QueryBuilder => {
    const q = db
      .from(def.base(db, scope, f).as('r'))
      .select('r.currency', db.raw('count(*)::int as rows'))
      .groupBy('r.currency')
      .orderBy('r.currency');
    for (const s of def.sums) q.select(db.raw('coalesce(sum(??), 0)::bigint as ??', [`r.${s}`, s]));
    return q;
  };
  const totalsQuery = (def: ReportDef, scope: ReportScope, f: Filters) =>
    def.totals ? def.totals(db, scope, f) : totalsOver(def, scope, f);

  const toTotals = (def: ReportDef, rows: Record<string, string | number>[]): CurrencyTotals[] =>
    rows.map((r) => ({
      currency: String(r.currency),
      rows: Number(r.rows),
      sums: Object.fromEntries(def.sums.map((s) => [s, Number(r[s])])),
    }));

  return {
    /**
     * One page of rows in report order and the totals. The totals are kept per data version
     * (a payment or any other change shows on the next preview, in every process); a report
     * with its own `page` query reads the page from an index; a `shared` one (an aggregate)
     * computes all its rows once per data version and pages them in memory.
     */
    async preview(def: ReportDef, scope: ReportScope, f: Filters, page: number, size: number) {
      const offset = (page - 1) * size;
      const key = JSON.stringify([def.type, f]);
      if (def.shared) {
        const rows = await keptRows.get(scope, key, () => asJson(def.base(db, scope, f), def));
        return { items: rows.slice(offset, offset + size), totals: totalsOfRows(def, rows) };
      }
      const pageQ = def.page
        ? def.page(db, scope, f, size, offset)
        : ordered(def, scope, f).limit(size).offset(offset);
      const [items, totals] = await Promise.all([
        asJson(pageQ),
        keptTotals.get(
          scope,
          key,
          async () => (await totalsQuery(def, scope, f)) as Record<string, string | number>[],
        ),
      ]);
      return { items, totals: toTotals(def, totals) };
    },

    async totals(def: ReportDef, scope: ReportScope, f: Filters): Promise<CurrencyTotals[]> {
      return toTotals(def, (await totalsQuery(def, scope, f)) as Record<string, string | number>[]);
    },

    /**
     * Rows in report order from one query through a server-side cursor, BATCH rows per FETCH
     * (re-running the query per keyset batch sorted the whole report again each time). The
     * cursor lives in a transaction (a savepoint when `db` is already one) that ends when the
     * consumer finishes or stops early; the caller must not use `db` for anything else meanwhile.
     */
    async *stream(def: ReportDef, scope: ReportScope, f: Filters): AsyncGenerator<ReportRow> {
      const { sql, bindings } = ordered(def, scope, f).toSQL();
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
