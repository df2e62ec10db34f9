/**
 * Query plans and counts: each page requested once with SQL capture on (bench/server.ts), every
 * statement it issued EXPLAINed (FORMAT JSON) with its own bindings, and any Seq Scan of a
 * table holding more than the limit's rows (pg_class.reltuples) reported with its query.
 */
import type { Knex } from 'knex';
import type pg from 'pg';
import { get, type Session } from './portal.ts';

export interface CapturedQuery {
  sql: string;
  bindings: unknown[];
  ms: number | null;
}
export interface SeqScan {
  table: string;
  rows: number;
  sql: string;
  bindings: unknown[];
  filter: string | undefined;
}
export interface PlanCheck {
  queries: number;
  statements: CapturedQuery[];
  seqScans: SeqScan[];
  explainErrors: string[];
  problem: string | undefined;
}

interface PlanNode {
  'Node Type'?: string;
  'Relation Name'?: string;
  Filter?: string;
  Plans?: PlanNode[];
}

/** Estimated rows of every table (ANALYZE first where the statistics were never gathered). */
export async function tableRows(db: Knex): Promise<Map<string, number>> {
  const read = async () =>
    (
      await db.raw<{ rows: { relname: string; reltuples: number }[] }>(
        `select c.relname, c.reltuples::float8 as reltuples from pg_class c
           join pg_namespace n on n.oid = c.relnamespace
          where n.nspname = current_schema() and c.relkind in ('r', 'p')`,
      )
    ).rows;
  let rows = await read();
  const never = rows.filter((r) => r.reltuples < 0).map((r) => r.relname);
  if (never.length) {
    console.log(`ANALYZE (no statistics yet): ${never.join(', ')}`);
    for (const t of never) await db.raw('analyze ??', [t]);
    rows = await read();
  }
  return new Map(rows.map((r) => [r.relname, Math.max(0, Math.round(r.reltuples))]));
}

function walk(node: PlanNode, out: PlanNode[]): void {
  if (node['Node Type'] === 'Seq Scan') out.push(node);
  for (const child of node.Plans ?? []) walk(child, out);
}

const explainable = (sql: string): boolean => /^\s*(\(?\s*select|with|update|delete)\b/i.test(sql);

/** Requests `path` once with capture on and returns the statements it issued. */
export async function captureQueries(
  baseUrl: string,
  session: Session | undefined,
  path: string,
): Promise<{ status: number; queries: CapturedQuery[] }> {
  const { res } = await get(baseUrl, session, path);
  const id = res.headers.get('x-bench-id');
  if (!id) throw new Error(`no x-bench-id on ${path}: is capture on?`);
  for (let attempt = 0; attempt < 50; attempt++) {
    const r = await fetch(`${baseUrl}/__bench/queries?id=${id}`);
    if (r.ok) {
      const c = (await r.json()) as { status: number; queries: CapturedQuery[] };
      return { status: c.status, queries: c.queries };
    }
    await r.arrayBuffer();
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`the statements of ${path} were not recorded`);
}

export async function checkPlans(
  client: pg.Client,
  queries: CapturedQuery[],
  rowsOf: Map<string, number>,
  opts: { seqScanRows: number; maxQueries: number | undefined },
): Promise<PlanCheck> {
  const seqScans: SeqScan[] = [];
  const explainErrors: string[] = [];
  const seen = new Set<string>();
  for (const q of queries) {
    if (!explainable(q.sql)) continue;
    const key = `${q.sql}\u0000${JSON.stringify(q.bindings)}`;
    if (seen.has(key)) continue;
    seen.add(key);
    try {
      const r = await client.query<{ 'QUERY PLAN': { Plan: PlanNode }[] }>(
        `explain (format json) ${q.sql}`,
        q.bindings,
      );
      const plan = r.rows[0]!['QUERY PLAN'][0]!.Plan;
      const scans: PlanNode[] = [];
      walk(plan, scans);
      for (const s of scans) {
        const table = s['Relation Name'] ?? '?';
        const rows = rowsOf.get(table) ?? 0;
        if (rows > opts.seqScanRows) {
          seqScans.push({ table, rows, sql: q.sql, bindings: q.bindings, filter: s.Filter });
        }
      }
    } catch (err) {
      explainErrors.push(`${(err as Error).message.split('\n')[0]} — ${q.sql.slice(0, 200)}`);
    }
  }
  const problems: string[] = [];
  if (opts.maxQueries !== undefined && queries.length > opts.maxQueries) {
    problems.push(`${queries.length} queries > ${opts.maxQueries}`);
  }
  if (seqScans.length) problems.push(`Seq Scan on ${[...new Set(seqScans.map((s) => s.table))].join(', ')}`);
  return {
    queries: queries.length,
    statements: queries,
    seqScans,
    explainErrors,
    problem: problems.length ? problems.join('; ') : undefined,
  };
}
