import { describe, expect, it } from 'vitest';
import type { StoredEvent } from '../../../contract';
import {
  BulkResponseError,
  bulkBody,
  bulkRequests,
  incomingIndexFor,
  readBulkResponse,
} from '../../../local/event-index/opensearch-bulk';

function event(id: string, receivedAt = '2026-11-22T07:35:12.345Z'): StoredEvent {
  return {
    event_id: id,
    event_type: 'click',
    advertiser_id: 'adv-1',
    event_time: '2026-11-21T23:50:00.000Z',
    received_at: receivedAt,
  };
}

/** A bulk response item, as OpenSearch answers an `index` action. */
function item(result: Record<string, unknown>) {
  return { index: { _index: 'events-2026-11-21', _id: 'x', ...result } };
}

const created = item({ result: 'created', status: 201 });
const updated = item({ result: 'updated', status: 200 });
const MAPPER_ERROR = { type: 'mapper_parsing_exception', reason: 'failed to parse field [properties]' };
const mapperError = item({ status: 400, error: MAPPER_ERROR });
const rejected = item({ status: 429, error: { type: 'rejected_execution_exception', reason: 'queue full' } });

describe('incomingIndexFor', () => {
  it.each([
    ['2026-11-22T07:35:12.345Z', 'incoming-2026-11-22'],
    ['2026-11-22T23:59:59.999Z', 'incoming-2026-11-22'],
    ['2026-11-23T00:00:00.000Z', 'incoming-2026-11-23'],
  ])('names the index of the UTC arrival day of %s, not of the event day', (receivedAt, index) => {
    expect(incomingIndexFor(event('e1', receivedAt))).toBe(index);
  });
});

describe('bulkBody', () => {
  it('sends an index action naming only the index (no _id), then the document, each line ending in a newline', () => {
    const [request] = bulkRequests([event('e1'), event('e2', '2026-11-23T00:00:01.000Z')], 1024 * 1024);

    const lines = bulkBody(request!).split('\n');

    expect(lines.map((line) => (line === '' ? '' : JSON.parse(line)))).toEqual([
      { index: { _index: 'incoming-2026-11-22' } },
      event('e1'),
      { index: { _index: 'incoming-2026-11-23' } },
      event('e2', '2026-11-23T00:00:01.000Z'),
      '',
    ]);
  });
});

describe('bulkRequests', () => {
  it('splits events into requests whose bodies stay within the byte limit, in order', () => {
    const events = Array.from({ length: 10 }, (_, i) => event(`e${i}`));
    const oneItem = Buffer.byteLength(bulkBody(bulkRequests([event('e0')], 1e9)[0]!));

    const requests = bulkRequests(events, oneItem * 3);

    expect(requests.map((r) => r.length)).toEqual([3, 3, 3, 1]);
    expect(requests.flat().map((i) => i.event.event_id)).toEqual(events.map((e) => e.event_id));
    for (const request of requests)
      expect(Buffer.byteLength(bulkBody(request))).toBeLessThanOrEqual(oneItem * 3);
  });

  it('sends an event larger than the limit alone', () => {
    expect(bulkRequests([event('e1'), event('e2')], 10).map((r) => r.length)).toEqual([1, 1]);
  });

  it('makes no request for no events', () => {
    expect(bulkRequests([], 1024)).toEqual([]);
  });
});

describe('readBulkResponse', () => {
  const sent = bulkRequests([event('e1'), event('e2'), event('e3'), event('e4')], 1e9)[0]!;

  it('counts created items as inserted and updated ones (the event_id was indexed) as duplicates', () => {
    const outcome = readBulkResponse({ errors: false, items: [created, updated, created, updated] }, sent, 1);

    expect(outcome).toEqual({ inserted: 2, duplicates: 2, refused: [], retry: [] });
  });

  it('refuses an item with a 4xx error for good, keeping its document, index, status and error', () => {
    const outcome = readBulkResponse(
      { errors: true, items: [created, mapperError, created, created] },
      sent,
      2,
    );

    expect(outcome.inserted).toBe(3);
    expect(outcome.retry).toEqual([]);
    expect(outcome.refused).toEqual([
      {
        event: event('e2'),
        document: JSON.stringify(event('e2')),
        index: 'incoming-2026-11-22',
        status: 400,
        errorType: 'mapper_parsing_exception',
        errorMessage: JSON.stringify(MAPPER_ERROR),
        attempts: 2,
      },
    ]);
  });

  it.each([
    [429, rejected],
    [
      503,
      item({
        status: 503,
        error: { type: 'unavailable_shards_exception', reason: 'primary shard is not active' },
      }),
    ],
  ])('sends an item refused with %i again rather than refusing it', (_status, failed) => {
    const outcome = readBulkResponse({ errors: true, items: [created, created, failed, created] }, sent, 1);

    expect(outcome.refused).toEqual([]);
    expect(outcome.retry.map((r) => r.event.event_id)).toEqual(['e3']);
  });

  it('refuses an item with neither a known result nor an error, naming what it answered', () => {
    const outcome = readBulkResponse(
      { items: [created, created, created, item({ result: 'noop', status: 200 })] },
      sent,
      1,
    );

    expect(outcome.refused.map((r) => r.errorType)).toEqual(['unexpected bulk result "noop"']);
  });

  it.each([
    ['fewer items than sent', { items: [created] }],
    ['no items', { error: 'something' }],
    ['no body', null],
  ])('throws when the response has %s: the outcome of the rest is unknown', (_what, body) => {
    expect(() => readBulkResponse(body, sent, 1)).toThrow(BulkResponseError);
  });
});
