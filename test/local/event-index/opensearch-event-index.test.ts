import { describe, expect, it } from 'vitest';
import type { StoredEvent } from '../../../contract';
import { type EventIndex, isBulkEventIndex } from '../../../lambdas/aggregator/ports';
import type { OpenSearchHttp, OpenSearchRequest } from '../../../lambdas/opensearch-setup/setup';
import { LocalOpenSearchEventIndex } from '../../../local/event-index/opensearch-event-index';

const URL = 'http://127.0.0.1:9200';

function event(id: string): StoredEvent {
  return {
    event_id: id,
    event_type: 'click',
    advertiser_id: 'adv-1',
    event_time: '2026-11-22T07:30:00.000Z',
    received_at: '2026-11-22T07:35:12.345Z',
  };
}

/** Answers one bulk item: by event id and how many requests have carried that event so far. */
type ItemAnswer = (eventId: string, attempt: number) => Record<string, unknown>;

const CREATED = { result: 'created', status: 201 };
const UPDATED = { result: 'updated', status: 200 };
const REJECTED = { status: 429, error: { type: 'rejected_execution_exception', reason: 'queue full' } };

/** The node's REST API as the adapter sees it: bulk items answered by `answer`, every request recorded. */
function fakeNode(answer: ItemAnswer = () => CREATED, status = 200) {
  const sent: OpenSearchRequest[] = [];
  const attempts = new Map<string, number>();
  const http: OpenSearchHttp = async (request) => {
    sent.push(request);
    if (request.path !== '/_bulk') return { statusCode: status, body: { acknowledged: true } };
    if (status !== 200) return { statusCode: status, body: { error: 'request entity too large' } };
    const documents = String(request.body)
      .split('\n')
      .filter((_, i) => i % 2 === 1)
      .map((line) => (JSON.parse(line) as StoredEvent).event_id);
    const items = documents.map((id) => {
      const attempt = (attempts.get(id) ?? 0) + 1;
      attempts.set(id, attempt);
      return { index: { _index: 'events-2026-11-22', _id: id, ...answer(id, attempt) } };
    });
    return { statusCode: 200, body: { errors: items.some((i) => 'error' in i.index), items } };
  };
  const bulkIds = () =>
    sent
      .filter((r) => r.path === '/_bulk')
      .map((r) =>
        String(r.body)
          .split('\n')
          .filter((_, i) => i % 2 === 1)
          .map((line) => (JSON.parse(line) as StoredEvent).event_id),
      );
  return { http, sent, bulkIds };
}

const noReads: EventIndex = {
  listActiveAdvertisers: async () => ({ advertiserIds: [] }),
  aggregateAdvertiser: async () => ({ windows: [], lateArrivals: [] }),
};

function indexOn(
  node: ReturnType<typeof fakeNode>,
  extra: { maxBulkBytes?: number; reads?: EventIndex } = {},
) {
  return new LocalOpenSearchEventIndex({
    url: URL,
    http: node.http,
    reads: extra.reads ?? noReads,
    retryDelaysMs: [0, 0],
    ...(extra.maxBulkBytes === undefined ? {} : { maxBulkBytes: extra.maxBulkBytes }),
  });
}

describe('LocalOpenSearchEventIndex.indexEvents', () => {
  it('POSTs the events to _bulk and counts created items as inserted, updated ones as duplicates', async () => {
    const node = fakeNode((id) => (id === 'e2' ? UPDATED : CREATED));

    const outcome = await indexOn(node).indexEvents([event('e1'), event('e2'), event('e3')]);

    expect(outcome).toEqual({ inserted: 2, duplicates: 1, refused: [] });
    expect(node.sent.map((r) => [r.method, r.path])).toEqual([['POST', '/_bulk']]);
  });

  it('sends only the items refused for now (429) again, and counts them once they index', async () => {
    const node = fakeNode((id, attempt) => (id === 'e2' && attempt === 1 ? REJECTED : CREATED));

    const outcome = await indexOn(node).indexEvents([event('e1'), event('e2'), event('e3')]);

    expect(outcome).toEqual({ inserted: 3, duplicates: 0, refused: [] });
    expect(node.bulkIds()).toEqual([['e1', 'e2', 'e3'], ['e2']]);
  });

  it('refuses the items still refused when the retries are spent, with how many requests carried them', async () => {
    const node = fakeNode((id) => (id === 'e2' ? REJECTED : CREATED));

    const outcome = await indexOn(node).indexEvents([event('e1'), event('e2')]);

    expect(node.bulkIds()).toEqual([['e1', 'e2'], ['e2'], ['e2']]);
    expect(outcome.inserted).toBe(1);
    expect(outcome.refused).toMatchObject([
      { event: event('e2'), status: 429, errorType: 'rejected_execution_exception', attempts: 3 },
    ]);
  });

  it('refuses an item with a 4xx error at once', async () => {
    const node = fakeNode((id) =>
      id === 'e1' ? { status: 400, error: { type: 'mapper_parsing_exception', reason: 'bad' } } : CREATED,
    );

    const outcome = await indexOn(node).indexEvents([event('e1'), event('e2')]);

    expect(node.bulkIds()).toEqual([['e1', 'e2']]);
    expect(outcome.refused?.map((r) => [r.event.event_id, r.errorType, r.attempts])).toEqual([
      ['e1', 'mapper_parsing_exception', 1],
    ]);
  });

  it('splits a large delivery into several bulk requests', async () => {
    const node = fakeNode();
    const events = Array.from({ length: 5 }, (_, i) => event(`e${i}`));

    const outcome = await indexOn(node, { maxBulkBytes: 500 }).indexEvents(events);

    expect(node.bulkIds().length).toBeGreaterThan(1);
    expect(node.bulkIds().flat()).toEqual(events.map((e) => e.event_id));
    expect(outcome.inserted).toBe(5);
  });

  it('throws, naming the node, when the bulk request as a whole fails (the delivery is retried)', async () => {
    const node = fakeNode(undefined, 413);

    await expect(indexOn(node).indexEvents([event('e1')])).rejects.toThrow(
      `OpenSearch at ${URL} answered _bulk with 413`,
    );
  });

  it('sends nothing for no events', async () => {
    const node = fakeNode();

    expect(await indexOn(node).indexEvents([])).toEqual({ inserted: 0, duplicates: 0, refused: [] });
    expect(node.sent).toEqual([]);
  });
});

describe('LocalOpenSearchEventIndex reads', () => {
  it('refreshes the events-* indices, which the summaries read', async () => {
    const node = fakeNode();

    await indexOn(node).refresh();

    expect(node.sent.map((r) => [r.method, r.path])).toEqual([['POST', '/events-*/_refresh']]);
  });

  it('reads through the given adapter, one advertiser per request: it is no BulkEventIndex', async () => {
    const asked: string[] = [];
    const reads: EventIndex = {
      listActiveAdvertisers: async () => ({ advertiserIds: ['a', 'b'] }),
      aggregateAdvertiser: async (request) => {
        asked.push(request.advertiserId);
        return { windows: [], lateArrivals: [{ windowStart: 0, count: 1 }] };
      },
    };
    const index = indexOn(fakeNode(), { reads });
    const request = { windows: { from: 0, to: 900_000 }, horizonMs: 0, topCampaigns: 5 };

    expect(isBulkEventIndex(index)).toBe(false);
    expect(await index.listActiveAdvertisers(request.windows, { size: 10 })).toEqual({
      advertiserIds: ['a', 'b'],
    });
    expect(await index.aggregateAdvertiser({ ...request, advertiserId: 'a' })).toEqual({
      windows: [],
      lateArrivals: [{ windowStart: 0, count: 1 }],
    });
    expect(asked).toEqual(['a']);
  });
});
