/**
 * One `COPY <table> FROM STDIN` (text format) per table, each on its own connection, all open at
 * once: the generator hands over a customer's rows table by table, the sink encodes them into
 * text lines, buffers ~256 kB and writes; `settle()` waits until every stream has drained, which
 * is the backpressure that keeps memory flat however many rows pass through.
 *
 * Sessions run with session_replication_role = replica, which skips the foreign-key triggers so
 * child tables can stream while their parents are still being copied on other connections.
 * NOT NULL, CHECK and UNIQUE constraints and every index are still enforced row by row; the
 * foreign keys are checked afterwards by `--verify` (bench/loader/verify.ts).
 */
import { once } from 'node:events';
import pg from 'pg';
import { from as copyFrom, type CopyStreamQuery } from 'pg-copy-streams';

export type Row = Record<string, unknown>;

const FLUSH_BYTES = 256 * 1024;
/** How far a table's stream may run ahead of PostgreSQL before settle() waits for it. */
const AHEAD_BYTES = 4 * 1024 * 1024;

interface TableCopy {
  client: pg.Client;
  stream: CopyStreamQuery;
  columns: string[];
  pending: string[];
  pendingBytes: number;
  rows: number;
  startedAt: number;
  drain: Promise<unknown> | undefined;
}

export interface TableStat {
  table: string;
  rows: number;
  seconds: number;
}

export class CopySink {
  private readonly copies = new Map<string, TableCopy>();
  private readonly opening = new Map<string, Promise<TableCopy>>();
  private failure: Error | undefined;

  constructor(private readonly databaseUrl: string) {}

  /** Queues rows for `table`; the first call opens its COPY with the first row's keys as columns. */
  async put(table: string, rows: readonly Row[]): Promise<void> {
    if (rows.length === 0) return;
    this.throwIfFailed();
    const copy = this.copies.get(table) ?? (await this.open(table, Object.keys(rows[0]!)));
    checkShape(table, copy.columns, rows);
    const width = copy.columns.length;
    for (const row of rows) {
      const cells = new Array<string>(width);
      for (let i = 0; i < width; i++) cells[i] = field(row[copy.columns[i]!]);
      const line = `${cells.join('\t')}\n`;
      copy.pending.push(line);
      copy.pendingBytes += line.length;
      if (copy.pendingBytes >= FLUSH_BYTES) this.flush(copy);
    }
    copy.rows += rows.length;
  }

  /** Resolves when no stream is more than AHEAD_BYTES ahead of PostgreSQL: call between batches. */
  async settle(): Promise<void> {
    const waits = [...this.copies.values()].flatMap((c) => (c.drain ? [c.drain] : []));
    if (waits.length > 0) await Promise.all(waits);
    this.throwIfFailed();
  }

  /** Rows handed over so far, per table, with the seconds since each table's COPY opened. */
  stats(): TableStat[] {
    const now = performance.now();
    return [...this.copies.entries()].map(([table, c]) => ({
      table,
      rows: c.rows,
      seconds: (now - c.startedAt) / 1000,
    }));
  }

  /** Ends every COPY and waits for PostgreSQL to commit each one; returns the rows each committed. */
  async finish(onDone?: (stat: TableStat) => void): Promise<Map<string, number>> {
    const committed = new Map<string, number>();
    await Promise.all(
      [...this.copies.entries()].map(async ([table, c]) => {
        this.flush(c);
        c.stream.end();
        await once(c.stream, 'finish');
        if (c.stream.rowCount !== c.rows)
          throw new Error(`${table}: sent ${c.rows} rows, PostgreSQL copied ${c.stream.rowCount}`);
        committed.set(table, c.stream.rowCount);
        await c.client.end();
        onDone?.({ table, rows: c.rows, seconds: (performance.now() - c.startedAt) / 1000 });
      }),
    );
    this.throwIfFailed();
    return committed;
  }

  /** Closes every connection after a failure (the open COPYs roll back). */
  async abort(): Promise<void> {
    await Promise.allSettled([...this.copies.values()].map((c) => c.client.end()));
  }

  private async open(table: string, columns: string[]): Promise<TableCopy> {
    let opening = this.opening.get(table);
    if (!opening) {
      opening = this.connect(table, columns);
      this.opening.set(table, opening);
    }
    return opening;
  }

  private async connect(table: string, columns: string[]): Promise<TableCopy> {
    const client = new pg.Client({ connectionString: this.databaseUrl });
    client.on('error', (err) => this.fail(table, err));
    await client.connect();
    await client.query('set synchronous_commit = off; set session_replication_role = replica');
    const cols = columns.map((c) => `"${c}"`).join(', ');
    const stream = client.query(
      copyFrom(`copy ${table} (${cols}) from stdin`, { highWaterMark: AHEAD_BYTES }),
    );
    stream.on('error', (err) => this.fail(table, err));
    const copy: TableCopy = {
      client,
      stream,
      columns,
      pending: [],
      pendingBytes: 0,
      rows: 0,
      startedAt: performance.now(),
      drain: undefined,
    };
    this.copies.set(table, copy);
    return copy;
  }

  private flush(c: TableCopy): void {
    if (c.pending.length === 0) return;
    const chunk = c.pending.join('');
    c.pending = [];
    c.pendingBytes = 0;
    if (!c.stream.write(chunk) && !c.drain) {
      // A failed stream rejects the wait; the failure itself is kept by fail() and thrown by settle().
      c.drain = once(c.stream, 'drain')
        .catch(() => undefined)
        .finally(() => (c.drain = undefined));
    }
  }

  private fail(table: string, err: Error): void {
    this.failure ??= new Error(`COPY ${table} failed: ${err.message}`, { cause: err });
  }

  private throwIfFailed(): void {
    if (this.failure) throw this.failure;
  }
}

/** Every row of a batch must carry exactly the table's columns (a missing key would become NULL). */
function checkShape(table: string, columns: string[], rows: readonly Row[]): void {
  for (const row of [rows[0]!, rows[rows.length - 1]!]) {
    const keys = Object.keys(row);
    if (keys.length !== columns.length || keys.some((k) => !columns.includes(k)))
      throw new Error(
        `${table}: row keys ${keys.join(',')} differ from the COPY columns ${columns.join(',')}`,
      );
  }
}

const ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };
const SPECIAL = /[\\\t\n\r]/;

/** A value as a COPY text-format field: \N for null, t/f, numbers as written, arrays as literals. */
export function field(v: unknown): string {
  if (v === null || v === undefined) return '\\N';
  switch (typeof v) {
    case 'string':
      return SPECIAL.test(v) ? v.replace(/[\\\t\n\r]/g, (c) => ESCAPES[c]!) : v;
    case 'number':
      if (!Number.isFinite(v)) throw new RangeError(`not a finite number: ${v}`);
      return String(v);
    case 'boolean':
      return v ? 't' : 'f';
    default:
      if (Array.isArray(v)) return field(arrayLiteral(v));
      if (v instanceof Date) return v.toISOString();
      return field(JSON.stringify(v));
  }
}

function arrayLiteral(items: unknown[]): string {
  const element = (x: unknown): string =>
    typeof x === 'number' ? String(x) : `"${String(x).replace(/["\\]/g, (c) => `\\${c}`)}"`;
  return `{${items.map(element).join(',')}}`;
}
