import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { verdictsFor } from '../../../analytics/failed/failed-events';
import { deriveReason } from '../../../analytics/failed/failed-reason';
import { asRefusal } from '../../../analytics/failed/verdict';
import { EVENT_TIME_RANGE, type Refusal } from '../../../contract';
import { readTransformConfig } from '../../../lambdas/transform/config';
import { createEnrichers } from '../../../lambdas/transform/stored-event';
import { transformBatch } from '../../../lambdas/transform/transform-batch';
import { nearValidEventArbitrary } from '../../contract/validate-cases';
import { processingFailed } from './fixtures';

const DAY = 86_400_000;

/** Data of every kind the transform refuses: near-valid events, other JSON, text, bytes. */
const recordData = fc.oneof(
  { weight: 4, arbitrary: nearValidEventArbitrary.map((event) => Buffer.from(`${JSON.stringify(event)}\n`)) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }).map((value) => Buffer.from(JSON.stringify(value))) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 80 }).map((text) => Buffer.from(text)) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 80 }).map((bytes) => Buffer.from(bytes)) },
);

/** Arrivals near the events' times (validEventArbitrary's), so that the time limits both refuse and accept. */
const arrival = fc.oneof(
  fc.integer({ min: EVENT_TIME_RANGE.firstMs, max: EVENT_TIME_RANGE.lastMs }),
  fc.integer({ min: Date.UTC(2026, 0, 1), max: Date.UTC(2027, 0, 1) }),
);

/** The transform's settings that decide refusals, as its environment gives them. */
const environment = fc.record({
  MAX_EVENT_AGE_DAYS: fc.integer({ min: 1, max: 36_525 }).map(String),
  FUTURE_TOLERANCE_SECONDS: fc.integer({ min: 0, max: 7 * 86_400 }).map(String),
});

describe('the reason failed list derives', () => {
  it('is the reason the transform gave, for every record it refuses, under the settings it ran with', () => {
    fc.assert(
      fc.property(recordData, arrival, environment, (data, arrivedAt, env) => {
        const config = readTransformConfig(env);
        const rawData = data.toString('base64');
        let given: Refusal | undefined;
        transformBatch(
          [{ recordId: 'r', approximateArrivalTimestamp: arrivedAt, data: rawData }],
          createEnrichers(config),
          (_, refusal) => {
            given = refusal;
          },
        );
        fc.pre(given !== undefined);

        const derived = deriveReason(
          processingFailed(rawData, arrivedAt),
          'processing-failed',
          verdictsFor(config),
        );

        expect(derived.reason).toBe(given!.reason);
        expect(derived.refusal).toEqual(asRefusal(given!));
      }),
      { numRuns: 400 },
    );
  });

  it('names the refusal under the default settings for a record a raised limit now accepts', () => {
    fc.assert(
      fc.property(fc.integer({ min: 31, max: 364 }), (ageDays) => {
        const arrivedAt = Date.UTC(2026, 10, 22);
        const event = {
          event_id: 'e',
          event_type: 'click',
          advertiser_id: 'a',
          event_time: new Date(arrivedAt - ageDays * DAY).toISOString(),
        };
        const rawData = Buffer.from(JSON.stringify(event)).toString('base64');
        const raised = verdictsFor(readTransformConfig({ MAX_EVENT_AGE_DAYS: '365' }));

        expect(deriveReason(processingFailed(rawData, arrivedAt), 'processing-failed', raised).reason).toBe(
          'event_too_old',
        );
        expect(raised.current.refusalOf(rawData, arrivedAt)).toBeUndefined();
      }),
    );
  });
});
