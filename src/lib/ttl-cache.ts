/**
 * A small in-process cache for figures that change slowly (label settings, exchange rates,
 * schedule-based principal): each key is loaded once per `ttlMs`, concurrent callers share the
 * one load, a failed load is not kept, and the oldest keys go once `max` is reached.
 *
 * What it keeps is deep-frozen when loaded (deepFreeze): every later request gets the same
 * object, so a caller that changed it (sorted a kept list in place, added a property, set a
 * Map entry) would corrupt the next request's figures. Instead the change throws a TypeError
 * (ES modules run in strict mode). Copy before changing: `[...rows].sort(…)`, `{ ...o, x }`.
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
      const value = load().then(deepFreeze);
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

const refuse = (what: string) =>
  function (): never {
    throw new TypeError(`${what} kept by a cache cannot be changed: copy it first`);
  };

/** A prototype like `proto` whose methods named in `writers` throw instead of writing. */
function readOnly(proto: object, writers: string[], what: string): object {
  const p = Object.create(proto) as Record<string, unknown>;
  for (const name of writers) p[name] = refuse(what);
  return Object.freeze(p);
}

const READ_ONLY_MAP = readOnly(Map.prototype, ['set', 'delete', 'clear'], 'A Map');
const READ_ONLY_SET = readOnly(Set.prototype, ['add', 'delete', 'clear'], 'A Set');
const READ_ONLY_DATE = readOnly(
  Date.prototype,
  Object.getOwnPropertyNames(Date.prototype).filter((n) => n.startsWith('set')),
  'A Date',
);

/**
 * Freezes `value` and everything reachable from it: objects and arrays (Object.freeze), Maps,
 * Sets and Dates (their writing methods throw; reads and `instanceof` work as before). Binary
 * data (Buffers, typed arrays) and functions are left as they are. Returns `value`.
 */
export function deepFreeze<T>(value: T): T {
  const seen = new WeakSet<object>();
  const visit = (v: unknown): void => {
    if (typeof v !== 'object' || v === null || seen.has(v)) return;
    if (ArrayBuffer.isView(v) || v instanceof ArrayBuffer) return;
    seen.add(v);
    if (v instanceof Map) {
      Object.setPrototypeOf(v, READ_ONLY_MAP);
      for (const [k, x] of v as Map<unknown, unknown>) {
        visit(k);
        visit(x);
      }
    } else if (v instanceof Set) {
      Object.setPrototypeOf(v, READ_ONLY_SET);
      for (const x of v as Set<unknown>) visit(x);
    } else if (v instanceof Date) {
      Object.setPrototypeOf(v, READ_ONLY_DATE);
    }
    for (const key of Reflect.ownKeys(v)) visit((v as Record<PropertyKey, unknown>)[key]);
    Object.freeze(v);
  };
  visit(value);
  return value;
}
