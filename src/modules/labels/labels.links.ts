/**
 * Where a label's e-mail links point, from configuration only (never from a request's Host or
 * X-Forwarded-* headers, which anyone can write):
 * 1. the label's own `public_url` (private_labels);
 * 2. the default label (is_default): PUBLIC_URL (required in production, src/config.ts);
 * 3. any other label: its first host, with PUBLIC_URL's scheme and port when PUBLIC_URL is set,
 *    otherwise (development, tests) `http://<first host>:<PORT>`.
 */
export interface LinkConfig {
  /** PUBLIC_URL, when configured. */
  publicUrl: string | undefined;
  /** PORT: the development fallback's port. */
  port: number;
}

export interface LinkedLabelRow {
  publicUrl: string | null;
  hosts: string[];
  isDefault: boolean;
}

const noTrailingSlash = (url: string): string => url.replace(/\/+$/, '');

export function labelBaseUrl(label: LinkedLabelRow, cfg: LinkConfig): string {
  if (label.publicUrl) return noTrailingSlash(label.publicUrl);
  if (cfg.publicUrl && (label.isDefault || !label.hosts[0])) return noTrailingSlash(cfg.publicUrl);
  const host = label.hosts[0] ?? 'localhost';
  if (cfg.publicUrl) {
    const u = new URL(cfg.publicUrl);
    return `${u.protocol}//${host}${u.port ? `:${u.port}` : ''}`;
  }
  return `http://${host}:${cfg.port}`;
}

/**
 * A Host header as RFC 9110 allows it here: a DNS name or IPv4 address, an optional port.
 * Anything else (user-info such as `localhost:3000@evil.example`, paths, spaces) is refused.
 */
export function isWellFormedHost(host: string | undefined): host is string {
  return typeof host === 'string' && /^[A-Za-z0-9](?:[A-Za-z0-9.-]{0,252})(?::[0-9]{1,5})?$/.test(host);
}
