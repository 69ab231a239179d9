import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type OutgoingRecord, RecordQueue } from '../../tracker/record-queue';

const record = (seq: number, bytes: number): OutgoingRecord => ({
  seq,
  data: Buffer.alloc(bytes),
});

describe('RecordQueue', () => {
  it('takes batches in order, within the record and byte budgets, until empty', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 400 }), { maxLength: 300 }),
        fc.integer({ min: 1, max: 50 }),
        fc.integer({ min: 400, max: 3000 }),
        (sizes, maxRecords, maxBytes) => {
          const queue = new RecordQueue();
          sizes.forEach((size, i) => {
            queue.push(record(i + 1, size));
          });

          const taken: number[] = [];
          while (queue.count > 0) {
            const batch = queue.takeBatch(maxRecords, maxBytes);
            expect(batch.length).toBeGreaterThan(0);
            expect(batch.length).toBeLessThanOrEqual(maxRecords);
            expect(batch.reduce((sum, r) => sum + r.data.length, 0)).toBeLessThanOrEqual(maxBytes);
            taken.push(...batch.map((r) => r.seq));
          }

          expect(taken).toEqual(sizes.map((_, i) => i + 1));
          expect(queue.bytes).toBe(0);
        },
      ),
    );
  });

  it('keeps count and bytes across compaction', () => {
    const queue = new RecordQueue();
    for (let seq = 1; seq <= 5000; seq++) queue.push(record(seq, 2));

    for (let i = 0; i < 3000; i++) queue.shift();

    expect(queue.count).toBe(2000);
    expect(queue.bytes).toBe(4000);
    expect(queue.peek()?.seq).toBe(3001);
    expect(queue.takeThrough(3010).map((r) => r.seq)).toEqual([
      3001, 3002, 3003, 3004, 3005, 3006, 3007, 3008, 3009, 3010,
    ]);
  });
});
