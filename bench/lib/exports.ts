/**
 * A report download timed end to end over HTTP (request sent → last byte read), with the
 * portal process's peak memory growth over it (sampled every 50 ms in bench/server.ts, from a
 * baseline taken after a full GC). The memory limit applies to both RSS and heap + external:
 * RSS rarely grows after the load phase has raised it, while an export that holds its rows
 * shows in the heap.
 */
import { PROXY_HEADERS, type Session } from './portal.ts';

export interface ExportResult {
  format: 'csv' | 'pdf';
  path: string;
  status: number;
  contentType: string;
  bytes: number;
  /** Data rows in the file (CSV: lines less the header and the totals rows). */
  rows: number | null;
  seconds: number;
  firstByteSeconds: number;
  /** Peak RSS less RSS at the start (after a GC): low when earlier work left RSS high. */
  rssGrowthMb: number;
  /** Peak V8 heap used + external memory less the same at the start: what the export holds. */
  heapGrowthMb: number;
  problem: string | undefined;
}

interface Memory {
  baseRss: number;
  baseHeap: number;
  peakRss: number;
  peakHeap: number;
}

const MB = 1024 * 1024;

export async function timeExport(
  baseUrl: string,
  session: Session,
  path: string,
  format: 'csv' | 'pdf',
  totalsRows: number,
): Promise<ExportResult> {
  const reset = await fetch(`${baseUrl}/__bench/memory/reset?gc=1`, { method: 'POST' });
  await reset.arrayBuffer();
  const started = performance.now();
  const res = await fetch(`${baseUrl}${path}`, {
    redirect: 'manual',
    headers: { ...PROXY_HEADERS, cookie: session.cookie },
  });
  const firstByteSeconds = (performance.now() - started) / 1000;
  let bytes = 0;
  let newlines = 0;
  const reader = res.body?.getReader();
  for (;;) {
    if (!reader) break;
    const { done, value } = await reader.read();
    if (done) break;
    bytes += value.length;
    if (format === 'csv') for (const b of value) if (b === 10) newlines++;
  }
  const seconds = (performance.now() - started) / 1000;
  const mem = (await (await fetch(`${baseUrl}/__bench/memory`)).json()) as Memory;
  const contentType = res.headers.get('content-type') ?? '';
  let problem: string | undefined;
  if (res.status !== 200) problem = `${res.status} ${res.headers.get('location') ?? ''}`.trim();
  else if (!contentType.includes(format === 'csv' ? 'text/csv' : 'application/pdf')) {
    problem = `content-type ${contentType}`;
  }
  return {
    format,
    path,
    status: res.status,
    contentType,
    bytes,
    rows: format === 'csv' ? Math.max(0, newlines - 1 - totalsRows) : null,
    seconds,
    firstByteSeconds,
    rssGrowthMb: (mem.peakRss - mem.baseRss) / MB,
    heapGrowthMb: (mem.peakHeap - mem.baseHeap) / MB,
    problem,
  };
}

/** The export's failures against its target. */
export function judgeExport(e: ExportResult, limits: { seconds: number; growthMb?: number }): string[] {
  const f: string[] = [];
  if (e.problem) f.push(e.problem);
  if (e.seconds > limits.seconds) f.push(`${e.seconds.toFixed(2)} s > ${limits.seconds} s`);
  if (limits.growthMb !== undefined && e.rssGrowthMb > limits.growthMb) {
    f.push(`RSS +${e.rssGrowthMb.toFixed(0)} MB > ${limits.growthMb} MB`);
  }
  if (limits.growthMb !== undefined && e.heapGrowthMb > limits.growthMb) {
    f.push(`heap + external +${e.heapGrowthMb.toFixed(0)} MB > ${limits.growthMb} MB`);
  }
  return f;
}
