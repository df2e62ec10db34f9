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

/**
 * `sessions`: one signed-in session per connection where there are enough (16 users of the
 * customer at once, not one user's session shared by 16 connections), reused round-robin.
 */
export async function loadPage(
  baseUrl: string,
  path: string,
  sessions: Session[],
  o: { connections: number; duration: number; warmup: number },
): Promise<LoadResult> {
  const headersOf = (i: number) => {
    const session = sessions.length ? sessions[i % sessions.length] : undefined;
    return { ...PROXY_HEADERS, accept: 'text/html', ...(session ? { cookie: session.cookie } : {}) };
  };
  let next = 0;
  const base: autocannon.Options = {
    url: `${baseUrl}${path}`,
    connections: o.connections,
    pipelining: 1,
    headers: headersOf(0),
    timeout: 10,
  };
  const perConnection = (client: autocannon.Client): void => client.setHeaders(headersOf(next++));
  if (o.warmup > 0) await run({ ...base, duration: o.warmup, setupClient: perConnection });
  next = 0;
  let toLogin = 0;
  const result = await run({
    ...base,
    duration: o.duration,
    setupClient: (client) => {
      perConnection(client);
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
