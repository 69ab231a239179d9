import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sizedBatches } from '../../../lambdas/shared/batches';

const sizesArb = fc.array(fc.integer({ min: 0, max: 120 }), { maxLength: 60 });
const limitsArb = fc.record({
  maxBytes: fc.integer({ min: 1, max: 200 }),
  maxItems: fc.option(fc.integer({ min: 1, max: 10 }), { nil: undefined }),
});

describe('sizedBatches', () => {
  it('keeps every item once and in order, in non-empty batches within the limits unless one item alone exceeds them', () => {
    fc.assert(
      fc.property(sizesArb, limitsArb, (sizes, limits) => {
        const items = sizes.map((size, index) => ({ index, size }));
        const batches = [...sizedBatches(items, (item) => item.size, limits)];

        expect(batches.flat()).toEqual(items);
        for (const batch of batches) {
          expect(batch.length).toBeGreaterThan(0);
          expect(batch.length).toBeLessThanOrEqual(limits.maxItems ?? Number.POSITIVE_INFINITY);
          const bytes = batch.reduce((sum, item) => sum + item.size, 0);
          if (batch.length > 1) expect(bytes).toBeLessThanOrEqual(limits.maxBytes);
        }
      }),
    );
  });

  it('fills each batch: the next batch starts only with an item that would not fit', () => {
    fc.assert(
      fc.property(sizesArb, limitsArb, (sizes, limits) => {
        const batches = [...sizedBatches(sizes, (size) => size, limits)];
        for (let i = 0; i + 1 < batches.length; i++) {
          const batch = batches[i]!;
          const bytes = batch.reduce((sum, size) => sum + size, 0);
          const full = batch.length === limits.maxItems || bytes + batches[i + 1]![0]! > limits.maxBytes;
          expect(full).toBe(true);
        }
      }),
    );
  });

  it('puts an item larger than the byte limit in a batch of its own instead of dropping it', () => {
    expect([...sizedBatches([1, 500, 1], (size) => size, { maxBytes: 100 })]).toEqual([[1], [500], [1]]);
  });
});
