import { validate, version } from 'uuid';
import { describe, expect, it } from 'vitest';
import { createEventIdSource } from '../../tracker/event-id';

describe('createEventIdSource', () => {
  it('makes unique, valid UUID v7s that sort in time order across milliseconds', () => {
    const newId = createEventIdSource();
    const start = Date.UTC(2026, 10, 22, 8);

    const ids = Array.from({ length: 3000 }, (_, i) => newId(start + Math.floor(i / 3)));

    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.filter((id) => !validate(id) || version(id) !== 7)).toEqual([]);
    const firstOfEachMs = ids.filter((_, i) => i % 3 === 0);
    expect([...firstOfEachMs].sort()).toEqual(firstOfEachMs);
  });

  it('puts the milliseconds in the first 48 bits', () => {
    const newId = createEventIdSource();

    const id = newId(Date.UTC(2026, 10, 22, 8));

    expect(Number.parseInt(id.slice(0, 8) + id.slice(9, 13), 16)).toBe(Date.UTC(2026, 10, 22, 8));
  });
});
