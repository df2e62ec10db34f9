/** Console output of the load: a progress line every few seconds, per-table lines, the summary. */
import type { TableStat } from './copy-sink.ts';

const int = (n: number): string => Math.round(n).toLocaleString('en-US');
const secs = (s: number): string => `${s.toFixed(1)} s`;

export function elapsedSince(start: number): number {
  return (performance.now() - start) / 1000;
}

export function step(start: number, what: string): void {
  console.log(`[${secs(elapsedSince(start)).padStart(8)}] ${what}`);
}

/**
 * Every `everyMs`, one line: customers done, all rows so far with their rate, and the four
 * tables with the most rows (table, rows, rows/s).
 */
export function startProgress(
  start: number,
  stats: () => TableStat[],
  customers: () => [number, number],
  everyMs = 10_000,
): { stop(): void } {
  const timer = setInterval(() => {
    const all = stats();
    const rows = all.reduce((s, t) => s + t.rows, 0);
    const elapsed = elapsedSince(start);
    const [done, total] = customers();
    const top = [...all]
      .sort((x, y) => y.rows - x.rows)
      .slice(0, 4)
      .map((t) => `${t.table} ${int(t.rows)} (${int(t.rows / t.seconds)}/s)`)
      .join(', ');
    step(start, `customers ${int(done)}/${int(total)}; ${int(rows)} rows (${int(rows / elapsed)}/s); ${top}`);
  }, everyMs);
  return { stop: () => clearInterval(timer) };
}

export function tableLine(t: TableStat): string {
  return `${t.table.padEnd(32)} ${int(t.rows).padStart(11)} rows  ${int(t.rows / t.seconds).padStart(9)} rows/s  ${secs(t.seconds).padStart(8)}`;
}

export function summary(counts: Map<string, number>, tables: string[], totalSeconds: number): string {
  const width = Math.max(...tables.map((t) => t.length));
  const lines = tables.map((t) => `  ${t.padEnd(width)} ${int(counts.get(t) ?? 0).padStart(11)}`);
  const rows = [...counts.values()].reduce((s, n) => s + n, 0);
  return [
    'Rows per table:',
    ...lines,
    `  ${'total'.padEnd(width)} ${int(rows).padStart(11)}`,
    `Loaded in ${secs(totalSeconds)}.`,
  ].join('\n');
}
