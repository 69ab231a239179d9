import { describe, expect, it } from 'vitest';
import { createEventIdSource } from '../../tracker/event-id';

describe('createEventIdSource', () => {
  it('makes unique UUID v7s that sort in time order across milliseconds', () => {
    const newId = createEventIdSource();
    const start = Date.UTC(2026, 10, 22, 8);

    // More ids than one refill of the random pool holds, over 1,000 distinct milliseconds.
    const ids = Array.from({ length: 3000 }, (_, i) => newId(start + Math.floor(i / 3)));

    expect(new Set(ids).size).toBe(ids.length);
    expect(
      ids.every((id) => /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(id)),
    ).toBe(true);
    const firstOfEachMs = ids.filter((_, i) => i % 3 === 0);
    expect([...firstOfEachMs].sort()).toEqual(firstOfEachMs);
  });
});
