/**
 * A small in-process cache for figures that change slowly (label settings, exchange rates,
 * schedule-based principal): each key is loaded once per `ttlMs`, concurrent callers share the
 * one load, a failed load is not kept, and the oldest keys go once `max` is reached.
 */
export interface TtlCache<V> {
  get(key: string, load: () => Promise<V>): Promise<V>;
  clear(): void;
}

export function ttlCache<V>(opts: { ttlMs: number; max: number; now: () => number }): TtlCache<V> {
  const entries = new Map<string, { at: number; value: Promise<V> }>();
  return {
    get(key, load) {
      const now = opts.now();
      const hit = entries.get(key);
      if (hit && now - hit.at <= opts.ttlMs) return hit.value;
      entries.delete(key);
      if (entries.size >= opts.max) entries.delete(entries.keys().next().value!);
      const value = load();
      entries.set(key, { at: now, value });
      value.catch(() => {
        if (entries.get(key)?.value === value) entries.delete(key);
      });
      return value;
    },
    clear() {
      entries.clear();
    },
  };
}
