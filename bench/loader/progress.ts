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
 * A callback for each customer done that prints, at most every `everyMs`, one line: customers
 * done, all rows so far with their rate, and the four tables with the most rows (rows, rows/s).
 * Called from the generating loop rather than a timer, which a busy loop would starve.
 */
export function progressReporter(
  start: number,
  stats: () => TableStat[],
  everyMs = 10_000,
): (done: number, total: number) => void {
  let last = performance.now();
  return (done, total) => {
    if (performance.now() - last < everyMs && done < total) return;
    last = performance.now();
    const all = stats();
    const rows = all.reduce((s, t) => s + t.rows, 0);
    const top = [...all]
      .sort((x, y) => y.rows - x.rows)
      .slice(0, 4)
      .map((t) => `${t.table} ${int(t.rows)} (${int(t.rows / t.seconds)}/s)`)
      .join(', ');
    const rate = int(rows / elapsedSince(start));
    step(start, `customers ${int(done)}/${int(total)}; ${int(rows)} rows (${rate}/s); ${top}`);
  };
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
