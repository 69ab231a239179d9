import { isUtf8 } from 'node:buffer';
import type { FirehoseTransformationEventRecord } from 'aws-lambda';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EVENT_TIME_RANGE, validateStoredEvent } from '../../../contract';
import { transformBatch } from '../../../lambdas/transform/transform-batch';
import {
  isoWithOffset,
  nearValidEventArbitrary,
  SAMPLE_USER_AGENTS,
  validEvent,
} from '../../contract/validate-cases';
import { ARRIVAL_MS, enrichersFor, lineOf, recordOf } from './firehose-records';

// The fixed arrival and the last storable millisecond (which no client time is after) make many
// records valid; random arrivals exercise the future-time and skew refusals. The age limit is set
// to the whole storable span (36,525 days) so that it refuses nothing here; its own tests are in
// transform-batch.test.ts.
const arrival = fc.oneof(
  fc.constant(ARRIVAL_MS),
  fc.constant(EVENT_TIME_RANGE.lastMs),
  fc.integer({ min: EVENT_TIME_RANGE.firstMs, max: EVENT_TIME_RANGE.lastMs }),
);
/** Arrivals at each end of the range: with the age limit off, times near either edge can be Ok. */
const ARRIVALS_NEAR_THE_EDGES = [EVENT_TIME_RANGE.firstMs + 3 * 86_400_000, EVENT_TIME_RANGE.lastMs];

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

/** Any UTF-16 text: every code unit alone (lone surrogates included), or whole code points. */
const anyUtf16 = (maxLength: number) =>
  fc.oneof(
    fc.string({
      unit: fc.integer({ min: 0, max: 0xffff }).map((unit) => String.fromCharCode(unit)),
      maxLength,
    }),
    fc.string({ unit: 'binary', maxLength }),
  );
/** A valid event with arbitrary UTF-16 in its free-text fields and properties, keys included. */
const eventsOfAnyText = fc
  .record({
    event_id: anyUtf16(20).filter((id) => id.length > 0),
    user_agent: fc.oneof(
      anyUtf16(600),
      fc.constantFrom(...SAMPLE_USER_AGENTS).map((ua) => `${ua} `),
    ),
    url: anyUtf16(60).map((path) => `https://shop.example/${path}`),
    user_id: anyUtf16(20).filter((id) => id.length > 0),
    properties: fc.dictionary(
      anyUtf16(10),
      fc.oneof(
        anyUtf16(20),
        fc.array(anyUtf16(10), { maxLength: 3 }),
        fc.dictionary(anyUtf16(10), anyUtf16(10)),
      ),
      { maxKeys: 4 },
    ),
  })
  .map((text) => validEvent(text));

/** Every string of a parsed JSON value, object keys included. */
function stringsIn(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(stringsIn);
  if (typeof value === 'object' && value !== null) {
    return Object.entries(value).flatMap(([key, item]) => [key, ...stringsIn(item)]);
  }
  return [];
}

describe('transformBatch properties', () => {
  it('for any UTF-16 text in an event, an Ok record is well-formed UTF-8 and a malformed input is never Ok', () => {
    fc.assert(
      fc.property(eventsOfAnyText, (event) => {
        const sent = stringsIn(event);
        const { records } = transformBatch([recordOf(event)], enrichersFor(), () => {});

        const result = records[0]!;
        if (sent.some((text) => !text.isWellFormed())) {
          expect(result.result).toBe('ProcessingFailed');
          return;
        }
        if (result.result !== 'Ok') return;
        const bytes = Buffer.from(result.data ?? '', 'base64');
        expect(isUtf8(bytes)).toBe(true);
        const line = bytes.toString('utf8');
        expect(line.isWellFormed()).toBe(true);
        for (const text of stringsIn(JSON.parse(line))) {
          expect(text.isWellFormed()).toBe(true);
          expect(Buffer.from(text, 'utf8').toString('utf8')).toBe(text);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('for any times near the edges of the range, in either form and with any offset, an Ok record is a valid stored event', () => {
    const DAY_MS = 86_400_000;
    const nearAnEdge = fc.oneof(
      fc.integer({ min: EVENT_TIME_RANGE.firstMs - 2 * DAY_MS, max: EVENT_TIME_RANGE.firstMs + 2 * DAY_MS }),
      fc.integer({ min: EVENT_TIME_RANGE.lastMs - 2 * DAY_MS, max: EVENT_TIME_RANGE.lastMs + 2 * DAY_MS }),
    );
    const time = fc.oneof(
      nearAnEdge,
      fc
        .tuple(nearAnEdge, fc.integer({ min: -(24 * 60 - 1), max: 24 * 60 - 1 }))
        .map(([ms, offset]) => isoWithOffset(ms, offset)),
    );
    fc.assert(
      fc.property(
        time,
        fc.option(time),
        fc.constantFrom(...ARRIVALS_NEAR_THE_EDGES),
        (eventTime, sentAt, arrival) => {
          const event = validEvent({ event_time: eventTime, sent_at: sentAt ?? undefined });

          checkBatchRules([recordOf(event, 'r-1', arrival)]);
        },
      ),
      { numRuns: 1000 },
    );
  });

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
