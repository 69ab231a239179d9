import type { FirehoseTransformationEventRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import {
  AMPLIFYING_SHAPES,
  type EventShape,
  firehoseRecord,
  ORDINARY_SHAPES,
  realisticShape,
} from '../../../bench/lambda-payload.bench';
import type { Refusal } from '../../../contract';
import { growthRefusal, storedLineBound } from '../../../lambdas/transform/growth-bound';
import { transformBatch } from '../../../lambdas/transform/transform-batch';
import { validEvent } from '../../contract/validate-cases';
import { ARRIVAL_MS, enrichersFor, recordOf } from './firehose-records';

const bytesOf = (base64: string) => Buffer.byteLength(base64, 'base64');

function transform(records: FirehoseTransformationEventRecord[]) {
  const refused: Refusal[] = [];
  const batch = transformBatch(records, enrichersFor(), (_recordId, refusal) => refused.push(refusal));
  return { ...batch, refused };
}

describe('storedLineBound', () => {
  it.each([
    // (5 × input - 99) × 3/4, rounded down: the line whose base64 and record overhead are 5 × input.
    [82, 233],
    [100, 300],
    [1000, 3675],
    [1_024_000, 3_839_925],
  ])('allows a record of %i bytes a stored line of at most %i bytes', (inputBytes, bound) => {
    expect(storedLineBound(inputBytes)).toBe(bound);
  });

  it.each([
    ['at the bound', 233, undefined],
    ['a byte over it', 234, 'enriched_event_too_large'],
  ])('answers a line %s (%i bytes) with %s', (_name, storedBytes, reason) => {
    expect(growthRefusal(82, storedBytes)?.reason).toBe(reason);
  });

  it('says the growth and the bound', () => {
    expect(growthRefusal(82, 400)?.message).toBe(
      "the stored event would take 400 bytes, 4.88 × the record's 82; at most 233 are allowed for a record of that size",
    );
  });
});

/** How much of its bound a record's stored line uses. */
function shareOfBound(record: FirehoseTransformationEventRecord): number {
  const [result] = transform([record]).records;
  expect(result?.result).toBe('Ok');
  return bytesOf(result?.data ?? '') / storedLineBound(bytesOf(record.data));
}

const flags = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`variant_${i}`, i % 2 === 0]));

describe('transformBatch: the growth bound keeps ordinary records', () => {
  // Ordinary records stay well inside: their stored line takes less than 85% of the bound (the
  // smallest take the most, up to 80%: what the transform adds weighs most on them).
  const COMFORTABLY = 0.85;

  it.each<[string, FirehoseTransformationEventRecord]>([
    ...Object.entries(ORDINARY_SHAPES).map(([name, shape]): [string, FirehoseTransformationEventRecord] => [
      name,
      firehoseRecord(shape, 4000),
    ]),
    [
      'the smallest valid event (one-character id, type and advertiser, epoch-millisecond time)',
      recordOf({ event_id: '0', event_type: 'a', advertiser_id: 'a', event_time: ARRIVAL_MS - 1000 }),
    ],
    ['a realistic record (the bench)', firehoseRecord(realisticShape(), 0)],
    ['the full example event', recordOf(validEvent())],
    [
      '20 booleans under experiments.homepage_redesign_2026',
      recordOf(validEvent({ properties: { experiments: { homepage_redesign_2026: flags } } })),
    ],
    [
      'a URL whose 64-character path is Cyrillic, sent as it is rather than percent-encoded',
      recordOf(validEvent({ url: `https://пример.рф/${'каталог/'.repeat(8)}` })),
    ],
  ])('%s', (_name, record) => {
    expect(shareOfBound(record)).toBeLessThan(COMFORTABLY);
  });
});

describe('transformBatch: the growth bound refuses records that outgrow it', () => {
  it.each(Object.entries(AMPLIFYING_SHAPES) as Array<[string, EventShape]>)(
    'refuses %s as enriched_event_too_large, keeping the original bytes',
    (_name, shape) => {
      const record = firehoseRecord(shape, 0);

      const { records, refused, tally } = transform([record]);

      expect(records).toEqual([{ recordId: record.recordId, result: 'ProcessingFailed', data: record.data }]);
      expect(refused).toEqual([{ reason: 'enriched_event_too_large', message: expect.any(String) }]);
      expect([...tally.failedByReason]).toEqual([['enriched_event_too_large', 1]]);
    },
  );

  it('names no value in its message', () => {
    const values = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`value-${i}`, i]));
    const key = 'secret'.repeat(20);
    const event = validEvent({ properties: { [key]: { [key]: { [key]: { [key]: values } } } } });

    const [refusal] = transform([recordOf(event)]).refused;

    expect(refusal?.message).toMatch(/^the stored event would take \d+ bytes/);
    expect(refusal?.message).not.toMatch(/secret|value|acme/);
  });

  it('does not let a refused record shadow a valid one with the same event_id', () => {
    const [tooLarge] = Object.values(AMPLIFYING_SHAPES) as [EventShape];
    const input = [
      recordOf({ ...tooLarge(0), event_id: 'same' }, 'r-1'),
      recordOf(validEvent({ event_id: 'same' }), 'r-2'),
    ];

    const { records } = transform(input);

    expect(records.map((r) => r.result)).toEqual(['ProcessingFailed', 'Ok']);
  });
});
