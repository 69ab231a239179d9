import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import type { FailureReason } from '../../../contract';
import { transformBatch } from '../../../lambdas/transform/transform-batch';
import { enrichersFor } from './firehose-records';

// samples/events.ndjson is what `npm start` shows a new user: it must keep showing every outcome.
it('samples/events.ndjson holds valid events of each type, a duplicate, and one record per kind of refusal', () => {
  const bytes = readFileSync(new URL('../../../samples/events.ndjson', import.meta.url));
  const lines: Buffer[] = [];
  for (let start = 0; start < bytes.length; ) {
    const end = bytes.indexOf(0x0a, start) + 1;
    lines.push(bytes.subarray(start, end));
    start = end;
  }
  const records = lines.map((line, i) => ({
    recordId: `line-${i + 1}`,
    approximateArrivalTimestamp: Date.UTC(2026, 10, 22, 8),
    data: line.toString('base64'),
  }));
  const reasons: FailureReason[] = [];

  const { records: results } = transformBatch(records, enrichersFor(), (_id, refusal) =>
    reasons.push(refusal.reason),
  );

  const okTypes = results
    .filter((r) => r.result === 'Ok')
    .map((r) => JSON.parse(Buffer.from(r.data ?? '', 'base64').toString('utf8')).event_type);
  expect(new Set(okTypes)).toEqual(
    new Set(['impression', 'click', 'conversion', 'pageview', 'video_started']),
  );
  expect(results.filter((r) => r.result === 'Dropped')).toHaveLength(1);
  expect(new Set(reasons)).toEqual(
    new Set([
      'invalid_json',
      'not_an_object',
      'invalid_utf8',
      'missing_required_field',
      'invalid_money',
      'invalid_advertiser_id',
      'invalid_timestamp',
      'timestamp_in_future',
      'event_too_old',
      'invalid_event_type',
      'unknown_field',
      'properties_too_deep',
      'too_many_properties',
      'invalid_property_key',
      'invalid_field',
    ]),
  );
});
