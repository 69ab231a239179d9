import { describe, expect, it } from 'vitest';
import { LruCache } from '../../../lambdas/transform/lru-cache';

describe('LruCache', () => {
  it('derives a value once per key while it is cached', () => {
    const cache = new LruCache<string>(10);
    const derived: string[] = [];
    const derive = (key: string) => {
      derived.push(key);
      return key.toUpperCase();
    };

    const values = ['a', 'b', 'a', 'a'].map((key) => cache.get(key, derive));

    expect(values).toEqual(['A', 'B', 'A', 'A']);
    expect(derived).toEqual(['a', 'b']);
  });

  it('forgets the least recently used key when full', () => {
    const cache = new LruCache<number>(2);
    const derived: string[] = [];
    const derive = (key: string) => derived.push(key);
    cache.get('a', derive);
    cache.get('b', derive);
    cache.get('a', derive);

    cache.get('c', derive);
    cache.get('a', derive);
    cache.get('b', derive);

    expect(derived).toEqual(['a', 'b', 'c', 'b']);
  });
});
