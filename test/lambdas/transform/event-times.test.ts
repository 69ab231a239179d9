import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toUtcIso } from '../../../contract';
import { UtcFormatter } from '../../../lambdas/transform/event-times';

describe('UtcFormatter', () => {
  it('formats every millisecond exactly as toUtcIso', () => {
    const formatter = new UtcFormatter();
    fc.assert(
      fc.property(fc.integer({ min: -62_000_000_000_000, max: 300_000_000_000_000 }), (epochMs) => {
        expect(formatter.format(epochMs)).toBe(toUtcIso(epochMs));
      }),
      { numRuns: 2000 },
    );
  });

  it('formats times within one minute, in any order, as toUtcIso', () => {
    const formatter = new UtcFormatter();
    const minute = Date.UTC(2026, 10, 22, 7, 35);
    for (const epochMs of [minute + 59_999, minute, minute + 1, minute + 10_010, minute - 1]) {
      expect(formatter.format(epochMs)).toBe(toUtcIso(epochMs));
    }
  });
});
