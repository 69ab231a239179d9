import type { FirehoseTransformationEventRecord } from 'aws-lambda';
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { type Amplifiers, amplifiedShape, firehoseRecord } from '../../../bench/lambda-payload.bench';
import { validateWireEvent } from '../../../contract';
import { decodeRecord } from '../../../lambdas/transform/decode-record';
import { eventTimes, isRefusal, UtcFormatter } from '../../../lambdas/transform/event-times';
import { storedLineBound } from '../../../lambdas/transform/growth-bound';
import { storedEventLine } from '../../../lambdas/transform/stored-event';
import { transformBatch } from '../../../lambdas/transform/transform-batch';
import { nearValidEventArbitrary, SAMPLE_USER_AGENTS } from '../../contract/validate-cases';
import { ARRIVAL_MS, enrichersFor, recordOf } from './firehose-records';

// The age limit spans the storable years, so that only the growth bound and the contract refuse.
const enrichers = enrichersFor({ MAX_EVENT_AGE_DAYS: '36525' });
const bytesOf = (base64: string) => Buffer.byteLength(base64, 'base64');

/** Valid events combining every way the transform grows a record, in any amount. */
const amplified: fc.Arbitrary<Amplifiers> = fc.record({
  userAgent: fc.constantFrom(undefined, 'Chrome/1 (Android 1)', 'bot', ...SAMPLE_USER_AGENTS),
  sentAt: fc.boolean(),
  spaces: fc.option(fc.integer({ min: 0, max: 2730 }), { nil: undefined }),
  ip: fc.boolean(),
  nesting: fc.integer({ min: 0, max: 4 }),
  keyLength: fc.integer({ min: 1, max: 128 }),
  values: fc.integer({ min: 0, max: 100 }),
  referrer: fc.integer({ min: 0, max: 8192 }),
});

/** The stored line the transform would make of a valid record, bound or no bound. */
function wouldStore(record: FirehoseTransformationEventRecord): string {
  const decoded = decodeRecord(record.data);
  if (!decoded.ok) throw new Error(decoded.message);
  const validation = validateWireEvent(decoded.value);
  if (!validation.ok) throw new Error(validation.message);
  const times = eventTimes(
    validation.event,
    record.approximateArrivalTimestamp,
    new UtcFormatter(),
    enrichers.config,
  );
  if (isRefusal(times)) throw new Error(times.message);
  return storedEventLine(validation.event, times, enrichers, false);
}

it('for any record: an Ok line is within the bound, and a record is refused for its growth only past it', () => {
  const record = fc.oneof(
    fc.tuple(amplified, fc.nat(46_655)).map(([amplifiers, index]) => ({
      record: firehoseRecord(amplifiedShape(amplifiers), index),
      valid: true,
    })),
    nearValidEventArbitrary.map((event) => ({ record: recordOf(event, 'r-1', ARRIVAL_MS), valid: false })),
  );
  fc.assert(
    fc.property(record, ({ record, valid }) => {
      const reasons: string[] = [];

      const [result] = transformBatch([record], enrichers, (_id, refusal) =>
        reasons.push(refusal.reason),
      ).records;

      const bound = storedLineBound(bytesOf(record.data));
      if (result?.result === 'Ok') {
        expect(bytesOf(result.data ?? '')).toBeLessThanOrEqual(bound);
      } else if (valid || reasons[0] === 'enriched_event_too_large') {
        expect(reasons).toEqual(['enriched_event_too_large']);
        expect(Buffer.byteLength(wouldStore(record))).toBeGreaterThan(bound);
      }
    }),
    { numRuns: 300 },
  );
});
