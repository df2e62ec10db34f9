/** One page under load: a warm-up run (discarded), then the measured autocannon run. */
import autocannon from 'autocannon';
import { PROXY_HEADERS, type Session } from './portal.ts';

export interface LoadResult {
  rps: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  requests: number;
  errors: number;
  non2xx: number;
  timeouts: number;
  statusCodes: Record<string, number>;
  /** Answers that sent the client back to /login (session lost). */
  toLogin: number;
}

function run(opts: autocannon.Options): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    const instance = autocannon(opts, (err, result) => (err ? reject(err as Error) : resolve(result)));
    // Stop cleanly on Ctrl-C rather than leaving sockets open.
    const stop = (): void => instance.stop();
    process.once('SIGINT', stop);
    instance.on('done', () => process.removeListener('SIGINT', stop));
  });
}

export async function loadPage(
  baseUrl: string,
  path: string,
  session: Session | undefined,
  o: { connections: number; duration: number; warmup: number },
): Promise<LoadResult> {
  const headers = {
    ...PROXY_HEADERS,
    accept: 'text/html',
    ...(session ? { cookie: session.cookie } : {}),
  };
  const base: autocannon.Options = {
    url: `${baseUrl}${path}`,
    connections: o.connections,
    pipelining: 1,
    headers,
    timeout: 10,
  };
  if (o.warmup > 0) await run({ ...base, duration: o.warmup });
  let toLogin = 0;
  const result = await run({
    ...base,
    duration: o.duration,
    setupClient: (client) => {
      // The parser's raw headers: { statusCode, headers: [name, value, name, value, ...] }.
      client.on('headers', (h) => {
        const raw = (h as unknown as { headers?: unknown }).headers;
        if (!Array.isArray(raw)) return;
        for (let i = 0; i + 1 < raw.length; i += 2) {
          if (String(raw[i]).toLowerCase() === 'location' && String(raw[i + 1]).startsWith('/login'))
            toLogin++;
        }
      });
    },
  });
  const statusCodes: Record<string, number> = {};
  for (const [code, s] of Object.entries(result.statusCodeStats ?? {})) statusCodes[code] = s.count ?? 0;
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p90: result.latency.p90,
    p99: result.latency.p99,
    max: result.latency.max,
    requests: result.requests.total,
    errors: result.errors,
    non2xx: result.non2xx,
    timeouts: result.timeouts,
    statusCodes,
    toLogin,
  };
}
