import type { AdvertiserAggregation, AdvertiserPage } from '../ports';
import type { AmountsByCurrency, WindowAggregate } from '../summary';
import type { CountName } from './requests';

// The parts of OpenSearch's search response the adapter reads; anything else is ignored.
interface SearchResponse {
  timed_out?: boolean;
  _shards?: { total?: number; failed?: number };
  aggregations?: Record<string, unknown>;
}

interface CompositeAggregation {
  after_key?: { advertiser_id?: string };
  buckets: { key: { advertiser_id: string }; doc_count: number }[];
}

interface TermsBuckets<Sub = object> {
  buckets: ({ key: string; doc_count: number } & Sub)[];
}

interface WindowBucket {
  key: number;
  doc_count: number;
  counts: { buckets: Record<CountName, { doc_count: number }> };
  unique_users: { value: number };
  revenue: { currencies: TermsBuckets<{ amount: { value: number } }> };
  cost: { currencies: TermsBuckets<{ amount: { value: number } }> };
  top_campaigns: TermsBuckets;
  top_pages: { paths: TermsBuckets };
}

interface AggregateResponse {
  windows: { by_window: { buckets: WindowBucket[] } };
  late_arrivals: { buckets: Record<string, { doc_count: number }> };
}

/** Thrown when OpenSearch answers with partial or unexpected results; summaries must not be built on them. */
export class IncompleteSearchError extends Error {
  override name = 'IncompleteSearchError';
}

/** The search's index pattern matched no index. */
const NO_INDEX = Symbol('no index matched');

/**
 * The aggregations of a complete search, or NO_INDEX when the pattern matched no index (a fresh
 * deploy, or nothing indexed within the retention): OpenSearch then answers with no shard searched
 * and no `aggregations` at all, which means "no events", not a failure. A partial result (timed
 * out, failed shards) would store too-low counts as if they were right, so it throws.
 */
function completeAggregations(body: unknown): Record<string, unknown> | typeof NO_INDEX {
  const response = (body ?? {}) as SearchResponse;
  if (response.timed_out === true) throw new IncompleteSearchError('OpenSearch search timed out');
  const failed = response._shards?.failed ?? 0;
  if (failed > 0) {
    throw new IncompleteSearchError(
      `OpenSearch search failed on ${failed} of ${response._shards?.total} shards`,
    );
  }
  if (response.aggregations !== undefined) return response.aggregations;
  if (response._shards?.total === 0) return NO_INDEX;
  throw new IncompleteSearchError('OpenSearch response has no aggregations');
}

export function parseAdvertiserPage(body: unknown, size: number): AdvertiserPage {
  const aggregations = completeAggregations(body);
  if (aggregations === NO_INDEX) return { advertiserIds: [] };
  const composite = aggregations.advertisers as CompositeAggregation | undefined;
  if (!Array.isArray(composite?.buckets)) {
    throw new IncompleteSearchError('OpenSearch response lacks the advertisers composite aggregation');
  }
  const advertiserIds = composite.buckets.map((bucket) => bucket.key.advertiser_id);
  const next = composite.after_key?.advertiser_id;
  // A short page is the last one; a full page may be followed by an empty one.
  return advertiserIds.length === size && next !== undefined ? { advertiserIds, next } : { advertiserIds };
}

export function parseAdvertiserAggregation(body: unknown): AdvertiserAggregation {
  const complete = completeAggregations(body);
  if (complete === NO_INDEX) return { windows: [], lateArrivals: [] };
  const aggregations = complete as Partial<AggregateResponse>;
  const buckets = aggregations.windows?.by_window?.buckets;
  const late = aggregations.late_arrivals?.buckets;
  if (!Array.isArray(buckets) || late === undefined) {
    throw new IncompleteSearchError('OpenSearch response lacks the windows or late_arrivals aggregation');
  }
  return {
    windows: buckets.map(toWindowAggregate),
    lateArrivals: Object.entries(late)
      .filter(([, bucket]) => bucket.doc_count > 0)
      .map(([start, bucket]) => ({ windowStart: Date.parse(start), count: bucket.doc_count }))
      .sort((a, b) => a.windowStart - b.windowStart),
  };
}

function toWindowAggregate(bucket: WindowBucket): WindowAggregate {
  const counts = bucket.counts.buckets;
  return {
    windowStart: bucket.key,
    events: bucket.doc_count,
    impressions: counts.impressions.doc_count,
    clicks: counts.clicks.doc_count,
    conversions: counts.conversions.doc_count,
    pageviews: counts.pageviews.doc_count,
    botImpressions: counts.bot_impressions.doc_count,
    botClicks: counts.bot_clicks.doc_count,
    uniqueUsers: bucket.unique_users.value,
    revenueByCurrency: byCurrency(bucket.revenue.currencies),
    costByCurrency: byCurrency(bucket.cost.currencies),
    topCampaigns: bucket.top_campaigns.buckets.map((c) => ({ campaignId: c.key, events: c.doc_count })),
    topPages: bucket.top_pages.paths.buckets.map((p) => ({ urlPath: p.key, pageviews: p.doc_count })),
  };
}

function byCurrency(currencies: TermsBuckets<{ amount: { value: number } }>): AmountsByCurrency {
  return Object.fromEntries(currencies.buckets.map((bucket) => [bucket.key, bucket.amount.value]));
}
