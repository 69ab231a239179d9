import fc from 'fast-check';
import { validate, version } from 'uuid';
import { describe, expect, it } from 'vitest';
import { createEventIdSource } from '../../tracker/event-id';

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const RANDOM_DIGITS = [15, 16, 17, 20, 21, 22, ...Array.from({ length: 12 }, (_, i) => 24 + i)];

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

  it('for any millisecond a 48-bit clock can hold: the RFC 9562 layout, version 7 and variant 10', () => {
    const newId = createEventIdSource();
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 48 - 1 }), (ms) => {
        const id = newId(ms);

        expect(id).toMatch(UUID_V7);
        expect(Number.parseInt(id.slice(0, 8) + id.slice(9, 13), 16)).toBe(ms);
      }),
    );
  });

  it('varies every random digit over all 16 values and the variant digit over its 4', () => {
    const newId = createEventIdSource();

    // A digit missing one value in 2,000 uniform draws has odds of about 16 * (15/16)^2000, nil.
    const ids = Array.from({ length: 2000 }, () => newId(Date.UTC(2026, 10, 22, 8)));

    for (const at of RANDOM_DIGITS) expect(new Set(ids.map((id) => id[at])).size).toBe(16);
    expect(new Set(ids.map((id) => id[19]))).toEqual(new Set(['8', '9', 'a', 'b']));
  });
});
