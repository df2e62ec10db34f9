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

export function createReportsRepository(db: Knex) {
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

  return {
    /**
     * One page of rows in report order and the totals, in one round trip. A report with its own
     * `page`/`totals` queries reads them from indexes; a `shared` one (an aggregate) computes its
     * rows once for both.
     */
    async preview(def: ReportDef, scope: ReportScope, f: Filters, page: number, size: number) {
      const offset = (page - 1) * size;
      const shared = def.shared === true;
      const base = (): Source => (shared ? 'r' : def.base(db, scope, f).as('r'));
      const pageQ =
        !shared && def.page
          ? def.page(db, scope, f, size, offset)
          : ordered(def, base()).limit(size).offset(offset);
      const totalsQ = !shared && def.totals ? def.totals(db, scope, f) : totalsOver(def, base());
      const q = db.select(
        db.raw(`(select coalesce(json_agg(p), '[]'::json) from ? as p) as items`, [pageQ]),
        db.raw(`(select coalesce(json_agg(t), '[]'::json) from ? as t) as totals`, [totalsQ]),
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
