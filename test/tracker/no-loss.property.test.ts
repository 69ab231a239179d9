import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createTracker, PUT_RECORD_BATCH_LIMITS, type WireEvent } from '../../tracker/index';
import { type Answer, anEvent, networkError, ScriptedFirehose, serviceError } from './scripted-firehose';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

// About 950 KB once serialised: four fill a request's 4 MiB, a fifth must wait. Arrays of 7 strings
// of 4,000 characters, so that each value stays within MAX_PROPERTY_VALUE_BYTES once flattened.
const LARGE_PROPERTIES = Object.fromEntries(
  Array.from({ length: 34 }, (_, i) => [`blob${i}`, Array.from({ length: 7 }, () => 'x'.repeat(4000))]),
);

const answer: fc.Arbitrary<Answer> = fc.oneof(
  { arbitrary: fc.constant({ kind: 'accept' as const }), weight: 3 },
  {
    arbitrary: fc.record({
      kind: fc.constant('fail-records' as const),
      indexes: fc.array(fc.nat({ max: 20 }), { maxLength: 8 }),
      code: fc.constantFrom('ServiceUnavailableException', 'InternalFailure'),
    }),
    weight: 3,
  },
  {
    arbitrary: fc
      .constantFrom(
        serviceError('ServiceUnavailableException', 503),
        serviceError('ThrottlingException', 400),
        serviceError('InternalFailure', 500),
        serviceError('InvalidArgumentException', 400),
        networkError('ECONNRESET'),
        networkError('ETIMEDOUT'),
      )
      .map((error) => ({ kind: 'throw' as const, error })),
    weight: 2,
  },
);

/** A run: events in bursts (large ones now and then), with the clock moving between bursts. */
const scenario = fc.record({
  bursts: fc.array(
    fc.record({
      sizes: fc.array(
        fc.oneof(
          { arbitrary: fc.constant('small'), weight: 12 },
          { arbitrary: fc.constant('large'), weight: 1 },
        ),
        {
          minLength: 1,
          maxLength: 25,
        },
      ),
      pauseMs: fc.integer({ min: 0, max: 3000 }),
    }),
    { minLength: 1, maxLength: 6 },
  ),
  answers: fc.array(answer, { maxLength: 40 }),
  maxBatchRecords: fc.integer({ min: 1, max: 30 }),
  maxConcurrentRequests: fc.integer({ min: 1, max: 4 }),
  maxAttempts: fc.integer({ min: 1, max: 4 }),
  // Queues small enough to fill, under either policy.
  queue: fc.record({
    whenFull: fc.constantFrom('refuse' as const, 'drop-oldest' as const),
    maxQueueEvents: fc.integer({ min: 1, max: 200 }),
  }),
});

describe('the no-loss rule', () => {
  it('delivers every accepted event at least once or reports it to onError or onDrop; no request breaks a limit', async () => {
    await fc.assert(
      fc.asyncProperty(
        scenario,
        async ({ bursts, answers, maxBatchRecords, maxConcurrentRequests, maxAttempts, queue }) => {
          const firehose = new ScriptedFirehose(answers);
          const reported: string[] = [];
          const dropped: string[] = [];
          const tracker = createTracker({
            deliveryStreamName: 'clicks',
            client: firehose,
            maxBatchRecords,
            maxConcurrentRequests,
            retry: { maxAttempts, baseDelayMs: 10, maxDelayMs: 200 },
            ...queue,
            onError: (events) => reported.push(...events.map((e) => e.event.event_id)),
            ...(queue.whenFull === 'drop-oldest'
              ? { onDrop: (events: WireEvent[]) => dropped.push(...events.map((e) => e.event_id)) }
              : {}),
          });

          const accepted: string[] = [];
          for (const { sizes, pauseMs } of bursts) {
            for (const size of sizes) {
              const result = tracker.track(anEvent(size === 'large' ? { properties: LARGE_PROPERTIES } : {}));
              if (result.ok) accepted.push(result.eventId);
              const { queued, inFlight } = tracker.stats();
              expect(queued + inFlight).toBeLessThanOrEqual(queue.maxQueueEvents);
            }
            await vi.advanceTimersByTimeAsync(pauseMs);
          }
          const closed = tracker.close();
          await vi.runAllTimersAsync();
          await closed;

          const accountedFor = new Set([...firehose.deliveredIds, ...reported, ...dropped]);
          expect(accepted.filter((id) => !accountedFor.has(id))).toEqual([]);
          const acceptedIds = new Set(accepted);
          expect(
            firehose.requests.flatMap((r) => r.events).filter((e) => !acceptedIds.has(e.event_id)),
          ).toEqual([]);
          const stats = tracker.stats();
          expect(stats.delivered + stats.failed + stats.dropped).toBe(accepted.length);
          expect(stats).toMatchObject({ queued: 0, inFlight: 0, bufferedBytes: 0 });
          for (const request of firehose.requests) {
            expect(request.records.length).toBeLessThanOrEqual(PUT_RECORD_BATCH_LIMITS.maxRecords);
            const bytes = request.records.reduce((sum, data) => sum + data.length, 0);
            expect(bytes).toBeLessThanOrEqual(PUT_RECORD_BATCH_LIMITS.maxRequestBytes);
            for (const data of request.records) {
              expect(data.length).toBeLessThanOrEqual(PUT_RECORD_BATCH_LIMITS.maxRecordBytes);
            }
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});
