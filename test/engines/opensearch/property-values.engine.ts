import type { FirehoseTransformationResultRecord } from 'aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { indexedPropertyBytes, MAX_PROPERTY_VALUE_BYTES, type StoredEvent } from '../../../contract';
import { transformBatch } from '../../../lambdas/transform/transform-batch';
import { enrichersFor, recordOf, storedOf } from '../../lambdas/transform/firehose-records';
import { engineUrl } from '../engine-url';
import { firehoseBulk, freshIndexSetup, nodeHttp } from './support/node';

// Long `properties` values against the real `flat_object` mapping of events-*: Lucene refuses a
// term over 32,766 bytes, and with it the whole document, so the transform refuses a value over
// MAX_PROPERTY_VALUE_BYTES as indexedPropertyBytes counts it. A string property is at most 4,096
// characters; an array is stored as its JSON text, which is how a value gets long.
const http = nodeHttp(engineUrl('opensearch'));
const PATH = 'tags';
const EVENT_TIME = '2026-11-22T10:00:00.000Z';

beforeAll(async () => {
  await freshIndexSetup(http);
});

/** Strings of at most 4,096 characters whose array's JSON text is exactly `bytes` long. */
function tagsOfJsonBytes(bytes: number): string[] {
  const tags: string[] = [];
  // `[` and `]`, then `"..."` per item and a comma between items.
  for (let left = bytes - 2; left > 0; ) {
    const overhead = tags.length === 0 ? 2 : 3;
    const length = Math.min(4096, left - overhead);
    tags.push('x'.repeat(length));
    left -= overhead + length;
  }
  return tags;
}

/** The transform's result for one tracker event whose `tags` array indexes as `indexedBytes`. */
function transformed(
  eventId: string,
  indexedBytes: number,
): { result: FirehoseTransformationResultRecord; refusals: string[] } {
  const tags = tagsOfJsonBytes(indexedBytes - indexedPropertyBytes(PATH, ''));
  const wire = { event_id: eventId, event_type: 'click', advertiser_id: 'adv-long', event_time: EVENT_TIME };
  const record = recordOf(
    { ...wire, properties: { [PATH]: tags } },
    eventId,
    Date.parse(EVENT_TIME) + 30_000,
  );
  const refusals: string[] = [];
  const [result] = transformBatch([record], enrichersFor(), (_id, refusal) =>
    refusals.push(refusal.reason),
  ).records;
  return { result: result!, refusals };
}

/** A stored event whose `tags` value is `value` (what the transform would store without its bound). */
function storedWith(eventId: string, value: string): StoredEvent {
  return {
    event_id: eventId,
    event_type: 'click',
    advertiser_id: 'adv-long',
    event_time: EVENT_TIME,
    received_at: '2026-11-22T10:00:30.000Z',
    properties: { [PATH]: value },
  };
}

async function indexOne(event: StoredEvent) {
  const answer = await firehoseBulk(http, [event]);
  return answer.items[0]!;
}

describe('long property values on OpenSearch 2.19', () => {
  it('the longest value the transform lets through indexes', async () => {
    const { result } = transformed('at-bound', MAX_PROPERTY_VALUE_BYTES);
    expect(result.result).toBe('Ok');
    const stored = storedOf(result) as unknown as StoredEvent;
    expect(indexedPropertyBytes(PATH, String(stored.properties?.[PATH]))).toBe(MAX_PROPERTY_VALUE_BYTES);

    const item = await indexOne(stored);

    expect(item).toMatchObject({ status: 201, _index: 'events-2026-11-22', _id: 'at-bound' });
  });

  it('one byte more is refused by the transform, with its typed reason', () => {
    const { result, refusals } = transformed('over-bound', MAX_PROPERTY_VALUE_BYTES + 1);

    expect(result.result).toBe('ProcessingFailed');
    expect(refusals).toEqual(['property_value_too_long']);
  });

  it('a value over Lucene term limit makes the node refuse the whole document', async () => {
    const item = await indexOne(storedWith('over-lucene', 'x'.repeat(32_767)));

    expect(item.status).toBe(400);
    expect(item.error?.reason).toContain('immense term in field="properties._value');
  });

  it.each([
    // The node's longest term for a value is 11 bytes longer than indexedPropertyBytes counts
    // (2.19.6): MAX_PROPERTY_VALUE_BYTES must stay at or below 32,755.
    { indexedBytes: 32_755, status: 201 },
    { indexedBytes: 32_756, status: 400 },
  ])(
    'the node takes values up to 32,755 bytes as indexedPropertyBytes counts them ($indexedBytes: $status)',
    async ({ indexedBytes, status }) => {
      const value = 'x'.repeat(indexedBytes - indexedPropertyBytes(PATH, ''));

      const item = await indexOne(storedWith(`edge-${indexedBytes}`, value));

      expect(item.status).toBe(status);
      expect(MAX_PROPERTY_VALUE_BYTES).toBeLessThanOrEqual(32_755);
    },
  );
});
