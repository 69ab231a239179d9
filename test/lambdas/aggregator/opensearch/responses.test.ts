import { describe, expect, it } from 'vitest';
import {
  IncompleteSearchError,
  parseAdvertiserAggregation,
  parseAdvertiserPage,
} from '../../../../lambdas/aggregator/opensearch/responses';

// What OpenSearch answers to a search over `events-*` when no index matches the pattern (a fresh
// deploy, or no event within the index retention): 200, no shards searched, no aggregations.
const NO_INDEX_MATCHED = {
  took: 0,
  timed_out: false,
  _shards: { total: 0, successful: 0, skipped: 0, failed: 0 },
  hits: { total: { value: 0, relation: 'eq' }, max_score: 0.0, hits: [] },
};

describe('a search over an index pattern that matches no index', () => {
  it('lists no advertiser, on a last page', () => {
    expect(parseAdvertiserPage(NO_INDEX_MATCHED, 1000)).toEqual({ advertiserIds: [] });
  });

  it('aggregates no window and no late arrival', () => {
    expect(parseAdvertiserAggregation(NO_INDEX_MATCHED)).toEqual({ windows: [], lateArrivals: [] });
  });
});

describe('partial or unexpected results are still refused', () => {
  const searched = { total: 2, successful: 2, skipped: 0, failed: 0 };
  it.each<[string, unknown, RegExp]>([
    ['timed out with no shard searched', { ...NO_INDEX_MATCHED, timed_out: true }, /timed out/],
    [
      'failed shards',
      { ...NO_INDEX_MATCHED, _shards: { total: 2, successful: 1, skipped: 0, failed: 1 } },
      /failed on 1 of 2 shards/,
    ],
    ['shards searched but no aggregations', { ...NO_INDEX_MATCHED, _shards: searched }, /no aggregations/],
    ['no _shards at all', { took: 0, timed_out: false }, /no aggregations/],
    ['an empty body', undefined, /no aggregations/],
  ])('%s', (_name, body, message) => {
    expect(() => parseAdvertiserPage(body, 10)).toThrow(IncompleteSearchError);
    expect(() => parseAdvertiserPage(body, 10)).toThrow(message);
    expect(() => parseAdvertiserAggregation(body)).toThrow(message);
  });
});
