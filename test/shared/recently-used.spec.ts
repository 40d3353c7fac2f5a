import { RecentlyUsed } from '../../src/shared/recently-used';

/** The keys still cached, among `keys`. */
const kept = <K>(cache: RecentlyUsed<K, unknown>, keys: readonly K[]): K[] => keys.filter((key) => cache.get(key) !== undefined);

describe('RecentlyUsed', () => {
  it('answers the last value set', () => {
    const cache = new RecentlyUsed<string, number>(10);
    cache.set('a', 1);
    cache.set('a', 2);
    expect(cache.get('a')).toBe(2);
    expect(cache.get('b')).toBeUndefined();
    cache.clear();
    expect(cache.get('a')).toBeUndefined();
  });

  it('past the limit, drops the least recently used, a sixteenth of the limit at once', () => {
    const cache = new RecentlyUsed<number, number>(32);
    const keys = Array.from({ length: 33 }, (_, i) => i);
    for (const key of keys.slice(0, 32)) cache.set(key, key);
    // Set again once half the limit was set after it: 0 becomes the most recently used.
    cache.set(0, 0);
    cache.set(32, 32);
    // 33 entries, limit 32: 1 over and 2 more; 1, 2 and 3 were the least recently used.
    expect(kept(cache, keys)).toEqual([0, ...keys.slice(4)]);
  });

  it('keeps a key set again recently where it is: it is still far from the end where keys leave', () => {
    const cache = new RecentlyUsed<number, number>(32);
    const keys = Array.from({ length: 64 }, (_, i) => i);
    for (const key of keys) {
      cache.set(key, key);
      // Key 0 is used all along: it never leaves.
      cache.set(0, key);
    }
    expect(cache.get(0)).toBe(63);
    expect(kept(cache, keys).length).toBeLessThanOrEqual(32);
  });

  it('keeps the key just set, whatever the limit', () => {
    const cache = new RecentlyUsed<string, number>(1);
    cache.set('a', 1);
    cache.set('b', 2);
    expect(kept(cache, ['a', 'b'])).toEqual(['b']);
  });
});
