/**
 * The benchmark's server: the portal started the way src/server.ts starts it (configuration,
 * real PostgreSQL at DATABASE_URL, migrations, container, createApp, graceful shutdown; no demo
 * seed, no worker jobs), mounted inside an outer Express app that adds bench-only routes:
 *
 *   GET  /__bench/ceiling            an in-memory HTML page of BENCH_CEILING_BYTES (Express alone)
 *   POST /__bench/ceiling?bytes=N    resize it (the runner sets it to Home's size)
 *   POST /__bench/memory/reset       start a peak RSS / heap sampler (50 ms) from here (?gc=1 first)
 *   GET  /__bench/memory             { rss, heap, baseRss, peakRss, baseHeap, peakHeap } in bytes,
 *                                    heap = V8 heap used + external (Buffers, ArrayBuffers)
 *   POST /__bench/capture?on=1|0     record every SQL statement per request (off by default)
 *   GET  /__bench/queries?id=N       the statements of captured request N (x-bench-id header)
 *   GET  /__bench/queries?last=1     ... of the last captured request
 *
 * Statements are captured at the pg driver (pg.Client#query), so the session store's queries
 * count too; AsyncLocalStorage ties each to its request. Run only by bench/run.ts.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Server } from 'node:http';
import express from 'express';
import pg from 'pg';
import { loadConfigOrExit } from '../src/config.ts';
import { createApp } from '../src/app.ts';
import { boot, stopOnSignals } from '../src/boot.ts';

export interface CapturedQuery {
  sql: string;
  bindings: unknown[];
  ms: number | null;
}
export interface CapturedRequest {
  id: number;
  method: string;
  url: string;
  status: number;
  ms: number;
  queries: CapturedQuery[];
}

// ---- SQL capture at the driver ------------------------------------------------------------
const als = new AsyncLocalStorage<CapturedQuery[]>();
let capturing = false;
const originalQuery = Reflect.get(pg.Client.prototype, 'query') as (...args: unknown[]) => unknown;
(pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown }).query = function (
  this: pg.Client,
  ...args: unknown[]
): unknown {
  const list = capturing ? als.getStore() : undefined;
  if (!list) return originalQuery.apply(this, args);
  const [first, second] = args;
  const text = typeof first === 'string' ? first : (first as { text?: unknown } | null)?.text;
  const values = Array.isArray(second)
    ? (second as unknown[])
    : ((first as { values?: unknown[] } | null)?.values ?? []);
  const entry: CapturedQuery = {
    sql: typeof text === 'string' ? text : '(unknown)',
    bindings: values,
    ms: null,
  };
  list.push(entry);
  const start = performance.now();
  const done = (): void => {
    entry.ms = Math.round((performance.now() - start) * 100) / 100;
  };
  const last = args[args.length - 1];
  if (typeof last === 'function') {
    const cb = last as (...a: unknown[]) => unknown;
    args[args.length - 1] = (...a: unknown[]) => {
      done();
      return cb(...a);
    };
    return originalQuery.apply(this, args);
  }
  const out = originalQuery.apply(this, args);
  if (out instanceof Promise) out.then(done, done);
  return out;
};

const captured: CapturedRequest[] = [];
let nextId = 1;

// ---- memory sampler -------------------------------------------------------------------------
const mem = { baseRss: 0, baseHeap: 0, peakRss: 0, peakHeap: 0 };
const heapOf = (m: NodeJS.MemoryUsage): number => m.heapUsed + m.external;
let sampler: NodeJS.Timeout | undefined;
function sample(): void {
  const m = process.memoryUsage();
  mem.peakRss = Math.max(mem.peakRss, m.rss);
  mem.peakHeap = Math.max(mem.peakHeap, heapOf(m));
}

// ---- the portal, as src/server.ts starts it ------------------------------------------------
const config = loadConfigOrExit();
if (!config.databaseUrl) {
  console.error('bench/server.ts needs DATABASE_URL (the benchmark never runs the embedded database)');
  process.exit(2);
}
const booted = await boot(config);
const { deps } = booted;
let stopping = false;
const handle = createApp(deps, { isStopping: () => stopping });

// ---- the outer app --------------------------------------------------------------------------
let ceilingBytes = Number(process.env.BENCH_CEILING_BYTES ?? 20_000);
let ceiling = ceilingPage(ceilingBytes);
function ceilingPage(n: number): Buffer {
  const head = '<!doctype html><html lang="en"><head><title>Ceiling</title></head><body><main>';
  const tail = '</main></body></html>\n';
  const fill = Math.max(0, n - head.length - tail.length);
  const text = 'Lorem ipsum dolor sit amet, consectetur adipiscing elit. ';
  return Buffer.from(head + text.repeat(Math.ceil(fill / text.length)).slice(0, fill) + tail);
}

const outer = express();
outer.disable('x-powered-by');
outer.get('/__bench/ceiling', (_req, res) => {
  res.setHeader('Cache-Control', 'no-store');
  res.type('html').send(ceiling);
});
outer.post('/__bench/ceiling', (req, res) => {
  const n = Number(req.query.bytes);
  if (!Number.isInteger(n) || n < 100 || n > 50_000_000) return res.status(400).json({ error: 'bytes' });
  ceilingBytes = n;
  ceiling = ceilingPage(n);
  res.json({ bytes: ceiling.length });
});
outer.post('/__bench/memory/reset', (req, res) => {
  if (req.query.gc === '1') (globalThis as { gc?: () => void }).gc?.();
  const m = process.memoryUsage();
  Object.assign(mem, { baseRss: m.rss, baseHeap: heapOf(m), peakRss: m.rss, peakHeap: heapOf(m) });
  sampler ??= setInterval(sample, 50);
  sampler.unref();
  res.json(mem);
});
outer.get('/__bench/memory', (_req, res) => {
  sample();
  const m = process.memoryUsage();
  res.json({ rss: m.rss, heap: heapOf(m), ...mem });
});
outer.post('/__bench/capture', (req, res) => {
  capturing = req.query.on === '1';
  captured.length = 0;
  res.json({ capturing });
});
outer.get('/__bench/queries', (req, res) => {
  const id = Number(req.query.id);
  const found = req.query.last === '1' ? captured.at(-1) : captured.find((c) => c.id === id);
  if (!found) return res.status(404).json({ error: 'not captured (yet)' });
  res.json(found);
});
outer.use((req, res, next) => {
  if (!capturing) return next();
  const id = nextId++;
  const list: CapturedQuery[] = [];
  const start = performance.now();
  res.setHeader('x-bench-id', String(id));
  const writeHead = res.writeHead.bind(res) as (...a: unknown[]) => typeof res;
  res.writeHead = ((...a: unknown[]) => {
    if (!res.headersSent) res.setHeader('x-bench-queries', String(list.length));
    return writeHead(...a);
  }) as typeof res.writeHead;
  res.on('finish', () => {
    const ms = Math.round((performance.now() - start) * 10) / 10;
    captured.push({
      id,
      method: req.method,
      url: req.originalUrl,
      status: res.statusCode,
      ms,
      queries: list,
    });
    if (captured.length > 200) captured.shift();
  });
  als.run(list, next);
});
outer.use(handle.app);

const server: Server = outer.listen(config.port, config.host, (err?: Error) => {
  if (err) {
    console.error(`Could not listen on ${config.host}:${config.port}: ${err.message}`);
    process.exit(1);
  }
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : config.port;
  console.log(`bench server on http://${config.host}:${port} (ceiling ${ceilingBytes} bytes)`);
});

stopOnSignals(booted, {
  server,
  onStop: () => {
    stopping = true;
    if (sampler) clearInterval(sampler);
  },
  cleanup: () => handle.close(),
});
