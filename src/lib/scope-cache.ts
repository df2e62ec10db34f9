/**
 * Figures of one customer kept in this process for as long as its data version is the same
 * (migrations/20261129001000_customer_changes.ts): the version counts every committed write to
 * the customer's data, in any process, and is read with the session's user on every request
 * before any figure, so a figure served from here is never older than the request's own reads
 * would be. The key also holds the label and the business date (overdue moves with the
 * calendar). A scope without a version (a job, a test's hand-made scope) always loads.
 * What it returns is deep-frozen (src/lib/ttl-cache.ts, deepFreeze): never change it, copy it.
 */
import { deepFreeze, ttlCache } from './ttl-cache.ts';

export interface VersionedScope {
  customerId: number;
  labelId: number;
  today: string;
  dataVersion?: string | undefined;
}

export interface ScopeCache<V> {
  get(scope: VersionedScope, key: string, load: () => Promise<V>): Promise<V>;
}

export function scopeCache<V>(opts: { ttlMs: number; max: number; now: () => number }): ScopeCache<V> {
  const cache = ttlCache<V>(opts);
  return {
    get(scope, key, load) {
      // Not kept, but frozen alike: a caller that changes it fails in tests, not in production.
      if (scope.dataVersion === undefined) return load().then(deepFreeze);
      const { customerId, labelId, today, dataVersion } = scope;
      return cache.get(`${customerId}:${labelId}:${today}:${dataVersion}:${key}`, load);
    },
  };
}

/**
 * How a repository's list counts its rows: `countNow` asks the database; a service passes a
 * function that keeps the count in a ScopeCache (a fleet's 30,000–50,000 rows counted once per
 * data version, not on every page).
 */
export type CountWith = (load: () => Promise<number>) => Promise<number>;
export const countNow: CountWith = (load) => load();

/** The CountWith of one list: counts kept per scope, filter and data version. */
export function keptCounts(opts: { ttlMs: number; max: number; now: () => number }) {
  const cache = scopeCache<number>(opts);
  return (scope: VersionedScope, list: string, filter: unknown): CountWith =>
    (load) =>
      cache.get(scope, `${list}:${JSON.stringify(filter)}`, load);
}
