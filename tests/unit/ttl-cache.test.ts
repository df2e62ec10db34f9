import { describe, expect, it } from 'vitest';
import { ttlCache } from '../../src/lib/ttl-cache.ts';

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
