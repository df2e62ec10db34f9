import { describe, expect, it } from 'vitest';
import { deepFreeze, ttlCache } from '../../src/lib/ttl-cache.ts';
import { scopeCache } from '../../src/lib/scope-cache.ts';

describe('ttlCache', () => {
  it('loads a key once per ttl, shares a load in flight, forgets failures and the oldest key', async () => {
    let now = 0;
    let loads = 0;
    const cache = ttlCache<number>({ ttlMs: 100, max: 2, now: () => now });
    const load = () => Promise.resolve(++loads);
    expect(await Promise.all([cache.get('a', load), cache.get('a', load)])).toEqual([1, 1]);
    now = 100;
    expect(await cache.get('a', load)).toBe(1);
    now = 101;
    expect(await cache.get('a', load)).toBe(2);

    await expect(cache.get('b', () => Promise.reject(new Error('down')))).rejects.toThrow('down');
    expect(await cache.get('b', load)).toBe(3);

    await cache.get('c', load); // a (oldest) goes
    expect(await cache.get('a', load)).toBe(5);
  });
});

describe('what the caches keep is frozen', () => {
  const figures = () => ({
    total: 100,
    rows: [
      { id: 1, amountMinor: 500, at: new Date('2026-11-16T00:00:00Z') },
      { id: 2, amountMinor: 700, at: new Date('2026-11-17T00:00:00Z') },
    ],
    byContract: new Map([[7, 300]]),
    ids: new Set([1, 2]),
  });
  type Figures = ReturnType<typeof figures>;

  /** Every way a caller could change a kept figure; each must throw a TypeError (strict mode). */
  const mutations: [string, (f: Figures) => unknown][] = [
    ['set a property', (f) => (f.total = 1)],
    ['add a property', (f) => ((f as Record<string, unknown>).extra = 1)],
    ['delete a property', (f) => delete (f as Partial<Figures>).total],
    ['push to an array', (f) => f.rows.push({ id: 2, amountMinor: 1, at: new Date(0) })],
    ['sort an array in place', (f) => f.rows.sort(() => -1)],
    ['change a nested row', (f) => (f.rows[0]!.amountMinor = 0)],
    ['change a date', (f) => f.rows[0]!.at.setUTCFullYear(2000)],
    ['set in a Map', (f) => f.byContract.set(7, 0)],
    ['delete from a Map', (f) => f.byContract.delete(7)],
    ['clear a Map', (f) => f.byContract.clear()],
    ['add to a Set', (f) => f.ids.add(3)],
    ['delete from a Set', (f) => f.ids.delete(1)],
  ];

  it('ttlCache: mutating a kept value throws, and the next get returns the original', async () => {
    const cache = ttlCache<Figures>({ ttlMs: 1_000, max: 10, now: () => 0 });
    for (const [what, mutate] of mutations) {
      const kept = await cache.get('k', () => Promise.resolve(figures()));
      expect(() => mutate(kept), what).toThrow(TypeError);
      expect(await cache.get('k', () => Promise.reject(new Error('not loaded again'))), what).toEqual(
        figures(),
      );
    }
    // Reads still work on the frozen value.
    const kept = await cache.get('k', () => Promise.resolve(figures()));
    expect(kept.byContract.get(7)).toBe(300);
    expect([...kept.ids]).toEqual([1, 2]);
    expect(kept.rows[0]!.at.toISOString()).toBe('2026-11-16T00:00:00.000Z');
    expect([...kept.rows].sort((a, b) => b.id - a.id).map((r) => r.id)).toEqual([2, 1]); // a copy sorts
    expect(kept.byContract instanceof Map && kept.rows[0]!.at instanceof Date).toBe(true);
  });

  it('scopeCache: the same with a data version, and a value loaded without one is frozen alike', async () => {
    const cache = scopeCache<Figures>({ ttlMs: 1_000, max: 10, now: () => 0 });
    const scope = { customerId: 1, labelId: 1, today: '2026-11-16', dataVersion: '5' };
    const kept = await cache.get(scope, 'home', () => Promise.resolve(figures()));
    expect(() => (kept.rows[0]!.amountMinor = 0)).toThrow(TypeError);
    expect(() => kept.byContract.set(7, 0)).toThrow(TypeError);
    expect(await cache.get(scope, 'home', () => Promise.reject(new Error('not loaded again')))).toEqual(
      figures(),
    );
    // Without a version nothing is kept, but a caller that mutates fails the same way in tests.
    const { dataVersion: _v, ...unversioned } = scope;
    const loaded = await cache.get(unversioned, 'home', () => Promise.resolve(figures()));
    expect(() => (loaded.total = 1)).toThrow(TypeError);
  });

  it('leaves primitives, null and binary values as they are', () => {
    expect(deepFreeze(5)).toBe(5);
    expect(deepFreeze(null)).toBe(null);
    const buf = Buffer.from('abc');
    expect(deepFreeze({ buf }).buf).toBe(buf);
  });
});
