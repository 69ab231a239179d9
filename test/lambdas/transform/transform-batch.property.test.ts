import type { FirehoseTransformationEventRecord } from 'aws-lambda';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { validateStoredEvent } from '../../../contract';
import { transformBatch } from '../../../lambdas/transform/transform-batch';
import { nearValidEventArbitrary } from '../../contract/validate-cases';
import { ARRIVAL_MS, enrichersFor, lineOf } from './firehose-records';

// The fixed arrival and the last storable millisecond (which no client time is after) make many
// records valid; random arrivals exercise the future-time and skew refusals. The age limit is set
// to the whole storable span (36,525 days) so that it refuses nothing here; its own tests are in
// transform-batch.test.ts.
const arrival = fc.oneof(
  fc.constant(ARRIVAL_MS),
  fc.constant(4_102_444_799_999),
  fc.integer({ min: 946_684_800_000, max: 4_102_444_799_999 }),
);

/** Any bytes at all, base64-encoded as Firehose would. */
const arbitraryBytes = fc
  .uint8Array({ maxLength: 200 })
  .map((bytes) => Buffer.from(bytes).toString('base64'));
/** Text that is mostly not base64. */
const arbitraryText = fc.string({ unit: 'binary', maxLength: 60 });
/** Near-valid events, with event_ids often shared so that batches hold duplicates. */
const nearValidEvents = fc
  .tuple(nearValidEventArbitrary, fc.option(fc.constantFrom('dup-1', 'dup-2')))
  .map(([event, sharedId]) => {
    if (sharedId !== null && typeof event.event_id === 'string') event.event_id = sharedId;
    return Buffer.from(JSON.stringify(event)).toString('base64');
  });

function batchOf(data: fc.Arbitrary<string>): fc.Arbitrary<FirehoseTransformationEventRecord[]> {
  return fc.array(fc.tuple(data, arrival), { maxLength: 12 }).map((items) =>
    items.map(([payload, approximateArrivalTimestamp], i) => ({
      recordId: `rec-${i}`,
      approximateArrivalTimestamp,
      data: payload,
    })),
  );
}

function eventIdOf(data: string): unknown {
  return (JSON.parse(Buffer.from(data, 'base64').toString('utf8')) as Record<string, unknown>).event_id;
}

/** The rules that hold for every batch, whatever it holds. */
function checkBatchRules(input: FirehoseTransformationEventRecord[]): void {
  const { records } = transformBatch(input, enrichersFor({ MAX_EVENT_AGE_DAYS: '36525' }), () => {});

  expect(records.map((r) => r.recordId)).toEqual(input.map((r) => r.recordId));
  const okEventIds = new Set<unknown>();
  records.forEach((result, i) => {
    const original = input[i]!;
    if (result.result === 'Ok') {
      const line = lineOf(result);
      expect(line.indexOf('\n')).toBe(line.length - 1);
      const stored = validateStoredEvent(JSON.parse(line));
      expect(stored).toMatchObject({ ok: true });
      if (stored.ok) {
        expect(okEventIds.has(stored.event.event_id)).toBe(false);
        okEventIds.add(stored.event.event_id);
      }
    } else if (result.result === 'Dropped') {
      expect(result.data).toBe(original.data);
      expect(okEventIds.has(eventIdOf(original.data))).toBe(true);
    } else {
      expect(result.result).toBe('ProcessingFailed');
      expect(result.data).toBe(original.data);
    }
  });
}

describe('transformBatch properties', () => {
  it('for any batch of arbitrary bytes: one result per record in order, original data kept on failure', () => {
    fc.assert(fc.property(batchOf(fc.oneof(arbitraryBytes, arbitraryText)), checkBatchRules));
  });

  it('for any batch of near-valid events: Ok records are valid stored events, Dropped only for a repeated event_id', () => {
    fc.assert(fc.property(batchOf(nearValidEvents), checkBatchRules), { numRuns: 200 });
  });

  it('for any mixed batch, the rules hold together', () => {
    fc.assert(
      fc.property(batchOf(fc.oneof(arbitraryBytes, nearValidEvents, arbitraryText)), checkBatchRules),
    );
  });
});
