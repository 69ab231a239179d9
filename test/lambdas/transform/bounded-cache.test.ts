import { describe, expect, it } from 'vitest';
import { BoundedCache } from '../../../lambdas/transform/bounded-cache';

describe('BoundedCache', () => {
  it('derives a value once per key while it is cached', () => {
    const cache = new BoundedCache<string>(10);
    const derived: string[] = [];
    const derive = (key: string) => {
      derived.push(key);
      return key.toUpperCase();
    };

    const values = ['a', 'b', 'a', 'a'].map((key) => cache.get(key, derive));

    expect(values).toEqual(['A', 'B', 'A', 'A']);
    expect(derived).toEqual(['a', 'b']);
  });

  it('forgets its oldest key when full', () => {
    const cache = new BoundedCache<number>(2);
    const derived: string[] = [];
    const derive = (key: string) => derived.push(key);
    cache.get('a', derive);
    cache.get('b', derive);

    cache.get('c', derive);
    cache.get('b', derive);
    cache.get('a', derive);

    expect(derived).toEqual(['a', 'b', 'c', 'a']);
  });
});
